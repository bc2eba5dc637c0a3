package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRssAnon(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "status")
	os.WriteFile(status, []byte("Name:\twalls\nVmRSS:\t  900 kB\nRssAnon:\t    1234 kB\nRssFile:\t 77 kB\n"), 0o644)
	if got := rssAnon(status); got != 1234 {
		t.Errorf("rssAnon = %d, want 1234", got)
	}
	if got := rssAnon(filepath.Join(dir, "missing")); got != 0 {
		t.Errorf("rssAnon of a missing file = %d, want 0", got)
	}
	if _, err := os.Stat("/proc/self/status"); err == nil {
		if got := rssAnon("/proc/self/status"); got <= 0 {
			t.Errorf("rssAnon(/proc/self/status) = %d, want > 0", got)
		}
	}
}
