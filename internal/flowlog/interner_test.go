package flowlog

import (
	"fmt"
	"testing"
)

// TestInterner checks ids through cache hits, misses and collisions
// (ids sharing their last eight bytes, ids shorter than eight bytes).
func TestInterner(t *testing.T) {
	in := newInterner()
	var names []string
	for i := 0; i < 600; i++ {
		names = append(names, fmt.Sprintf("eni-%017d", i), fmt.Sprintf("x%d-00000000", i), fmt.Sprintf("e%d", i))
	}
	for round := 0; round < 3; round++ {
		for i, n := range names {
			id, isNew := in.id([]byte(n))
			if id != uint32(i) || isNew != (round == 0) {
				t.Fatalf("round %d: %s = %d new %v, want %d", round, n, id, isNew, i)
			}
		}
	}
	if len(in.names) != len(names) {
		t.Fatalf("%d names, want %d", len(in.names), len(names))
	}
}
