package flowlog

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortEntries holds the radix sort to slices.SortFunc with
// compareEntries, on entries that vary in some words and not others.
func TestSortEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 9))
	for _, n := range []int{0, 1, 100, 511, 512, 5000, 70000} {
		for variant := 0; variant < 5; variant++ {
			ents := make([]obsEntry, n)
			for i := range ents {
				e := &ents[i]
				e.sk = uint64(r.IntN(40))<<28 | uint64(r.IntN(2))<<25 | uint64(r.IntN(65536))<<1
				e.r2 = 0xffff<<32 | uint64(r.Uint32())
				switch variant {
				case 1: // IPv6 remotes too
					if r.IntN(3) == 0 {
						e.r1, e.r2, e.sk = r.Uint64(), r.Uint64(), e.sk|1
					}
				case 2: // few distinct keys: many equal ones
					e.sk, e.r2 = uint64(r.IntN(3)), uint64(r.IntN(3))
				case 3: // everything random
					e.sk, e.r1, e.r2, e.loc = r.Uint64(), r.Uint64(), r.Uint64(), r.Uint32()
				case 4: // pods: few keys, several packet addresses each
					e.sk, e.r2, e.loc = uint64(r.IntN(3)), uint64(r.IntN(3)), uint32(r.IntN(5))
				}
				e.i = uint32(i)
			}
			want := slices.Clone(ents)
			slices.SortStableFunc(want, compareEntries)
			got := slices.Clone(ents)
			sortEntries(got, make([]obsEntry, n))
			for i := range got {
				if compareEntries(got[i], want[i]) != 0 {
					t.Fatalf("n %d variant %d: entry %d is %+v, want %+v", n, variant, i, got[i], want[i])
				}
			}
		}
	}
}
