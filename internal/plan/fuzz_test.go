package plan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any input either fails with an error or yields a plan that
// writes back to a file Parse reads to the same bytes; Apply, Compare and
// Recheck never panic on a parsed plan, and Compare finds something newly
// allowed exactly when Recheck finds that proposed ⊆ current fails.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var buf bytes.Buffer
	if err := testPlan(testInv()).Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"version":1,"securityGroups":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.json", data)
		if err != nil {
			return
		}
		var once bytes.Buffer
		if err := p.Write(&once); err != nil {
			t.Fatal(err)
		}
		q, err := Parse("again.json", once.Bytes())
		if err != nil {
			t.Fatalf("a written plan does not parse: %v\n%s", err, once.String())
		}
		var twice bytes.Buffer
		if err := q.Write(&twice); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("not stable:\n%s\n%s", once.String(), twice.String())
		}
		inv := testInv()
		_, _ = Apply(inv, p)
		d, err := Compare(inv, p)
		pr, lines := Recheck(inv, p)
		if pr.Holds != (len(lines) == 0) {
			t.Fatalf("Recheck: holds %v with lines %q", pr.Holds, lines)
		}
		// diff's exit code and the recomputed guarantee must agree: a plan
		// holds exactly when no group's proposal allows more.
		if err == nil {
			added := false
			for i := range d.SecurityGroups {
				added = added || len(d.SecurityGroups[i].Added)+len(d.SecurityGroups[i].AddedPeers) > 0
			}
			if added == pr.Holds {
				t.Fatalf("diff lists additions: %v, yet proposed ⊆ current holds: %v (%q)", added, pr.Holds, pr.Violations)
			}
		}
	})
}
