package netspace

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"

	"go4.org/netipx"
)

// TestOverIsBoxProjection checks Over against its definition: the union,
// over every box of s, of the box's protocol × port run over addrs. Random
// sets give runs that merge once their addresses are dropped (adjacent
// ports and protocols with different address ranges).
func TestOverIsBoxProjection(t *testing.T) {
	t.Parallel()
	var ab netipx.IPSetBuilder
	ab.AddPrefix(netip.MustParsePrefix("192.0.2.0/24"))
	ab.AddPrefix(netip.MustParsePrefix("2001:db8::/32"))
	addrs, _ := ab.IPSet()
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		s := buildSet(t, validRules(randomRules(rng, 8)))
		var want Builder
		for _, bx := range s.Boxes() {
			want.Add(box(bx.ProtoLo, bx.ProtoHi, bx.PortLo, bx.PortHi, rangesOf(addrs, nil)))
		}
		got := s.Over(addrs)
		if w := want.Set(); !reflect.DeepEqual(got.protos, w.protos) {
			t.Fatalf("set %v\nOver gave %v\nwant %v", s, got, w)
		}
	}
	if !Full().Over(nil).IsEmpty() || !(Set{}).Over(addrs).IsEmpty() {
		t.Fatal("Over of no addresses or of the empty set must be empty")
	}
	one := box(6, 6, 0, 79, allAddrs()).Union(box(6, 6, 80, 80, allAddrs()[:1])).Union(box(7, 7, 0, 65535, allAddrs()[:1]))
	if got, want := one.Over(addrs), box(6, 6, 0, 80, rangesOf(addrs, nil)).Union(box(7, 7, 0, 65535, rangesOf(addrs, nil))); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
