package cli

import (
	"runtime/debug"
	"testing"
)

// TestGCWhileSmall: the collector is off and the soft limit set while flow
// logs are read, the previous policy comes back after, and a GOGC or
// GOMEMLIMIT from the user is left alone.
func TestGCWhileSmall(t *testing.T) {
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)
	restore := gcWhileSmall()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GC percent while reading = %d, want -1 (off)", p)
	}
	if l := debug.SetMemoryLimit(-1); l != flowMemoryLimit {
		t.Errorf("memory limit while reading = %d, want %d", l, flowMemoryLimit)
	}
	// A second read that overlaps the first and ends first leaves the
	// policy on until the first ends too.
	restore2 := gcWhileSmall()
	restore2()
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GC percent after an overlapping read ended = %d, want -1 (off)", p)
	}
	restore()
	if p := debug.SetGCPercent(77); p != 77 {
		t.Errorf("GC percent after = %d, want 77 restored", p)
	}

	t.Setenv("GOGC", "50")
	restore = gcWhileSmall()
	if p := debug.SetGCPercent(77); p != 77 {
		t.Errorf("with GOGC set, GC percent = %d, want 77 untouched", p)
	}
	restore()
}
