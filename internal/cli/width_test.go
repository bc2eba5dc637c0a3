package cli

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/walls-dev/walls/internal/render"
)

func TestAuditTableGolden(t *testing.T) {
	code, out, errs := runWalls(t, "audit", auditBad)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "audit/sg-001.txt", out)
	code, out, errs = runWalls(t, "audit", "--list-checks")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "audit/list-checks.txt", out)
}

func TestWidth(t *testing.T) {
	w := func(n int) *int { return &n }
	for _, tc := range []struct {
		s    IOStreams
		want int
	}{
		{IOStreams{}, render.DefaultWidth},
		{IOStreams{TermWidth: 132}, 132},
		{IOStreams{TermWidth: 20}, minWidth},
		{IOStreams{TermWidth: 132, Columns: "80"}, 80},
		{IOStreams{Columns: "abc"}, render.DefaultWidth},
		{IOStreams{Columns: "10", TermWidth: 90}, 90},
		{IOStreams{Columns: "80", widthFlag: w(0)}, render.Unlimited},
		{IOStreams{TermWidth: 132, widthFlag: w(60)}, 60},
	} {
		if got := tc.s.width(); got != tc.want {
			t.Errorf("%+v: width %d, want %d", tc.s, got, tc.want)
		}
	}
	for _, bad := range []string{"10", "-1", "x"} {
		if code, _, errs := runWalls(t, "audit", "--list-checks", "--width", bad); code != 2 {
			t.Errorf("--width %s: exit %d: %s", bad, code, errs)
		}
	}
	code, out, _ := runWalls(t, "audit", auditBad, "--width", "0")
	if code != 0 || !strings.Contains(out, "allows all traffic to 0.0.0.0/0 and all traffic to ::/0: whatever runs") {
		t.Errorf("--width 0 wraps:\n%s", out)
	}
	code, out, _ = runWalls(t, "audit", auditBad, "--width", "60")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if utf8.RuneCountInString(line) > 60 || code != 0 {
			t.Fatalf("--width 60: exit %d, line %q", code, line)
		}
	}
}
