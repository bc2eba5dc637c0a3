package render

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/traffic"
)

func TestProtocolCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"tcp": "tcp", "47": "gre (47)", "50": "esp (50)", "253": "protocol 253",
		"unknown": "unknown", "-1": "-1", "300": "300"} {
		if got := protocolCell(in); got != want {
			t.Errorf("protocolCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// The observe table names protocols; its JSON and CSV keep the number.
func TestObservationsTableNamesProtocols(t *testing.T) {
	t.Parallel()
	res := &flowlog.Result{Observations: []flowlog.Observation{{InterfaceID: "eni-1", Direction: traffic.Outbound,
		Protocol: 50, Accepted: true, Remote: netip.MustParseAddr("203.0.113.7"), Local: netip.MustParseAddr("10.0.0.5"), Flows: 1}}}
	var buf bytes.Buffer
	if _, err := ObservationsTable(&buf, res, nil, 100); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "esp (50)") {
		t.Errorf("table does not name protocol 50:\n%s", buf.String())
	}
	if j := annotate(&res.Observations[0], nil); j.Protocol != "50" {
		t.Errorf("JSON protocol %q, want the number", j.Protocol)
	}
}
