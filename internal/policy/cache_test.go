package policy

import (
	"testing"

	"github.com/walls-dev/walls/internal/netspace"
)

// TestSetCacheBounded: a full cache still answers, compiling each time,
// and never grows past its bound.
func TestSetCacheBounded(t *testing.T) {
	c := setCache[int]{max: 2}
	compiles := 0
	get := func(k int) netspace.Set {
		s, ok := c.get(k, func() (netspace.Set, bool) {
			compiles++
			s, err := netspace.PortSet(6, int32(k), int32(k), everything)
			return s, err == nil
		})
		if !ok {
			t.Fatalf("key %d: not ok", k)
		}
		return s
	}
	for _, k := range []int{1, 2, 3, 1, 2, 3} {
		want, _ := netspace.PortSet(6, int32(k), int32(k), everything)
		if !get(k).Equal(want) {
			t.Fatalf("key %d: wrong set", k)
		}
	}
	if len(c.m) != 2 || compiles != 4 {
		t.Fatalf("%d kept, %d compiles; want 2 kept (the bound) and 4 compiles (key 3 twice)", len(c.m), compiles)
	}
}
