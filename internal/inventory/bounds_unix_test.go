//go:build unix

package inventory

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no FIFOs:", err)
	}
}

// A named pipe in a walked folder hung every command forever: reading it
// waits for a writer. It is skipped with a warning, by type, unopened —
// under every name walls reads, and behind a symbolic link.
func TestLoadSkipsFIFOInFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "vpcs.json"), []byte(vpcsJSON), 0o644)
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`resource "aws_vpc" "a" { cidr_block = "10.1.0.0/16" }`), 0o644)
	var pipes []string
	for _, n := range []string{"pipe.json", "t.yaml", "manifest.json", "other.tf"} {
		p := filepath.Join(dir, n)
		mkfifo(t, p)
		pipes = append(pipes, p)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(pipes[0], link); err != nil {
		t.Fatal(err)
	}
	inv, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if inv.VPCs["vpc-0123456789abcdef0"] == nil || len(inv.VPCs) != 2 {
		t.Fatalf("vpcs %v", inv.VPCs)
	}
	for _, p := range pipes {
		if !hasWarning(inv, p, "a named pipe (FIFO), not a regular file") {
			t.Errorf("no warning for %s: %v", p, inv.Warnings)
		}
	}
	if !hasWarning(inv, link, "a symbolic link to a named pipe (FIFO)") {
		t.Errorf("no warning for %s: %v", link, inv.Warnings)
	}
}

// Named on the command line, a named pipe is an error (exit 2).
func TestLoadRefusesNamedFIFO(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"pipe.json", "pipe.tf"} {
		p := filepath.Join(dir, n)
		mkfifo(t, p)
		wantLoadError(t, []string{p}, p, "a named pipe (FIFO), not a regular file")
	}
}
