package audit_test

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/vpc"
)

// manyCIDRs is one security group whose single permission lists n CIDRs
// (n rules): disjoint /32s, plus a /16 that covers some of them and a
// duplicate of one, so a few rules are redundant.
func manyCIDRs(n int) *vpc.Inventory {
	inv := vpc.New()
	g := &vpc.SecurityGroup{ID: "sg-1", RulesKnown: true, Source: vpc.Location{File: "g.json"}}
	add := func(p netip.Prefix) {
		g.Ingress = append(g.Ingress, vpc.Rule{GroupID: g.ID, Index: len(g.Ingress), Protocol: vpc.ProtoTCP, FromPort: 443, ToPort: 443,
			Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}})
	}
	for i := 0; i < n-2; i++ {
		add(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32))
	}
	add(netip.MustParsePrefix("10.0.0.0/16"))
	add(netip.MustParsePrefix("10.0.1.7/32"))
	inv.Groups[g.ID] = g
	inv.Loaded[vpc.KindSecurityGroups] = true
	return inv
}

// WALLS-SG-010 over one rule with 32,000 CIDRs completes (it was quadratic:
// about a minute) and finds the rules the /16 covers.
func TestRedundantRulesManyCIDRs(t *testing.T) {
	t.Parallel()
	rep := audit.Run(manyCIDRs(32000), audit.Options{Checks: []string{audit.RedundantRule}})
	// The /32s in 10.0.0.0/16 (the first 65,536 would be; 31,998 of them
	// exist) and the duplicate 10.0.1.7/32 are redundant, the /16 is not.
	if got := len(rep.Findings); got != 31999 {
		t.Fatalf("%d findings, want 31999", got)
	}
}

func BenchmarkRedundantRulesManyCIDRs(b *testing.B) {
	for _, n := range []int{8000, 32000} {
		inv := manyCIDRs(n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				audit.Run(inv, audit.Options{Checks: []string{audit.RedundantRule}})
			}
		})
	}
}
