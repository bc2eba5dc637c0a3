package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
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

// appendObservationJSON must write what encoding/json writes.
func TestAppendObservationJSON(t *testing.T) {
	cases := []observationJSON{
		{InterfaceID: "eni-1", Direction: "outbound", Protocol: "tcp", Port: 443, Remote: "203.0.113.7", Action: "ACCEPT", Confidence: "exact"},
		{InterfaceID: "eni-\"<&>\\\x01\t\n\u2028é\xff", Direction: "inbound", Protocol: "47", Remote: "::1", Local: "::2",
			Action: "REJECT", Flows: 1 << 40, Packets: 2, Bytes: 3, FirstSeen: "2026-01-01T00:00:00Z", LastSeen: "x",
			Confidence: "heuristic", InstanceID: "i-1", SubnetID: "subnet-1", SecurityGroups: []string{"sg-1", "sg-2"},
			RemoteInterfaceID: "eni-2", RemoteSecurityGroups: []string{"sg-3"}},
	}
	for _, c := range cases {
		want, err := json.MarshalIndent(c, "    ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendObservationJSON(nil, &c); string(got) != string(want) {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	}
}

func TestAppendCSVMatchesEncodingCSV(t *testing.T) {
	for _, s := range []string{"", "eni-1", "a,b", `say "hi"`, " lead", "\ttab", "multi\nline", "x\ry", `\.`, "\u00a0nbsp", "é"} {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		_ = w.Write([]string{s})
		w.Flush()
		if got := string(appendCSV(nil, s)) + "\n"; got != want.String() {
			t.Errorf("appendCSV(%q) = %q, want %q", s, got, want.String())
		}
	}
}

// TestAppendRFC3339MatchesFormat: the digit-by-digit writer against
// time.RFC3339, across the years and for times it hands back.
func TestAppendRFC3339MatchesFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(tm time.Time) {
		if got, want := string(appendRFC3339(nil, tm)), tm.UTC().Format(time.RFC3339); got != want {
			t.Fatalf("%v: %s, want %s", tm, got, want)
		}
	}
	for i := 0; i < 100000; i++ {
		check(time.Unix(r.Int64N(253402300800), 0)) // 1970 to 9999
	}
	check(time.Unix(0, 0))
	check(time.Unix(-62135596800, 0))                             // year 1
	check(time.Unix(253402300800, 0))                             // year 10000: AppendFormat
	check(time.Unix(1767225600, 500))                             // fractional: AppendFormat
	check(time.Unix(1767225600, 0).In(time.FixedZone("x", 3600))) // another zone
}
