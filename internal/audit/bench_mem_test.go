package audit

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// bigInventory builds, in memory, an estate of the benchmark's size: groups
// security groups with 2-12 rules each (internet service ports, all-traffic
// egress on a third, references to other groups, VPC CIDRs, some redundant
// pairs), interfaces ENIs carrying 1-3 groups over 20 VPCs × 50 subnets,
// and a custom NACL per VPC on half its subnets.
func bigInventory(groups, interfaces int) *vpc.Inventory {
	rng := rand.New(rand.NewPCG(1, 2))
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	const vpcs, subnets = 20, 50
	ports := []int32{22, 80, 443, 3306, 5432, 6379, 8080, 25, 3389, 9200}
	for v := 0; v < vpcs; v++ {
		vid := fmt.Sprintf("vpc-%d", v)
		inv.VPCs[vid] = &vpc.VPC{ID: vid, CIDRs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(v), 0, 0}), 16)}}
		def := &vpc.NACL{ID: fmt.Sprintf("acl-d%d", v), VpcID: vid, IsDefault: true}
		for _, eg := range []bool{false, true} {
			e := vpc.NACLEntry{RuleNumber: 100, Egress: eg, Allow: true, Protocol: vpc.ProtoAll, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
			if eg {
				def.Outbound = append(def.Outbound, e)
			} else {
				def.Inbound = append(def.Inbound, e)
			}
		}
		custom := &vpc.NACL{ID: fmt.Sprintf("acl-c%d", v), VpcID: vid,
			Inbound: []vpc.NACLEntry{
				{RuleNumber: 100, Allow: true, Protocol: vpc.ProtoTCP, FromPort: 443, ToPort: 443, Prefix: netip.MustParsePrefix("0.0.0.0/0")},
				{RuleNumber: 110, Allow: false, Protocol: vpc.ProtoTCP, FromPort: 22, ToPort: 22, Prefix: netip.MustParsePrefix("0.0.0.0/0")},
				{RuleNumber: 500, Allow: true, Protocol: vpc.ProtoTCP, FromPort: 1024, ToPort: 65535, Prefix: netip.MustParsePrefix("0.0.0.0/0")},
			},
			Outbound: []vpc.NACLEntry{{RuleNumber: 100, Egress: true, Allow: true, Protocol: vpc.ProtoAll, Prefix: netip.MustParsePrefix("0.0.0.0/0")}},
		}
		inv.NACLs[def.ID], inv.NACLs[custom.ID] = def, custom
		for s := 0; s < subnets; s++ {
			sid := fmt.Sprintf("subnet-%d-%d", v, s)
			inv.Subnets[sid] = &vpc.Subnet{ID: sid, VpcID: vid, CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(v), byte(s), 0}), 24)}
			if s%2 == 0 {
				custom.SubnetIDs = append(custom.SubnetIDs, sid)
			}
		}
	}
	for g := 0; g < groups; g++ {
		id := fmt.Sprintf("sg-%05d", g)
		sg := &vpc.SecurityGroup{ID: id, Name: fmt.Sprintf("g%d", g), VpcID: fmt.Sprintf("vpc-%d", g%vpcs), RulesKnown: true}
		n := 2 + rng.IntN(11)
		for i := 0; i < n; i++ {
			egress := rng.IntN(2) == 0
			r := vpc.Rule{GroupID: id, Egress: egress, Protocol: vpc.ProtoTCP, Index: i}
			p := ports[rng.IntN(len(ports))]
			r.FromPort, r.ToPort = p, p
			switch rng.IntN(5) {
			case 0:
				r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
			case 1:
				r.Peer = vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: fmt.Sprintf("sg-%05d", rng.IntN(groups))}}
			case 2:
				r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(vpcs)), 0, 0}), 16)}
			default:
				r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(vpcs)), byte(rng.IntN(subnets)), 0}), 24)}
			}
			if egress && i == 0 && g%3 == 0 {
				r.Protocol, r.FromPort, r.ToPort = vpc.ProtoAll, -1, -1
				r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
			}
			if egress {
				r.Index = len(sg.Egress)
				sg.Egress = append(sg.Egress, r)
			} else {
				r.Index = len(sg.Ingress)
				sg.Ingress = append(sg.Ingress, r)
			}
		}
		inv.Groups[id] = sg
	}
	for i := 0; i < interfaces; i++ {
		v, s := rng.IntN(vpcs), rng.IntN(subnets)
		id := fmt.Sprintf("eni-%06d", i)
		e := &vpc.Interface{ID: id, VpcID: fmt.Sprintf("vpc-%d", v), SubnetID: fmt.Sprintf("subnet-%d-%d", v, s),
			PrivateIPs: []netip.Addr{netip.AddrFrom4([4]byte{10, byte(v), byte(s), byte(4 + i%250)})}}
		for k := 0; k < 1+rng.IntN(3); k++ {
			e.GroupIDs = append(e.GroupIDs, fmt.Sprintf("sg-%05d", rng.IntN(groups)))
		}
		inv.Interfaces[id] = e
	}
	inv.Index()
	return inv
}

// BenchmarkAuditInMemory audits 10,000 groups and 100,000 interfaces built
// in memory (no loader involved), every inventory check.
func BenchmarkAuditInMemory(b *testing.B) {
	inv := bigInventory(10000, 100000)
	b.ResetTimer()
	for b.Loop() {
		rep := Run(inv, Options{})
		b.ReportMetric(float64(len(rep.Findings)), "findings")
	}
}
