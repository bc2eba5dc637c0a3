package terraform

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// checkLoaded asserts what every load must satisfy, whatever the input:
// failures are located input errors, and what was loaded is well formed.
func checkLoaded(t *testing.T, inv *vpc.Inventory, err error) {
	t.Helper()
	if err != nil {
		var ie *vpc.InputError
		if !errors.As(err, &ie) {
			t.Fatalf("error %v (%T) is not a *vpc.InputError", err, err)
		}
		return
	}
	for id, g := range inv.Groups {
		for _, r := range append(append([]vpc.Rule{}, g.Ingress...), g.Egress...) {
			if r.GroupID != id {
				t.Fatalf("rule of %s names group %s", id, r.GroupID)
			}
			switch r.Peer.Kind {
			case vpc.PeerCIDR:
				if !r.Peer.Prefix.IsValid() || r.Peer.Prefix != r.Peer.Prefix.Masked() {
					t.Fatalf("rule %s: non-canonical prefix %v", r.Ref(), r.Peer.Prefix)
				}
			case vpc.PeerGroup, vpc.PeerPrefixList:
			default:
				t.Fatalf("rule %s: no peer", r.Ref())
			}
			if r.Protocol.HasPorts() && (r.FromPort < 0 || r.ToPort > 65535 || r.FromPort > r.ToPort) {
				t.Fatalf("rule %s: ports %d-%d", r.Ref(), r.FromPort, r.ToPort)
			}
		}
	}
	for _, n := range inv.NACLs {
		for _, es := range [][]vpc.NACLEntry{n.Inbound, n.Outbound} {
			for i, e := range es {
				if e.RuleNumber < 1 || e.RuleNumber > 32766 || !e.Prefix.IsValid() {
					t.Fatalf("nacl %s entry %v", n.ID, e)
				}
				if i > 0 && es[i-1].RuleNumber >= e.RuleNumber {
					t.Fatalf("nacl %s entries not sorted and unique", n.ID)
				}
			}
		}
	}
}

func addSeeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(glob)
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
}

func FuzzLoadShowJSON(f *testing.F) {
	addSeeds(f, "../testdata/equivalent/terraform-show/*.json")
	f.Add([]byte(stateJSON))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := vpc.New()
		checkLoaded(t, inv, LoadShowJSON("plan.json", data, inv))
		Detect(data)
	})
}

func FuzzLoadHCL(f *testing.F) {
	addSeeds(f, "../testdata/equivalent/terraform/*.tf")
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := vpc.New()
		_, err := LoadHCLFiles(map[string][]byte{"main.tf": data}, inv)
		checkLoaded(t, inv, err)
	})
}

// FuzzLoadTFJSON reads a module of one .tf.json file and one override.
func FuzzLoadTFJSON(f *testing.F) {
	addSeeds(f, "../equivalence/testdata/terraform-json/*.tf.json")
	f.Add([]byte(`{"resource": {"aws_security_group": {"a": {"ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := vpc.New()
		_, err := LoadHCLFiles(map[string][]byte{"main.tf.json": data,
			"override.tf.json": []byte(`{"resource": {"aws_security_group": {"a": {"egress": []}}}}`)}, inv)
		checkLoaded(t, inv, err)
	})
}
