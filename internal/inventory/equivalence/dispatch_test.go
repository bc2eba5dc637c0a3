package equivalence_test

import (
	"testing"

	"github.com/walls-dev/walls/internal/inventory"
)

// TestThroughDispatcher loads each form through inventory.Load, which
// detects the content, and compares with the full AWS CLI loader.
func TestThroughDispatcher(t *testing.T) {
	t.Parallel()
	want, err := inventory.Load([]string{dir + "awscli"})
	if err != nil {
		t.Fatal(err)
	}
	wantText := canon(want)
	if small := canon(loadAWSCLI(t, dir+"awscli")); small != wantText {
		t.Errorf("the test's small AWS CLI reader and package inventory disagree:\n%s", diff(small, wantText))
	}
	for _, p := range []string{"terraform", "terraform-show/plan.json", "cloudformation/template.yaml"} {
		inv, err := inventory.Load([]string{dir + p})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if got := canon(inv); got != wantText {
			t.Errorf("%s differs from awscli:\n%s", p, diff(wantText, got))
		}
	}
}
