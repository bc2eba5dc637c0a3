package netspace

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"go4.org/netipx"
)

// TestSetOpsAgainstModel compares every operation with the rule-by-rule
// model on random rule lists, exhaustively on the grid of their
// breakpoints.
func TestSetOpsAgainstModel(t *testing.T) {
	t.Parallel()
	iters := 400
	if testing.Short() {
		iters = 50
	}
	for i := range iters {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		checkOps(t, rng, randomRules(rng, 6), randomRules(rng, 6), randomRules(rng, 3))
	}
}

// TestCanonicalAcrossDecompositions builds the same packets in different
// orders and from different pieces and expects identical representations,
// so that Equal, Boxes and golden files never depend on history.
func TestCanonicalAcrossDecompositions(t *testing.T) {
	t.Parallel()
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 2))
		rules := validRules(randomRules(rng, 8))
		want := buildSet(t, rules)

		shuffled := slices.Clone(rules)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		var pieces []rule
		for _, r := range shuffled {
			pieces = append(pieces, split(rng, r)...)
		}
		var b Builder
		for _, r := range pieces {
			s, err := r.set()
			if err != nil {
				t.Fatalf("%v: %v", r, err)
			}
			b.Add(s)
		}
		got := b.Set()
		if !got.Equal(want) || !reflect.DeepEqual(got.protos, want.protos) {
			t.Fatalf("rules %v\nsplit into %v\ngave %v\nwant %v", rules, pieces, got, want)
		}
		if !reflect.DeepEqual(got.Boxes(), want.Boxes()) {
			t.Fatalf("Boxes differ for equal sets:\n%v\n%v", got.Boxes(), want.Boxes())
		}
		if got.String() != want.String() {
			t.Fatalf("String differs for equal sets:\n%v\n%v", got, want)
		}
	}
}

// split breaks a rule into rules matching the same packets: port ranges
// cut in two, prefixes cut into halves, prefixes repeated.
func split(rng *rand.Rand, r rule) []rule {
	var out []rule
	prefixes := slices.Clone(r.prefixes)
	if len(prefixes) > 0 && rng.IntN(2) == 0 {
		p := prefixes[0]
		if max := p.Addr().BitLen(); p.Bits() < max {
			lo := netip.PrefixFrom(p.Masked().Addr(), p.Bits()+1)
			hi := netip.PrefixFrom(netipx.PrefixLastIP(p), p.Bits()+1).Masked()
			prefixes = append(prefixes[1:], lo, hi, p)
		}
	}
	if (r.proto == 6 || r.proto == 17) && r.from >= 0 && r.from < r.to {
		mid := r.from + rng.Int32N(r.to-r.from)
		a, b := r, r
		a.to, b.from = mid, mid+1
		a.prefixes, b.prefixes = prefixes, prefixes
		return append(out, b, a)
	}
	r.prefixes = prefixes
	return append(out, r)
}

// TestRangeOpsAgainstNetipx checks the address-list operations against
// netipx.IPSetBuilder, the reference implementation of the same algebra.
func TestRangeOpsAgainstNetipx(t *testing.T) {
	t.Parallel()
	randSet := func(rng *rand.Rand) (*netipx.IPSet, []netipx.IPRange) {
		var b netipx.IPSetBuilder
		for n := rng.IntN(5); n > 0; n-- {
			p := prefixPool[rng.IntN(len(prefixPool))]
			if rng.IntN(3) == 0 {
				b.RemovePrefix(p)
			} else {
				b.AddPrefix(p)
			}
		}
		s, _ := b.IPSet()
		return s, rangesOf(s, nil)
	}
	for i := range 2000 {
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		sa, a := randSet(rng)
		sb, b := randSet(rng)
		var u, in, sub netipx.IPSetBuilder
		u.AddSet(sa)
		u.AddSet(sb)
		in.AddSet(sa)
		in.Intersect(sb)
		sub.AddSet(sa)
		sub.RemoveSet(sb)
		for _, tc := range []struct {
			name string
			got  []netipx.IPRange
			want *netipx.IPSetBuilder
		}{
			{"union", unionRanges(a, b), &u},
			{"intersect", intersectRanges(a, b), &in},
			{"subtract", subtractRanges(a, b), &sub},
		} {
			ws, _ := tc.want.IPSet()
			if want := rangesOf(ws, nil); !slices.Equal(tc.got, want) {
				t.Fatalf("%s(%v, %v) = %v, want %v", tc.name, a, b, tc.got, want)
			}
		}
		var sbSub netipx.IPSetBuilder
		sbSub.AddSet(sa)
		sbSub.RemoveSet(sb)
		rest, _ := sbSub.IPSet()
		if got, want := subsetRanges(a, b), len(rest.Ranges()) == 0; got != want {
			t.Fatalf("subset(%v, %v) = %v, want %v", a, b, got, want)
		}
		if got, want := overlapRanges(a, b), sa.Overlaps(sb); got != want {
			t.Fatalf("overlap(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
}
