package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// appendObservationJSON must write what encoding/json writes.
func TestAppendObservationJSON(t *testing.T) {
	cases := []observationJSON{
		{InterfaceID: "eni-1", Direction: "outbound", Protocol: "tcp", Port: 443, Remote: "203.0.113.7", Action: "ACCEPT", Confidence: "exact"},
		{InterfaceID: "eni-1", Direction: "inbound", Protocol: "tcp", Port: 22, Remote: "10.0.0.7", Local: "10.0.0.8", LocalUndetermined: true,
			Action: "ACCEPT", Confidence: "ambiguous"},
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
