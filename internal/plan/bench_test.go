package plan

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// sixtyRules returns 60 egress rules of mixed shapes: tcp and udp port
// ranges to IPv4 and IPv6 CIDRs of every size, ICMP types, whole protocols.
func sixtyRules(seed uint64) []vpc.Rule {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]vpc.Rule, 0, 60)
	for i := 0; i < 60; i++ {
		r := vpc.Rule{GroupID: "sg-bench", Egress: true, Index: i}
		if rng.IntN(5) == 0 {
			a := netip.AddrFrom16([16]byte{0x26, 0x00, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
			r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.PrefixFrom(a, 24+rng.IntN(100)).Masked()}
		} else {
			a := netip.AddrFrom4([4]byte{byte(rng.IntN(224)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
			r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.PrefixFrom(a, 8+rng.IntN(25)).Masked()}
		}
		switch k := rng.IntN(10); {
		case k < 7:
			r.Protocol = vpc.ProtoTCP
			if k == 6 {
				r.Protocol = vpc.ProtoUDP
			}
			lo := int32(rng.IntN(65000))
			r.FromPort, r.ToPort = lo, lo+int32(rng.IntN(500))
		case k < 9:
			r.Protocol = vpc.ProtoICMP
			if r.Peer.Prefix.Addr().Is6() {
				r.Protocol = vpc.ProtoICMPv6
			}
			r.FromPort, r.ToPort = int32(rng.IntN(20)), -1
		default:
			r.Protocol = vpc.Protocol(47 + rng.IntN(5))
			r.FromPort, r.ToPort = -1, -1
		}
		out = append(out, r)
	}
	return out
}

// BenchmarkDiff60 measures the exact diff of two 60-rule groups, both
// directions and the symbolic peer comparison.
func BenchmarkDiff60(b *testing.B) {
	inv := vpc.New()
	cur, prop := sixtyRules(1), sixtyRules(2)
	b.ReportAllocs()
	b.ResetTimer()
	var boxes int
	for i := 0; i < b.N; i++ {
		d := CompareRules(inv, "sg-bench", cur, prop)
		boxes = len(d.Removed) + len(d.Added)
	}
	b.ReportMetric(float64(boxes), "regions")
}
