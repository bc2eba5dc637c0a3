package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const obsDir = "testdata/observe/"

func TestObserveGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"table with inventory", []string{"observe", obsDir + "enis.json", "--flows", obsDir + "flows-v5.log"}, "observe/v5-inventory.txt"},
		{"json with inventory", []string{"observe", obsDir + "enis.json", "--flows", obsDir + "flows-v5.log", "--format", "json"}, "observe/v5-inventory.json"},
		{"json v2 tolerated bad line", []string{"observe", "--flows", obsDir + "flows-v2.log", "--format", "json", "--max-bad-lines", "20%"}, "observe/v2.json"},
		{"csv v2", []string{"observe", "--flows", obsDir + "flows-v2.log", "--format", "csv", "--max-bad-lines", "-1"}, "observe/v2.csv"},
		// #14: a pod's connections (pkt-* addresses on its node's interface),
		// a NAT gateway's forwarded traffic, an interface whose own side the
		// records do not tell.
		{"table forwarded and undetermined", []string{"observe", "--flows", obsDir + "forwarding.log"}, "observe/forwarding.txt"},
		{"json forwarded and undetermined", []string{"observe", "--flows", obsDir + "forwarding.log", "--format", "json"}, "observe/forwarding.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tt.golden, out)
		})
	}
}

func TestObserveJSONShape(t *testing.T) {
	out, _, code := run(t, "observe", "--flows", obsDir+"flows-v5.log", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Observations []map[string]any `json:"observations"`
		Stats        map[string]any   `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	first := doc.Observations[0]
	for k, want := range map[string]any{"interfaceId": "eni-0a0000000000000001", "direction": "outbound",
		"protocol": "tcp", "port": 443.0, "remote": "203.0.113.50", "flows": 2.0, "confidence": "exact"} {
		if first[k] != want {
			t.Errorf("%s = %v, want %v", k, first[k], want)
		}
	}
	if doc.Stats["records"] != 7.0 || doc.Stats["nodataRecords"] != 1.0 {
		t.Errorf("stats = %v", doc.Stats)
	}
}

func TestObserveStdinAndFlowFormat(t *testing.T) {
	data, err := os.ReadFile(obsDir + "flows-v5.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 2) // drop the header: --flow-format names the fields
	format := "${" + strings.Join(strings.Fields(lines[0]), "} ${") + "}"
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"observe", "--flows", "-", "--flow-format", format, "--format", "csv"},
		&IOStreams{In: strings.NewReader(lines[1]), Out: &out, ErrOut: &errOut})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want, _, _ := run(t, "observe", "--flows", obsDir+"flows-v5.log", "--format", "csv")
	if out.String() != want {
		t.Errorf("stdin with --flow-format differs:\n%s\nvs\n%s", out.String(), want)
	}
}

func TestObserveBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"too many bad lines", []string{"observe", "--flows", obsDir + "flows-v2.log"}, "flows-v2.log:6: 6 fields, the format has 14"},
		{"no flows", []string{"observe"}, "--flows"},
		{"missing source", []string{"observe", "--flows", obsDir + "nope.log"}, "nope.log"},
		{"bad format", []string{"observe", "--flows", obsDir + "flows-v5.log", "--format", "xml"}, "--format"},
		{"bad since", []string{"observe", "--flows", obsDir + "flows-v5.log", "--since", "yesterday"}, "--since"},
		{"bad flow format", []string{"observe", "--flows", obsDir + "flows-v5.log", "--flow-format", "${srcaddr}"}, "--flow-format"},
		{"flow format without ports, protocol or action", []string{"observe", "--flows", "-", "--flow-format", "${interface-id} ${srcaddr} ${dstaddr} ${dst-port}"},
			`--flow-format: flow format lacks the required fields srcport, dstport, protocol, action (it names fields walls does not know: "dst-port")`},
		{"header without protocol", []string{"observe", "--flows", obsDir + "no-protocol.log"}, "no-protocol.log:1: header line refused: flow format lacks the required field protocol"},
		{"until before since", []string{"observe", "--flows", obsDir + "flows-v5.log", "--since", "2026-01-02", "--until", "2026-01-01"}, "--until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, tt.args...)
			if code != ExitBadInput || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.msg)
			}
		})
	}
}

func TestObserveSince(t *testing.T) {
	out, errOut, code := run(t, "observe", "--flows", obsDir+"flows-v5.log", "--format", "csv", "--since", "1700000045")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Only the SSH windows (to 1700000060) and the database window (to
	// 1700000050) end after the cut.
	if n := strings.Count(out, "\n"); n != 3 || !strings.Contains(out, ",22,") || !strings.Contains(out, ",5432,") {
		t.Errorf("got:\n%s", out)
	}
}

func TestObserveProgressOnTerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"observe", "--flows", obsDir + "flows-v5.log", "--format", "csv"},
		&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: true})
	if code != 0 || !strings.Contains(errOut.String(), "reading flow logs:") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestObserveQuietDrawsNoProgress(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"observe", "--quiet", "--flows", obsDir + "flows-v5.log", "--format", "csv"},
		&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: true})
	if code != 0 || strings.Contains(errOut.String(), "reading flow logs") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
