package plan

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// seedPlanText is testPlan written as a plan file, for hand edits.
func seedPlanText(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	if err := testPlan(testInv()).Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// textLine is the 1-based line of the n-th (0-based) occurrence of sub.
func textLine(t *testing.T, text, sub string, n int) int {
	t.Helper()
	off := 0
	for i := 0; ; i++ {
		j := strings.Index(text[off:], sub)
		if j < 0 {
			t.Fatalf("%q occurs %d times, want occurrence %d", sub, i, n)
		}
		if i == n {
			return strings.Count(text[:off+j], "\n") + 1
		}
		off += j + len(sub)
	}
}

// Go's encoding/json keeps the last of two equal keys and matches keys to
// fields ignoring case: a reviewer reading one proposedEgress would approve
// rules that are not the ones acted on. Every such plan is refused, naming
// the file, the line and the key.
func TestParseDuplicateAndCaseVariantKeys(t *testing.T) {
	t.Parallel()
	base := seedPlanText(t)
	widen := `"proposedEgress": [{"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "CidrIpv4": "10.0.0.0/16", "IsEgress": true}],
      `
	// Insert before sg-w's own proposedEgress (the second group's).
	at := strings.Index(base, `"GroupId": "sg-w"`)
	i := at + strings.Index(base[at:], `"proposedEgress"`)
	cases := []struct {
		name, text, key string
		line            int // 0: the edit's line
	}{
		{"duplicate proposedEgress", base[:i] + widen + base[i:], `"proposedEgress"`, 0},
		{"case variant beside", base[:i] + strings.Replace(widen, `"proposedEgress"`, `"ProposedEgress"`, 1) + base[i:], `"ProposedEgress"`, 0},
		{"case variant alone", strings.Replace(base, `"proposedEgress"`, `"PROPOSEDEGRESS"`, 1), `"PROPOSEDEGRESS"`, 0},
		{"duplicate in a rule", strings.Replace(base, `"FromPort": 443,`, `"FromPort": 443, "FromPort": 3306,`, 1), `"FromPort"`, 0},
		{"case variant in a rule", strings.Replace(base, `"CidrIpv4": "0.0.0.0/0"`, `"cidripv4": "0.0.0.0/0"`, 1), `"cidripv4"`, 0},
		{"duplicate at the top", strings.Replace(base, `"version": 1,`, `"version": 1, "version": 1,`, 1), `"version"`, 0},
		{"duplicate in a map", strings.Replace(base, `"securityGroups"`, `"replay": {"blockedByConfidence": {"exact": 1, "exact": 2}, "pass": true, "blockedBy": []}, "securityGroups"`, 1), `"exact"`, 0},
		{"case variant nested", strings.Replace(base, `"version": 1,`, `"version": 1, "inventory": {"fingerprint": "x", "Groups": 2},`, 1), `"Groups"`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("plan.json", []byte(c.text))
			var ie *vpc.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			// The offending key's line: its last occurrence.
			want := textLine(t, c.text, c.key, strings.Count(c.text, c.key)-1)
			if ie.Loc.File != "plan.json" || ie.Loc.Line != want || !strings.Contains(err.Error(), c.key) {
				t.Fatalf("err = %v (line %d), want plan.json line %d naming %s", err, ie.Loc.Line, want, c.key)
			}
		})
	}
}

// A validation error names the line of the value at fault, not just its
// JSON path.
func TestParseErrorLines(t *testing.T) {
	t.Parallel()
	base := seedPlanText(t)
	cases := []struct {
		name, text, path, at string
		n                    int
	}{
		{"bad FromPort", strings.Replace(base, `"FromPort": 443,`, `"FromPort": -5,`, 1), "securityGroups[1].proposedEgress[2].FromPort", `"FromPort": -5`, 0},
		{"bad ToPort", strings.Replace(base, `"ToPort": 80,`, `"ToPort": 70000,`, 1), "securityGroups[1].proposedEgress[1].ToPort", `"ToPort": 70000`, 0},
		{"bad CIDR", strings.Replace(base, `"CidrIpv4": "0.0.0.0/0"`, `"CidrIpv4": "10.0.0.0/33"`, 1), "securityGroups[1].currentEgress[0].CidrIpv4", `"CidrIpv4": "10.0.0.0/33"`, 0},
		{"bad protocol", strings.Replace(base, `"IpProtocol": "tcp"`, `"IpProtocol": "tcpp"`, 1), "securityGroups[1].proposedEgress[0].IpProtocol", `"tcpp"`, 0},
		{"bad status", strings.Replace(base, `"status": "proposed"`, `"status": "maybe"`, 1), "securityGroups[1].status", `"maybe"`, 0},
		{"bad version", strings.Replace(base, `"version": 1`, `"version": 7`, 1), "version", `"version": 7`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("plan.json", []byte(c.text))
			var ie *vpc.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			want := textLine(t, c.text, c.at, c.n)
			if ie.Loc.Path != c.path || ie.Loc.Line != want {
				t.Fatalf("err = %v: at %s line %d, want %s line %d", err, ie.Loc.Path, ie.Loc.Line, c.path, want)
			}
		})
	}
}

// The written plan has no duplicate or case-variant keys: the strict pass
// accepts everything Write writes, including the optional parts.
func TestCheckKeysAcceptsWrittenPlans(t *testing.T) {
	t.Parallel()
	p := testPlan(testInv())
	p.Guarantees = &Guarantees{ProposedWithinCurrent: Proof{Holds: true, Violations: []string{"x"}}}
	p.Replay = &ReplayReport{BlockedByConfidence: map[string]uint64{"exact": 1, "Exact": 2}, BlockedBy: []Blocked{{GroupIDs: []string{"sg-w"}, Examples: []Example{{InterfaceID: "eni-w"}}}},
		UnattributedInterfaces: []UnattributedInterface{{InterfaceID: "eni-x"}}}
	p.NotProven = &NotProven{Rules: 1}
	p.SecurityGroups[1].ProposedEgress[0].Evidence = &Evidence{Interfaces: []string{"eni-w"}, Ports: []uint16{21}}
	p.SecurityGroups[1].ProposedEgress[0].ReferencedGroupInfo = nil
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("plan.json", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// The fuzz seeds with duplicate and case-variant keys stay refused.
func TestKeySeedsRefused(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"dup-keys-plan.json", "case-keys-plan.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(name, data); err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("%s: err = %v, want it refused naming the file and line", name, err)
		}
	}
}
