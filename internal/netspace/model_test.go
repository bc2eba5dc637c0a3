package netspace

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"go4.org/netipx"
)

// This file is the naive model the property and fuzz tests compare Set
// against: a rule list evaluated packet by packet, written straight from
// the AWS semantics without any of Set's machinery, plus the grid of
// points on which a comparison is exhaustive.

// rule is one SG rule (or, with nacl set, one NACL entry) in the model.
type rule struct {
	proto    int
	from, to int32
	prefixes []netip.Prefix
	nacl     bool
}

func (r rule) String() string {
	kind := "sg"
	if r.nacl {
		kind = "nacl"
	}
	return fmt.Sprintf("%s(%d %d..%d %v)", kind, r.proto, r.from, r.to, r.prefixes)
}

func ipset(prefixes ...netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range prefixes {
		b.AddPrefix(p)
	}
	s, err := b.IPSet()
	if err != nil {
		panic(err)
	}
	return s
}

func (r rule) set() (Set, error) {
	if r.nacl {
		return NACLEntrySet(r.proto, r.from, r.to, ipset(r.prefixes...))
	}
	return RuleSet(r.proto, r.from, r.to, ipset(r.prefixes...))
}

// valid is the model's idea of which rules RuleSet must reject.
func (r rule) valid() bool {
	switch {
	case r.proto < -1 || r.proto > 255:
		return false
	case r.proto == 6 || r.proto == 17:
		return r.from >= 0 && r.to >= 0 && r.from <= 65535 && r.to <= 65535 && r.from <= r.to
	case r.proto == 1 || r.proto == 58:
		if !r.nacl && r.from == -1 && r.to != -1 {
			return false // AWS: every type needs every code
		}
		return r.from >= -1 && r.from <= 255 && r.to >= -1 && r.to <= 255
	}
	return true
}

// matches evaluates the rule on one packet, from the semantics notes.
func (r rule) matches(p Packet) bool {
	if !slices.ContainsFunc(r.prefixes, func(pf netip.Prefix) bool { return pf.Contains(p.Addr) }) {
		return false
	}
	if r.proto == -1 {
		return true
	}
	if int(p.Protocol) != r.proto {
		return false
	}
	switch r.proto {
	case 6, 17:
		return r.from == -1 || (int32(p.Port) >= r.from && int32(p.Port) <= r.to)
	case 1, 58:
		if r.nacl {
			if r.proto == 58 && p.Addr.Is4() {
				return true
			}
		} else if (r.proto == 1) != p.Addr.Is4() {
			return false
		}
		typ, code := int32(p.Port>>8), int32(p.Port&0xff)
		return r.from == -1 || (typ == r.from && (r.to == -1 || code == r.to))
	}
	return true
}

// model is a set as a predicate.
type model func(Packet) bool

func anyRule(rules []rule) model {
	return func(p Packet) bool {
		return slices.ContainsFunc(rules, func(r rule) bool { return r.matches(p) })
	}
}

// buildSet unions the rules' sets, skipping invalid rules, and checks
// that RuleSet rejects exactly the rules the model calls invalid.
func buildSet(t testing.TB, rules []rule) Set {
	t.Helper()
	var s Set
	for _, r := range rules {
		rs, err := r.set()
		if (err == nil) != r.valid() {
			t.Fatalf("%v: err = %v, model says valid = %v", r, err, r.valid())
		}
		if err == nil {
			s = s.Union(rs)
		}
	}
	return s
}

func validRules(rules []rule) []rule {
	return slices.DeleteFunc(slices.Clone(rules), func(r rule) bool { return !r.valid() })
}

// portRun returns the packed port interval a valid rule restricts its
// protocol to, and whether it restricts ports at all.
func (r rule) portRun() (lo, hi int, ok bool) {
	switch r.proto {
	case 6, 17:
		if r.from == -1 {
			return 0, 65535, true
		}
		return int(r.from), int(r.to), true
	case 1, 58:
		switch {
		case r.from == -1:
			return 0, 65535, true
		case r.to == -1:
			return int(r.from) << 8, int(r.from)<<8 | 0xff, true
		}
		v := int(r.from)<<8 | int(r.to)
		return v, v, true
	}
	return 0, 0, false
}

// gridPoints returns packets at every corner of the grid the rules' own
// breakpoints cut the space into (each interval's first value and the one
// after its last), plus the values either side of each boundary. Every
// Set built from the rules by the set operations is constant on each grid
// cell, so comparing on these points is exhaustive, not a sample.
func gridPoints(rules []rule) []Packet {
	protos := map[int]bool{0: true, 255: true}
	ports := map[int]map[int]bool{}
	addrs := map[netip.Addr]bool{
		netip.IPv4Unspecified(): true, allV4.To(): true,
		netip.IPv6Unspecified(): true, allV6.To(): true,
	}
	addPort := func(proto, v int) {
		if v < 0 || v > 65535 {
			return
		}
		if ports[proto] == nil {
			ports[proto] = map[int]bool{0: true, 65535: true}
		}
		ports[proto][v] = true
	}
	for _, r := range rules {
		if r.proto >= 0 {
			for _, v := range []int{r.proto - 1, r.proto, r.proto + 1} {
				if v >= 0 && v <= 255 {
					protos[v] = true
				}
			}
		}
		if lo, hi, ok := r.portRun(); ok {
			for _, v := range []int{lo - 1, lo, hi, hi + 1} {
				addPort(r.proto, v)
			}
		}
		for _, pf := range r.prefixes {
			first, last := pf.Masked().Addr(), netipx.PrefixLastIP(pf)
			for _, a := range []netip.Addr{first.Prev(), first, last, last.Next()} {
				if a.IsValid() {
					addrs[a] = true
				}
			}
		}
	}
	var out []Packet
	for proto := range protos {
		ps := []int{0}
		if m := ports[proto]; m != nil {
			ps = ps[:0]
			for v := range m {
				ps = append(ps, v)
			}
		}
		for _, port := range ps {
			for a := range addrs {
				out = append(out, Packet{Protocol: uint8(proto), Port: uint16(port), Addr: a})
			}
		}
	}
	return out
}

// randomPoints returns n packets near the rules: protocols and ports
// anywhere, addresses inside or next to the prefix pool.
func randomPoints(rng *rand.Rand, n int) []Packet {
	out := make([]Packet, n)
	for i := range out {
		pf := prefixPool[rng.IntN(len(prefixPool))]
		a := pf.Masked().Addr().As16()
		bits := pf.Bits()
		if pf.Addr().Is4() {
			bits += 96
		}
		for b := bits; b < 128; b++ {
			if rng.IntN(2) == 1 {
				a[b/8] |= 0x80 >> (b % 8)
			}
		}
		addr := netip.AddrFrom16(a)
		if pf.Addr().Is4() {
			addr = addr.Unmap()
		}
		proto := []int{1, 6, 17, 58, 50, rng.IntN(256)}[rng.IntN(6)]
		out[i] = Packet{Protocol: uint8(proto), Port: uint16(rng.Uint32()), Addr: addr}
	}
	return out
}

// prefixPool is small and nested so random rules overlap often; it holds
// the family edges, an IPv4-mapped IPv6 prefix (which must stay IPv6) and
// prefixes that touch end to end (adjacency merging).
var prefixPool = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/0"),
	netip.MustParsePrefix("0.0.0.0/32"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("10.1.0.0/16"),
	netip.MustParsePrefix("10.1.2.0/24"),
	netip.MustParsePrefix("10.1.2.3/32"),
	netip.MustParsePrefix("10.255.255.255/32"),
	netip.MustParsePrefix("11.0.0.0/8"),
	netip.MustParsePrefix("192.168.0.0/17"),
	netip.MustParsePrefix("192.168.128.0/17"),
	netip.MustParsePrefix("255.255.255.255/32"),
	netip.MustParsePrefix("::/0"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::ffff:10.0.0.0/104"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2001:db8:1::/48"),
	netip.MustParsePrefix("2001:db8::1/128"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"),
}

// randomRule draws a rule from a small space so that rules collide often.
func randomRule(rng *rand.Rand) rule {
	r := rule{proto: []int{-1, 1, 6, 17, 58, 50}[rng.IntN(6)], nacl: rng.IntN(4) == 0}
	switch r.proto {
	case 6, 17:
		switch rng.IntN(8) {
		case 0:
			r.from, r.to = -1, -1
		case 1:
			r.from = 65535 - rng.Int32N(8)
			r.to = r.from + rng.Int32N(65536-r.from)
		default:
			r.from = rng.Int32N(24)
			r.to = r.from + rng.Int32N(8)
		}
	case 1, 58:
		types := []int32{-1, 0, 3, 4, 8, 255}
		codes := []int32{-1, -1, 0, 1, 4, 255}
		r.from, r.to = types[rng.IntN(len(types))], codes[rng.IntN(len(codes))]
		if r.from == -1 && rng.IntN(2) == 0 {
			r.to = -1
		}
	default:
		r.from, r.to = rng.Int32N(100)-1, rng.Int32N(100)-1 // ignored
	}
	for n := 1 + rng.IntN(2); n > 0; n-- {
		r.prefixes = append(r.prefixes, prefixPool[rng.IntN(len(prefixPool))])
	}
	return r
}

func randomRules(rng *rand.Rand, max int) []rule {
	rules := make([]rule, rng.IntN(max+1))
	for i := range rules {
		rules[i] = randomRule(rng)
	}
	return rules
}

// checkCanonical verifies the representation invariants that make Equal
// structural: sorted disjoint non-empty runs, adjacent runs different,
// address lists canonical, and portless protocols covering every port.
func checkCanonical(t testing.TB, name string, s Set) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s not canonical: %s\n%#v", name, fmt.Sprintf(format, args...), s.protos)
	}
	for i, ps := range s.protos {
		if ps.lo > ps.hi || len(ps.v) == 0 {
			fail("protocol run %d: %d-%d, %d port runs", i, ps.lo, ps.hi, len(ps.v))
		}
		if i > 0 {
			prev := s.protos[i-1]
			if prev.hi >= ps.lo {
				fail("protocol runs %d and %d overlap or are unsorted", i-1, i)
			}
			if int(prev.hi)+1 == int(ps.lo) && portsEqual(prev.v, ps.v) {
				fail("protocol runs %d and %d should have merged", i-1, i)
			}
		}
		portless := ps.lo != ps.hi || !hasPorts(int(ps.lo))
		if portless && (len(ps.v) != 1 || ps.v[0].lo != 0 || ps.v[0].hi != 65535) {
			fail("protocol run %d-%d has no ports but restricts them", ps.lo, ps.hi)
		}
		for j, pt := range ps.v {
			if pt.lo > pt.hi || len(pt.v) == 0 {
				fail("port run %d/%d empty or inverted", i, j)
			}
			if j > 0 {
				prev := ps.v[j-1]
				if prev.hi >= pt.lo {
					fail("port runs %d/%d and %d overlap", i, j-1, j)
				}
				if int(prev.hi)+1 == int(pt.lo) && rangesEqual(prev.v, pt.v) {
					fail("port runs %d/%d and %d should have merged", i, j-1, j)
				}
			}
			var b netipx.IPSetBuilder
			for _, r := range pt.v {
				if !r.IsValid() {
					fail("invalid range %v", r)
				}
				b.AddRange(r)
			}
			ref, _ := b.IPSet()
			if !slices.Equal(ref.Ranges(), pt.v) {
				fail("address list %v is not netipx-canonical %v", pt.v, ref.Ranges())
			}
		}
	}
}

// checkRoundTrip verifies that a set's boxes are disjoint and rebuild it.
func checkRoundTrip(t testing.TB, name string, s Set) {
	t.Helper()
	boxes := s.Boxes()
	if len(boxes) != s.NumBoxes() {
		t.Fatalf("%s: NumBoxes = %d, len(Boxes) = %d", name, s.NumBoxes(), len(boxes))
	}
	var b Builder
	sets := make([]Set, len(boxes))
	for i, bx := range boxes {
		sets[i] = bx.Set()
		b.Add(sets[i])
	}
	if got := b.Set(); !got.Equal(s) {
		t.Fatalf("%s: boxes rebuild to\n  %v\nwant\n  %v", name, got, s)
	}
	if len(boxes) <= 40 {
		for i := range sets {
			for j := i + 1; j < len(sets); j++ {
				if sets[i].Overlaps(sets[j]) {
					t.Fatalf("%s: boxes %v and %v overlap", name, boxes[i], boxes[j])
				}
			}
		}
	}
	if !reflect.DeepEqual(boxes, s.Boxes()) {
		t.Fatalf("%s: Boxes not deterministic", name)
	}
}

// checkOps builds sets from three rule lists and compares every operation
// with the model on the exhaustive grid plus random points, then checks
// algebraic laws, canonical form and the boxes round trip.
func checkOps(t testing.TB, rng *rand.Rand, ra, rb, rc []rule) {
	t.Helper()
	a, b, c := buildSet(t, ra), buildSet(t, rb), buildSet(t, rc)
	ma, mb, mc := anyRule(validRules(ra)), anyRule(validRules(rb)), anyRule(validRules(rc))

	var bld Builder
	bld.Add(a)
	bld.Add(b)
	bld.Remove(c)
	bld.Add(a.Intersect(c))

	// Each case's model is a formula over membership in a, b and c, so
	// the rule lists are evaluated once per point.
	cases := []struct {
		name string
		s    Set
		m    func(a, b, c bool) bool
	}{
		{"a", a, func(a, b, c bool) bool { return a }},
		{"b", b, func(a, b, c bool) bool { return b }},
		{"c", c, func(a, b, c bool) bool { return c }},
		{"a∪b", a.Union(b), func(a, b, c bool) bool { return a || b }},
		{"a∩b", a.Intersect(b), func(a, b, c bool) bool { return a && b }},
		{"a\\b", a.Subtract(b), func(a, b, c bool) bool { return a && !b }},
		{"b\\a", b.Subtract(a), func(a, b, c bool) bool { return b && !a }},
		{"¬a", a.Complement(), func(a, b, c bool) bool { return !a }},
		{"(a∪b)\\c", a.Union(b).Subtract(c), func(a, b, c bool) bool { return (a || b) && !c }},
		{"a∩(b∪¬c)", a.Intersect(b.Union(c.Complement())), func(a, b, c bool) bool { return a && (b || !c) }},
		{"builder", bld.Set(), func(a, b, c bool) bool { return ((a || b) && !c) || (a && c) }},
	}

	all := append(append(slices.Clone(ra), rb...), rc...)
	points := append(gridPoints(all), randomPoints(rng, 200)...)
	aNotB, bNotA, aAndB, anyA := false, false, false, false
	for _, p := range points {
		inA, inB, inC := ma(p), mb(p), mc(p)
		for _, tc := range cases {
			if got, want := tc.s.Contains(p), tc.m(inA, inB, inC); got != want {
				t.Fatalf("%s.Contains(%v) = %v, model %v\na = %v\nb = %v\nc = %v\nrules a=%v b=%v c=%v",
					tc.name, p, got, want, a, b, c, ra, rb, rc)
			}
		}
		aNotB = aNotB || (inA && !inB)
		bNotA = bNotA || (inB && !inA)
		aAndB = aAndB || (inA && inB)
		anyA = anyA || inA
	}
	if got := a.Subset(b); got != !aNotB {
		t.Fatalf("a.Subset(b) = %v, model %v\na = %v\nb = %v", got, !aNotB, a, b)
	}
	if got := b.Subset(a); got != !bNotA {
		t.Fatalf("b.Subset(a) = %v, model %v\na = %v\nb = %v", got, !bNotA, a, b)
	}
	if got := a.Equal(b); got != (!aNotB && !bNotA) {
		t.Fatalf("a.Equal(b) = %v, model %v\na = %v\nb = %v", got, !aNotB && !bNotA, a, b)
	}
	if got := a.Overlaps(b); got != aAndB {
		t.Fatalf("a.Overlaps(b) = %v, model %v\na = %v\nb = %v", got, aAndB, a, b)
	}
	if got := a.IsEmpty(); got != !anyA {
		t.Fatalf("a.IsEmpty() = %v, model %v\na = %v", got, !anyA, a)
	}

	// Laws that hold for any sets; with canonical sets they must hold as
	// representation equality, not just as packet equality.
	laws := []struct {
		name     string
		got, wnt Set
	}{
		{"a∪b = b∪a", a.Union(b), b.Union(a)},
		{"a∩b = b∩a", a.Intersect(b), b.Intersect(a)},
		{"(a\\b)∪(a∩b) = a", a.Subtract(b).Union(a.Intersect(b)), a},
		{"a∩(b∪c) = (a∩b)∪(a∩c)", a.Intersect(b.Union(c)), a.Intersect(b).Union(a.Intersect(c))},
		{"¬(a∪b) = ¬a∩¬b", a.Union(b).Complement(), a.Complement().Intersect(b.Complement())},
		{"¬¬a = a", a.Complement().Complement(), a},
		{"a\\b = a∩¬b", a.Subtract(b), a.Intersect(b.Complement())},
		{"(a∪b)∪c = a∪(b∪c)", a.Union(b).Union(c), a.Union(b.Union(c))},
	}
	for _, l := range laws {
		if !l.got.Equal(l.wnt) || !reflect.DeepEqual(l.got.protos, l.wnt.protos) {
			t.Fatalf("%s fails:\n  %v\nvs\n  %v", l.name, l.got, l.wnt)
		}
	}
	if !a.Intersect(b).Subset(a) || !a.Subset(a.Union(b)) || !a.Subtract(b).Subset(a) {
		t.Fatalf("subset laws fail for a = %v, b = %v", a, b)
	}
	for _, tc := range cases {
		checkCanonical(t, tc.name, tc.s)
		checkRoundTrip(t, tc.name, tc.s)
	}
}
