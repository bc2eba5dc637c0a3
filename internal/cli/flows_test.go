package cli

import (
	"strings"
	"testing"
)

// TestWorkersFlagBound: --workers outside 1..256 is bad usage (exit 2)
// before any flow is read; 20000 workers used to take 5 GB.
func TestWorkersFlagBound(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"20000", "257", "-1"} {
		_, errOut, code := run(t, "observe", "--flows", learnFlows, "--workers", n)
		if code != 2 || !strings.Contains(errOut, "--workers "+n+": expected 1 to 256") {
			t.Errorf("--workers %s: exit %d, stderr %q", n, code, errOut)
		}
	}
	if _, errOut, code := run(t, "observe", "--flows", learnFlows, "--workers", "256"); code != 0 {
		t.Errorf("--workers 256: exit %d, stderr %q", code, errOut)
	}
}
