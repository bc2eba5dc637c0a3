package netspace

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"

	"go4.org/netipx"
)

// TestOverIsBoxProjection checks projectOver against its definition: the union,
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
		got := projectOver(s, addrs)
		if w := want.Set(); !reflect.DeepEqual(got.protos, w.protos) {
			t.Fatalf("set %v\nprojectOver gave %v\nwant %v", s, got, w)
		}
	}
	if !projectOver(Full(), nil).IsEmpty() || !projectOver(Set{}, addrs).IsEmpty() {
		t.Fatal("the projection of no addresses or of the empty set must be empty")
	}
	one := box(6, 6, 0, 79, allAddrs()).Union(box(6, 6, 80, 80, allAddrs()[:1])).Union(box(7, 7, 0, 65535, allAddrs()[:1]))
	if got, want := projectOver(one, addrs), box(6, 6, 0, 80, rangesOf(addrs, nil)).Union(box(7, 7, 0, 65535, rangesOf(addrs, nil))); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestPortRunsIsProjection checks PortRuns against projectOver: the runs of a
// protocol are the port runs of the set projected onto one address.
func TestPortRunsIsProjection(t *testing.T) {
	t.Parallel()
	var ab netipx.IPSetBuilder
	ab.Add(netip.MustParseAddr("192.0.2.1"))
	one, _ := ab.IPSet()
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 8))
		s := buildSet(t, validRules(randomRules(rng, 8)))
		proj := projectOver(s, one)
		for _, p := range []uint8{0, 1, 6, 17, 58, 200} {
			var want [][2]uint16
			for _, pt := range find(proj.protos, p) {
				want = append(want, [2]uint16{pt.lo, pt.hi})
			}
			if got := s.PortRuns(p); !reflect.DeepEqual(got, want) {
				t.Fatalf("set %v protocol %d: PortRuns %v, want %v", s, p, got, want)
			}
		}
	}
	s := box(6, 6, 0, 79, allAddrs()).Union(box(6, 6, 80, 80, allAddrs()[:1])).Union(box(6, 6, 443, 443, allAddrs()))
	if got, want := s.PortRuns(6), [][2]uint16{{0, 80}, {443, 443}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestCoveringIsComplementOfProjection checks Covering against its
// definition: every run over `over` less the projection of what s misses of
// addrs.
func TestCoveringIsComplementOfProjection(t *testing.T) {
	t.Parallel()
	var ab, ob netipx.IPSetBuilder
	ab.AddPrefix(netip.MustParsePrefix("10.0.0.0/9"))
	ab.AddPrefix(netip.MustParsePrefix("2001:db8::/33"))
	addrs, _ := ab.IPSet()
	ob.Add(netip.MustParseAddr("0.0.0.0"))
	over, _ := ob.IPSet()
	all, _ := PortSet(-1, -1, -1, addrs)
	every, _ := PortSet(-1, -1, -1, over)
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 9))
		s := buildSet(t, validRules(randomRules(rng, 8)))
		want := every.Subtract(projectOver(all.Subtract(s), over))
		if got := s.Covering(addrs, over); !reflect.DeepEqual(got.protos, want.protos) {
			t.Fatalf("set %v\nCovering gave %v\nwant %v", s, got, want)
		}
	}
	if got := Full().Covering(addrs, over); !got.Equal(every) {
		t.Fatalf("Full covers everything, got %v", got)
	}
	if got := (Set{}).Covering(addrs, over); !got.IsEmpty() {
		t.Fatalf("the empty set covers nothing, got %v", got)
	}
}

// projectOver is the protocol × port projection of s over addrs, the
// oracle of PortRuns and Covering: every packet (protocol, port, a) with a
// in addrs such that s holds some packet on that protocol and port. An
// empty addrs gives the empty set. (Itself checked against s's boxes.)
func projectOver(s Set, addrs *netipx.IPSet) Set {
	rr := rangesOf(addrs, nil)
	if len(rr) == 0 || s.IsEmpty() {
		return Set{}
	}
	var protos []protoSeg
	for _, ps := range s.protos {
		var ports []portSeg
		for _, pt := range ps.v {
			if n := len(ports); n > 0 && int(ports[n-1].hi)+1 == int(pt.lo) {
				ports[n-1].hi = pt.hi
				continue
			}
			ports = append(ports, portSeg{lo: pt.lo, hi: pt.hi, v: rr})
		}
		if n := len(protos); n > 0 && int(protos[n-1].hi)+1 == int(ps.lo) && portsEqual(protos[n-1].v, ports) {
			protos[n-1].hi = ps.hi
			continue
		}
		protos = append(protos, protoSeg{lo: ps.lo, hi: ps.hi, v: ports})
	}
	return Set{protos: protos}
}
