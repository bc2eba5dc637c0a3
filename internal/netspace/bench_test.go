package netspace

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// benchRules returns a realistic 60-rule security group: TCP service ports
// and ranges to a mix of subnet, host and IPv6 CIDRs, some UDP, ICMP path
// MTU discovery, and one allow-all rule to allowAll (e.g. a VPC CIDR for
// "everything inside the VPC"; 0.0.0.0/0 would swallow every IPv4 rule).
func benchRules(seed uint64, allowAll string) []rule {
	rng := rand.New(rand.NewPCG(seed, 5))
	ports := [][2]int32{
		{22, 22}, {80, 80}, {443, 443}, {3306, 3306}, {5432, 5432}, {6379, 6379},
		{8080, 8090}, {9200, 9300}, {27017, 27017}, {1024, 65535}, {30000, 32767},
		{2049, 2049}, {11211, 11211}, {5672, 5672}, {9092, 9094}, {8443, 8443},
	}
	cidr := func() netip.Prefix {
		switch rng.IntN(5) {
		case 0:
			return netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", rng.IntN(4), rng.IntN(256)))
		case 1:
			return netip.MustParsePrefix(fmt.Sprintf("172.16.%d.0/20", rng.IntN(16)*16))
		case 2:
			return netip.MustParsePrefix(fmt.Sprintf("192.168.%d.%d/32", rng.IntN(4), rng.IntN(256)))
		case 3:
			return netip.MustParsePrefix(fmt.Sprintf("2600:1f18:%x::/56", rng.IntN(8)<<8))
		}
		return netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/16", rng.IntN(4)))
	}
	rules := []rule{
		{proto: -1, from: -1, to: -1, prefixes: []netip.Prefix{netip.MustParsePrefix(allowAll)}},
		{proto: 17, from: 53, to: 53, prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/32")}},
		{proto: 17, from: 123, to: 123, prefixes: []netip.Prefix{netip.MustParsePrefix("169.254.169.123/32")}},
		{proto: 1, from: 3, to: 4, prefixes: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}},
		{proto: 58, from: 2, to: 0, prefixes: []netip.Prefix{netip.MustParsePrefix("::/0")}},
	}
	for len(rules) < 60 {
		p := ports[rng.IntN(len(ports))]
		rules = append(rules, rule{proto: 6, from: p[0], to: p[1], prefixes: []netip.Prefix{cidr()}})
	}
	return rules
}

func benchSets(b *testing.B) (current, proposed Set) {
	return buildSet(b, benchRules(1, "10.0.0.0/16")), buildSet(b, benchRules(2, "10.1.0.0/16"))
}

func BenchmarkBuildSG(b *testing.B) {
	rules := benchRules(1, "10.0.0.0/16")
	b.ReportAllocs()
	for b.Loop() {
		var bld Builder
		for _, r := range rules {
			s, err := r.set()
			if err != nil {
				b.Fatal(err)
			}
			bld.Add(s)
		}
		bld.Set()
	}
}

func BenchmarkUnion(b *testing.B) {
	cur, prop := benchSets(b)
	b.ReportAllocs()
	for b.Loop() {
		cur.Union(prop)
	}
}

func BenchmarkIntersect(b *testing.B) {
	cur, prop := benchSets(b)
	b.ReportAllocs()
	for b.Loop() {
		cur.Intersect(prop)
	}
}

func BenchmarkSubtract(b *testing.B) {
	cur, prop := benchSets(b)
	b.ReportAllocs()
	for b.Loop() {
		cur.Subtract(prop) // what the proposal stops allowing
	}
}

func BenchmarkSubset(b *testing.B) {
	cur, prop := benchSets(b)
	both := cur.Union(prop)
	if !prop.Subset(both) {
		b.Fatal("proposal not within the union")
	}
	b.ReportAllocs()
	for b.Loop() {
		prop.Subset(both) // true: the whole structure is walked
	}
}

func BenchmarkEqual(b *testing.B) {
	cur, _ := benchSets(b)
	again := buildSet(b, benchRules(1, "10.0.0.0/16"))
	b.ReportAllocs()
	for b.Loop() {
		cur.Equal(again)
	}
}

func BenchmarkBoxes(b *testing.B) {
	cur, prop := benchSets(b)
	s := cur.Union(prop)
	b.ReportAllocs()
	for b.Loop() {
		s.Boxes()
	}
	b.ReportMetric(float64(s.NumBoxes()), "boxes")
}

func BenchmarkContains(b *testing.B) {
	cur, prop := benchSets(b)
	s := cur.Union(prop)
	p := Packet{Protocol: 6, Port: 5432, Addr: netip.MustParseAddr("10.2.77.9")}
	b.ReportAllocs()
	for b.Loop() {
		s.Contains(p)
	}
}

// TestBenchSetsShape keeps the benchmark inputs honest: two 60-rule groups
// whose union has a realistic number of runs and boxes.
func TestBenchSetsShape(t *testing.T) {
	t.Parallel()
	cur, prop := buildSet(t, benchRules(1, "10.0.0.0/16")), buildSet(t, benchRules(2, "10.1.0.0/16"))
	for _, s := range []Set{cur, prop, cur.Union(prop)} {
		if n := s.NumBoxes(); n < 60 {
			t.Errorf("only %d boxes: %v", n, s)
		}
		checkCanonical(t, "bench", s)
	}
	t.Logf("boxes: current %d, proposed %d, union %d", cur.NumBoxes(), prop.NumBoxes(), cur.Union(prop).NumBoxes())
}
