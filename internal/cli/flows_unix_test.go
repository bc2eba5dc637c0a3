//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSpecialFlowSources: a named pipe or a device named with --flows is
// refused (exit 2) without being opened; one in a folder is skipped with a
// warning naming it, and the folder's files are read.
func TestSpecialFlowSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile(learnFlows)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.log"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.log")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	_, errOut, code := run(t, "observe", "--flows", dir)
	if code != 0 || !strings.Contains(errOut, "walls: warning: skipped "+fifo+": a named pipe (FIFO), not a regular file") {
		t.Errorf("folder with a pipe: exit %d, stderr %q", code, errOut)
	}
	for _, src := range []string{fifo, "/dev/zero"} {
		if _, err := os.Stat(src); err != nil {
			continue
		}
		_, errOut, code := run(t, "observe", "--flows", src)
		if code != 2 || !strings.Contains(errOut, src+" is a ") || !strings.Contains(errOut, "name - instead") {
			t.Errorf("--flows %s: exit %d, stderr %q", src, code, errOut)
		}
	}
}
