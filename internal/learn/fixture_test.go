package learn

import (
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// The helpers below build inventories and observations by hand, so each
// scenario's right answer can be written out next to it.

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func newInv() *vpc.Inventory {
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
		IPv6CIDRs: []netip.Prefix{netip.MustParsePrefix("2600:1f18:aaaa::/56")}}
	return inv
}

func cidrPeer(s string) vpc.Peer {
	return vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(s)}
}

func groupPeer(id string) vpc.Peer {
	return vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: id}}
}

func rule(proto vpc.Protocol, from, to int32, peer vpc.Peer) vpc.Rule {
	return vpc.Rule{Egress: true, Protocol: proto, FromPort: from, ToPort: to, Peer: peer}
}

// allOut is the default egress of a new group: everything to 0.0.0.0/0 and ::/0.
func allOut() []vpc.Rule {
	return []vpc.Rule{rule(vpc.ProtoAll, -1, -1, cidrPeer("0.0.0.0/0")), rule(vpc.ProtoAll, -1, -1, cidrPeer("::/0"))}
}

func addGroup(inv *vpc.Inventory, id string, egress ...vpc.Rule) {
	for i := range egress {
		egress[i].GroupID = id
		egress[i].Index = i
		egress[i].Egress = true
	}
	inv.Groups[id] = &vpc.SecurityGroup{ID: id, Name: id, VpcID: "vpc-1", Egress: egress, RulesKnown: true}
}

func addENI(inv *vpc.Inventory, id, ip string, groups ...string) {
	eni := &vpc.Interface{ID: id, VpcID: "vpc-1", SubnetID: "subnet-1", GroupIDs: groups}
	a := netip.MustParseAddr(ip)
	if a.Is4() {
		eni.PrivateIPs = []netip.Addr{a}
	} else {
		eni.IPv6s = []netip.Addr{a}
	}
	inv.Interfaces[id] = eni
}

// out is an accepted connection eni initiated; in one another side initiated.
func out(eni string, proto uint8, port uint16, remote string, flows uint64) flowlog.Observation {
	return flowlog.Observation{InterfaceID: eni, Direction: flowlog.Outbound, Protocol: proto, Port: port,
		Remote: netip.MustParseAddr(remote), Accepted: true, Flows: flows, Packets: flows * 10, Bytes: flows * 1000,
		FirstSeen: t0, LastSeen: t0.Add(time.Hour), Confidence: flowlog.Exact}
}

func in(eni string, proto uint8, port uint16, remote string, flows uint64) flowlog.Observation {
	o := out(eni, proto, port, remote, flows)
	o.Direction = flowlog.Inbound
	return o
}

const (
	tcp = 6
	udp = 17
)

// proposed renders a group's proposal as sorted one-line rules.
func proposed(t *testing.T, p *plan.Plan, id string) []string {
	t.Helper()
	g := p.Group(id)
	if g == nil {
		t.Fatalf("%s not in plan", id)
	}
	rules, err := plan.Rules(id, g.ProposedEgress)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for i := range rules {
		out = append(out, rules[i].String())
	}
	sort.Strings(out)
	return out
}

func mustLearn(t *testing.T, inv *vpc.Inventory, obs []flowlog.Observation, opts Options) *plan.Plan {
	t.Helper()
	p, err := Learn(inv, obs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if g := p.Guarantees; g == nil || !g.ProposedWithinCurrent.Holds || !g.LearningReplay.Holds {
		t.Fatalf("guarantees do not hold: %+v", p.Guarantees)
	}
	return p
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type netipPrefix = netip.Prefix

func mp(s string) netip.Prefix { return netip.MustParsePrefix(s) }

const hour = time.Hour
