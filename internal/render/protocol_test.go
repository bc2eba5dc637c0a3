package render

import (
	"bufio"
	"bytes"
	"encoding/json"
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

// The observe table shows the local side of undetermined rows and lists
// forwarded traffic in a section of its own; JSON holds the forwarded list.
func TestObservationsForwardedAndUndetermined(t *testing.T) {
	t.Parallel()
	a := netip.MustParseAddr
	res := &flowlog.Result{
		Observations: []flowlog.Observation{
			{InterfaceID: "eni-1", Direction: traffic.Outbound, Protocol: 6, Port: 80, Accepted: true, Confidence: traffic.Exact,
				Remote: a("10.0.0.9"), Local: a("10.0.0.8"), LocalUndetermined: true, Flows: 1},
			{InterfaceID: "eni-1", Direction: traffic.Inbound, Protocol: 6, Port: 80, Accepted: true, Confidence: traffic.Exact,
				Remote: a("10.0.0.8"), Local: a("10.0.0.9"), LocalUndetermined: true, Flows: 1},
		},
		Forwarded: []flowlog.Forwarded{{InterfaceID: "eni-nat", Protocol: 6, Port: 443, Accepted: true, Confidence: traffic.Heuristic,
			Initiator: a("10.0.1.5"), Responder: a("203.0.113.5"), Flows: 2}},
	}
	var buf bytes.Buffer
	if _, err := ObservationsTable(&buf, res, nil, 0); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"LOCAL", "10.0.0.8?", "undetermined", "Forwarded traffic", "FORWARDED BY", "eni-nat", "10.0.1.5", "203.0.113.5"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	var jb bytes.Buffer
	w := bufio.NewWriter(&jb)
	if err := ObservationsJSON(w, res, nil, "test"); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	var doc struct {
		Observations []struct {
			LocalUndetermined bool `json:"localUndetermined"`
		} `json:"observations"`
		Forwarded []struct {
			InterfaceID, Initiator, Responder, Confidence string
			Port                                          int
		} `json:"forwarded"`
	}
	if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, jb.String())
	}
	if len(doc.Observations) != 2 || !doc.Observations[0].LocalUndetermined || len(doc.Forwarded) != 1 ||
		doc.Forwarded[0].Initiator != "10.0.1.5" || doc.Forwarded[0].Responder != "203.0.113.5" || doc.Forwarded[0].Port != 443 ||
		doc.Forwarded[0].Confidence != "heuristic" {
		t.Errorf("JSON: %+v\n%s", doc, jb.String())
	}
}
