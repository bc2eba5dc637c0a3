package render

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/walls-dev/walls/internal/plan"
)

func TestDiffTableWraps(t *testing.T) {
	long := "all but tcp " + strings.Repeat("8080, ", 30) + "443 to 0.0.0.0/0"
	d := &plan.Diff{SecurityGroups: []plan.GroupDiff{{GroupID: "sg-a", Removed: make([]plan.Region, 1), RemovedSummary: []string{long}}}}
	var b strings.Builder
	if err := DiffTable(&b, d, false, DefaultWidth); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[2], "    - all but tcp 8080,") ||
		!strings.HasPrefix(lines[3], "      8080,") {
		t.Fatalf("diff:\n%s", b.String())
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) > DefaultWidth {
			t.Errorf("line wider than %d: %q", DefaultWidth, l)
		}
	}
	if got := strings.Join(strings.Fields(b.String()), " "); got != "sg-a: no longer allowed: - "+long {
		t.Errorf("text changed: %q", got)
	}
}
