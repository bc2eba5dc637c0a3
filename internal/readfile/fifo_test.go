//go:build unix

package readfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A named pipe is refused without being opened: opening it would block
// until a writer comes, which is forever.
func TestReadRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
	wantRefused(t, p, "a named pipe (FIFO), not a regular file")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, link, "a named pipe (FIFO), not a regular file")
}
