package cli

import (
	"testing"

	"github.com/walls-dev/walls/internal/policy"
)

// TestClientPortsOneFlag: check and audit take the client range from the
// same flag with the same default and help (#11: check assumed 32768-60999
// and audit 32768-65535, so they disagreed about the same connection).
func TestClientPortsOneFlag(t *testing.T) {
	var io IOStreams
	c := newCheckCmd(&io).Flags().Lookup(policy.ClientPortsFlag)
	a := newAuditCmd(&io).Flags().Lookup(policy.ClientPortsFlag)
	if c == nil || a == nil {
		t.Fatalf("--%s missing: check %v, audit %v", policy.ClientPortsFlag, c, a)
	}
	if c.DefValue != a.DefValue || c.Usage != a.Usage {
		t.Fatalf("check --%s default %q, audit %q; usage differs: %v", policy.ClientPortsFlag, c.DefValue, a.DefValue, c.Usage != a.Usage)
	}
	if got, err := policy.ParseClientPorts(c.DefValue); err != nil || got != policy.DefaultClientPorts {
		t.Fatalf("default %q parses to %v, %v", c.DefValue, got, err)
	}
}
