package learn

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/vpc"
)

// benchScenario builds groups security groups with two member interfaces
// each (allow-all egress, as most are today) and n observations: per
// interface, connections to internet services on a few ports, to peers in
// other groups, and inbound connections that need nothing.
func benchScenario(groups, n int) (*vpc.Inventory, []flowlog.Observation) {
	rng := rand.New(rand.NewPCG(1, 2))
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{mp("10.0.0.0/8")}}
	var enis []string
	var addrs []netip.Addr
	for g := 0; g < groups; g++ {
		id := fmt.Sprintf("sg-%08x", g)
		addGroup(inv, id, allOut()...)
		for m := 0; m < 2; m++ {
			i := g*2 + m
			a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
			eid := fmt.Sprintf("eni-%08x", i)
			addENI(inv, eid, a.String(), id)
			enis = append(enis, eid)
			addrs = append(addrs, a)
		}
	}
	ports := []uint16{80, 443, 443, 443, 21, 123, 8443, 9200}
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	obs := make([]flowlog.Observation, 0, n)
	for len(obs) < n {
		i := rng.IntN(len(enis))
		o := flowlog.Observation{InterfaceID: enis[i], Direction: flowlog.Outbound, Protocol: 6, Accepted: true,
			Flows: 1 + uint64(rng.IntN(50)), FirstSeen: start.Add(time.Duration(rng.IntN(3600)) * time.Second),
			Confidence: flowlog.Exact}
		switch r := rng.IntN(10); {
		case r < 5: // internet
			o.Port = ports[rng.IntN(len(ports))]
			o.Remote = netip.AddrFrom4([4]byte{byte(23 + rng.IntN(150)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(1 + rng.IntN(254))})
		case r < 8: // a peer in a neighbouring group
			o.Port = []uint16{5432, 8080, 6379}[rng.IntN(3)]
			o.Remote = addrs[(i+2+2*rng.IntN(3))%len(addrs)]
		default: // inbound: a reply path, no rule
			o.Direction = flowlog.Inbound
			o.Port = 443
			o.Remote = netip.AddrFrom4([4]byte{byte(23 + rng.IntN(150)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(1 + rng.IntN(254))})
		}
		if o.Protocol == 6 && rng.IntN(20) == 0 {
			o.Protocol, o.Port = 17, 53
		}
		o.LastSeen = o.FirstSeen.Add(time.Minute)
		obs = append(obs, o)
	}
	return inv, obs
}

// BenchmarkLearn measures learn end to end over 1,000,000 observations and
// 10,000 security groups: classification, placement, rule shaping, the
// proposed ⊆ current proof and the replay of the learning window.
//
// The pin variant keeps every internet address (about 50 per group) and
// aggregates them into at most 20 rules per group.
func BenchmarkLearn(b *testing.B) {
	inv, obs := benchScenario(10000, 1000000)
	for _, c := range []struct {
		name string
		opts Options
	}{{"default", Options{}}, {"pin-max20", Options{Pin: true, MaxRules: 20}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				p, err := Learn(inv, obs, c.opts)
				if err != nil {
					b.Fatal(err)
				}
				if !p.Guarantees.ProposedWithinCurrent.Holds || !p.Guarantees.LearningReplay.Holds {
					b.Fatal("guarantees do not hold")
				}
			}
			b.ReportMetric(float64(len(obs))*float64(b.N)/b.Elapsed().Seconds(), "obs/s")
		})
	}
}
