package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// The per-packet answers (Rules.Admits, NACLEvaluate, NACLPorts) and the
// compiled sets (RuleSet, NACLSet) are held here to a literal reading of
// AWS's matching rules, written packet by packet in this file and sharing
// no code with netspace: protocol -1, numbers 0-255, tcp/udp port ranges,
// ICMP type and code with -1 wildcards, the ICMP families, IPv6, NACL first
// match over overlapping entries and the implicit deny.

// refTraffic is whether a rule's protocol and port part admits a packet
// (docs/semantics.md#protocols): -1 everything; tcp and udp a port range;
// icmp and icmpv6 a type (-1 every type) and a code (-1 every code); any
// other protocol whole.
func refTraffic(rp vpc.Protocol, from, to int32, p vpc.Protocol, port, typ, code int32) bool {
	switch {
	case rp == vpc.ProtoAll:
		return true
	case rp != p:
		return false
	case p.HasPorts():
		return from <= port && port <= to
	case p.IsICMP():
		return from == -1 || from == typ && (to == -1 || to == code)
	}
	return true
}

// refFamily: an icmp rule admits IPv4 only, an icmpv6 rule IPv6 only.
func refFamily(rp vpc.Protocol, a netip.Addr) bool {
	switch rp {
	case vpc.ProtoICMP:
		return a.Is4()
	case vpc.ProtoICMPv6:
		return a.Is6()
	}
	return true
}

// refEntry is whether a NACL entry matches a packet
// (docs/semantics.md#nacl-icmp): by block, then as refTraffic, except that
// ICMP applies to whatever family the block has and icmpv6 on an IPv4 block
// matches every type.
func refEntry(e *vpc.NACLEntry, p vpc.Protocol, a netip.Addr, port, typ, code int32) bool {
	if !e.Prefix.Contains(a) {
		return false
	}
	switch {
	case e.Protocol == vpc.ProtoAll:
		return true
	case e.Protocol != p:
		return false
	case p.HasPorts():
		return e.FromPort <= port && port <= e.ToPort
	case p == vpc.ProtoICMPv6 && e.Prefix.Addr().Is4():
		return true
	case p.IsICMP():
		return e.ICMPType == -1 || e.ICMPType == typ && (e.ICMPCode == -1 || e.ICMPCode == code)
	}
	return true
}

// refFirst is the first entry, in order, that matches, or nil.
func refFirst(es []vpc.NACLEntry, p vpc.Protocol, a netip.Addr, port, typ, code int32) *vpc.NACLEntry {
	for i := range es {
		if refEntry(&es[i], p, a, port, typ, code) {
			return &es[i]
		}
	}
	return nil
}

// pgen generates rules, entries and packets that meet at their edges.
type pgen struct{ rng *rand.Rand }

var (
	v4Blocks = []string{"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "10.1.2.7/32", "192.0.2.0/24"}
	v6Blocks = []string{"::/0", "2001:db8::/32", "2001:db8:1::/48", "2001:db8:1:2::/64", "2001:db8:1:2::7/128"}
)

func (g *pgen) block(v6 bool) netip.Prefix {
	if v6 {
		return netip.MustParsePrefix(v6Blocks[g.rng.IntN(len(v6Blocks))])
	}
	return netip.MustParsePrefix(v4Blocks[g.rng.IntN(len(v4Blocks))])
}

func (g *pgen) proto() vpc.Protocol {
	switch g.rng.IntN(8) {
	case 0:
		return vpc.ProtoAll
	case 1, 2:
		return vpc.ProtoTCP
	case 3:
		return vpc.ProtoUDP
	case 4:
		return vpc.ProtoICMP
	case 5:
		return vpc.ProtoICMPv6
	}
	return []vpc.Protocol{0, 2, 47, 50, 132, 253, 255}[g.rng.IntN(7)]
}

// port is a port or ICMP value drawn near the edges that matter.
func (g *pgen) port() int32 {
	return []int32{0, 1, 22, 80, 443, 1023, 1024, 32767, 32768, 60999, 61000, 65535}[g.rng.IntN(12)]
}

func (g *pgen) icmp() int32 { return []int32{-1, -1, 0, 3, 4, 8, 128, 129, 255}[g.rng.IntN(9)] }

// rule draws raw AWS fields and keeps what the model's one validator
// (vpc.RulePorts) accepts, stored as it stores them.
func (g *pgen) rule(peer vpc.Peer) vpc.Rule {
	for {
		p := g.proto()
		var from, to int64
		switch {
		case p.HasPorts():
			from, to = int64(g.port()), int64(g.port())
			if g.rng.IntN(10) == 0 {
				from = -1
			}
		default:
			from, to = int64(g.icmp()), int64(g.icmp())
		}
		f, t, err := vpc.RulePorts(p, vpc.SomeInt(from), vpc.SomeInt(to))
		if err != nil {
			continue
		}
		return vpc.Rule{GroupID: "sg-x", Protocol: p, FromPort: f, ToPort: t, Peer: peer}
	}
}

func (g *pgen) entry(n int) vpc.NACLEntry {
	for {
		p := g.proto()
		pfx := g.block(g.rng.IntN(2) == 0)
		from, to := int64(g.port()), int64(g.port())
		t, c := int64(g.icmp()), int64(g.icmp())
		fp, tp, it, ic, err := vpc.NACLEntryPorts(p, pfx, vpc.SomeInt(from), vpc.SomeInt(to), vpc.SomeInt(t), vpc.SomeInt(c))
		if err != nil {
			continue
		}
		e := vpc.NACLEntry{RuleNumber: n, Allow: g.rng.IntN(2) == 0, Protocol: p, Prefix: pfx, FromPort: fp, ToPort: tp, ICMPType: it, ICMPCode: ic}
		if g.rng.IntN(4) == 0 && p.IsICMP() {
			e.ICMPType, e.ICMPCode = -1, int32(g.rng.IntN(256)) // a type -1 covers every code whatever the code says
		}
		return e
	}
}

// addr is an address at the edge of one of the blocks, or a member.
func (g *pgen) addr(extra ...netip.Addr) netip.Addr {
	if len(extra) > 0 && g.rng.IntN(4) == 0 {
		return extra[g.rng.IntN(len(extra))]
	}
	b := g.block(g.rng.IntN(2) == 0)
	r := b.Masked().Addr()
	switch g.rng.IntN(4) {
	case 1: // the block's last address
		r = netipx.RangeOfPrefix(b).To()
	case 2: // just before the block
		if p := r.Prev(); p.IsValid() {
			r = p
		}
	case 3:
		r = r.Next()
	}
	return r
}

type packet struct {
	proto           vpc.Protocol
	port, typ, code int32
	addr            netip.Addr
}

func (g *pgen) packet(near vpc.Protocol, extra ...netip.Addr) packet {
	p := near
	if p == vpc.ProtoAll || g.rng.IntN(3) == 0 {
		p = g.proto()
		if p == vpc.ProtoAll {
			p = vpc.ProtoTCP
		}
	}
	t, c := g.icmp(), g.icmp()
	return packet{proto: p, port: g.port(), typ: max(t, 0), code: max(c, 0), addr: g.addr(extra...)}
}

func (p packet) String() string {
	return fmt.Sprintf("%s port %d type %d code %d %s", p.proto, p.port, p.typ, p.code, p.addr)
}

func (p packet) set() netspace.Packet { return RulePacket(p.proto, p.port, p.typ, p.code, p.addr) }

// propertyInventory has peers of every kind: CIDRs, a prefix list with
// entries, one with only its family known, one the inventory lacks, a
// group with members and one of another account.
func propertyInventory() (*vpc.Inventory, []vpc.Peer, []netip.Addr) {
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	members := []netip.Addr{ma("10.1.2.9"), ma("2001:db8:1:2::9")}
	inv.Groups["sg-a"] = &vpc.SecurityGroup{ID: "sg-a", RulesKnown: true}
	inv.Interfaces["eni-a"] = &vpc.Interface{ID: "eni-a", PrivateIPs: members[:1], IPv6s: members[1:], GroupIDs: []string{"sg-a"}}
	inv.Interfaces["eni-b"] = &vpc.Interface{ID: "eni-b", PrivateIPs: []netip.Addr{ma("10.1.2.10")}}
	inv.PrefixLists["pl-known"] = &vpc.PrefixList{ID: "pl-known", AddressFamily: "IPv4", EntriesKnown: true,
		Entries: []netip.Prefix{mp("10.1.0.0/16"), mp("192.0.2.0/25")}}
	inv.PrefixLists["pl-v6"] = &vpc.PrefixList{ID: "pl-v6", AddressFamily: "IPv6"}
	inv.PrefixLists["pl-partial"] = &vpc.PrefixList{ID: "pl-partial", AddressFamily: "IPv4", Entries: []netip.Prefix{mp("192.0.2.128/25")}}
	inv.Groups["sg-empty"] = &vpc.SecurityGroup{ID: "sg-empty", RulesKnown: true}
	peers := []vpc.Peer{
		{Kind: vpc.PeerPrefixList, PrefixListID: "pl-known"},
		{Kind: vpc.PeerPrefixList, PrefixListID: "pl-v6"},
		{Kind: vpc.PeerPrefixList, PrefixListID: "pl-missing"},
		{Kind: vpc.PeerPrefixList, PrefixListID: "pl-partial"},
		{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-empty"}},
		{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-a"}},
		{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-other", UserID: "222233334444"}},
	}
	for _, b := range append(slices.Clone(v4Blocks), v6Blocks...) {
		peers = append(peers, vpc.Peer{Kind: vpc.PeerCIDR, Prefix: mp(b)})
	}
	return inv, peers, append(members, ma("10.1.2.10"))
}

// refPeer is whether a peer surely holds a (exact) and may hold it (bound).
func refPeer(p vpc.Peer, a netip.Addr) (exact, bound bool) {
	switch {
	case p.Kind == vpc.PeerCIDR:
		return p.Prefix.Contains(a), p.Prefix.Contains(a)
	case p.PrefixListID == "pl-known":
		in := mp("10.1.0.0/16").Contains(a) || mp("192.0.2.0/25").Contains(a)
		return in, in
	case p.PrefixListID == "pl-v6":
		return false, a.Is6()
	case p.PrefixListID == "pl-missing":
		return false, true
	case p.PrefixListID == "pl-partial": // entries not all loaded
		return false, a.Is4()
	case p.Group.GroupID == "sg-a":
		in := a == ma("10.1.2.9") || a == ma("2001:db8:1:2::9")
		return in, in
	case p.Group.GroupID == "sg-empty": // no interface carries it
		return false, false
	}
	return false, true // another account's group: members unknown
}

// refReadings is whether peer p holds a read as Listed (the blocks the
// input writes) and as Symbolic (every address it could stand for when it
// resolves to none), and the name Symbolic gives it ("" when resolved).
func refReadings(p vpc.Peer, a netip.Addr) (listed, symbolic bool, name string) {
	exact, bound := refPeer(p, a)
	switch {
	case p.Kind == vpc.PeerCIDR, p.PrefixListID == "pl-known", p.Group.GroupID == "sg-a":
		return exact && p.Kind != vpc.PeerGroup, exact, ""
	case p.PrefixListID == "pl-partial":
		return mp("192.0.2.128/25").Contains(a), bound, "pl:pl-partial"
	case p.Kind == vpc.PeerPrefixList:
		return false, bound, "pl:" + p.PrefixListID
	}
	return false, true, "sg:" + p.Group.UserID + "/" + p.Group.GroupID // any address
}

// refMatch is a rule's answer when its traffic part matches (traffic) and
// its peer surely (exact) or possibly (bound) holds the address.
func refMatch(traffic, exact, bound bool) Match {
	switch {
	case traffic && exact:
		return Yes
	case traffic && bound:
		return Maybe
	}
	return No
}

// TestRulePerPacketIsCompiledMembership: for generated rules and packets,
// Rules.Admits, Rules.AdmitsFlow, and membership in RuleSet exact and upper
// bound, are what the literal reading says.
func TestRulePerPacketIsCompiledMembership(t *testing.T) {
	g := &pgen{rng: rand.New(rand.NewPCG(7, 11))}
	inv, peers, members := propertyInventory()
	rs := NewRules(inv)
	seen := map[Match]int{}
	for range 3000 {
		r := g.rule(peers[g.rng.IntN(len(peers))])
		exact, err := RuleSet(inv, &r, Exact)
		if err != nil {
			t.Fatalf("%s: %v", &r, err)
		}
		bound, _ := RuleSet(inv, &r, UpperBound)
		listed, _ := RuleSet(inv, &r, Listed)
		symbolic, _ := RuleSet(inv, &r, Symbolic)
		if _, _, name := refReadings(r.Peer, netip.Addr{}); SymbolicPeer(inv, r.Peer) != name {
			t.Fatalf("SymbolicPeer(%s) = %q, want %q", r.Peer, SymbolicPeer(inv, r.Peer), name)
		}
		for range 12 {
			p := g.packet(r.Protocol, members...)
			traffic := refTraffic(r.Protocol, r.FromPort, r.ToPort, p.proto, p.port, p.typ, p.code) && refFamily(r.Protocol, p.addr)
			pe, pb := refPeer(r.Peer, p.addr)
			want := refMatch(traffic, pe, pb)
			got := rs.Admits(&r, p.set())
			seen[got]++
			// A flow record carries no ICMP type: any the rule admits will do.
			flow := refFamily(r.Protocol, p.addr)
			if p.proto.IsICMP() {
				flow = flow && (r.Protocol == vpc.ProtoAll || r.Protocol == p.proto)
			} else {
				flow = flow && traffic
			}
			wantFlow := refMatch(flow, pe, pb)
			if got := rs.FlowMatch(&r, uint8(p.proto), uint16(p.port), p.addr); got != wantFlow {
				t.Fatalf("%s, flow record %s: FlowMatch %d, want %d", &r, p, got, wantFlow)
			}
			if rs.AdmitsFlow(&r, uint8(p.proto), uint16(p.port), p.addr) != (wantFlow == Yes) {
				t.Fatalf("%s, flow record %s: AdmitsFlow %v, want %v", &r, p, wantFlow != Yes, wantFlow == Yes)
			}
			pl, ps, _ := refReadings(r.Peer, p.addr)
			if listed.Contains(p.set()) != (traffic && pl) || symbolic.Contains(p.set()) != (traffic && ps) {
				t.Fatalf("%s, %s: in Listed %v, in Symbolic %v; want %v, %v", &r, p, listed.Contains(p.set()), symbolic.Contains(p.set()), traffic && pl, traffic && ps)
			}
			if got != want || exact.Contains(p.set()) != (want == Yes) || bound.Contains(p.set()) != (want != No) {
				t.Fatalf("%s, %s: Admits %d, exact %v, bound %v; want %d", &r, p, got, exact.Contains(p.set()), bound.Contains(p.set()), want)
			}
		}
	}
	if seen[Yes] == 0 || seen[No] == 0 || seen[Maybe] == 0 {
		t.Fatalf("answers seen: %v; want every kind", seen)
	}
	// PeerHolds is PeerAddrs asked of one address.
	for _, p := range peers {
		_, known := PeerAddrs(inv, p)
		exact := PeerSet(inv, p, Exact)
		for range 50 {
			a := g.addr(members...)
			if in, k := PeerHolds(inv, p, a); in != exact.Contains(a) || k != known {
				t.Fatalf("PeerHolds(%s, %s) = %v, %v; PeerSet holds it: %v, known %v", p, a, in, k, exact.Contains(a), known)
			}
		}
	}
}

// TestNACLPerPacketIsCompiledMembership: for generated NACLs (overlapping
// entries in both families, allow and deny mixed, with or without the
// default denies) and packets, NACLEvaluate names the entry the literal
// first match finds, its verdict is membership in NACLSet, and NACLPorts
// splits a port range as evaluating each port would.
func TestNACLPerPacketIsCompiledMembership(t *testing.T) {
	g := &pgen{rng: rand.New(rand.NewPCG(3, 5))}
	var implicit, allowed, denied int
	for range 300 {
		n := &vpc.NACL{ID: "acl-x"}
		for i := range 1 + g.rng.IntN(8) {
			n.Outbound = append(n.Outbound, g.entry(10*(i+1)))
		}
		if g.rng.IntN(2) == 0 {
			n.Outbound = append(n.Outbound,
				vpc.NACLEntry{RuleNumber: 32767, Protocol: vpc.ProtoAll, Prefix: mp("0.0.0.0/0")},
				vpc.NACLEntry{RuleNumber: 32768, Protocol: vpc.ProtoAll, Prefix: mp("::/0")})
		}
		set := NACLSet(n, true)
		for range 40 {
			e := &n.Outbound[g.rng.IntN(len(n.Outbound))]
			p := g.packet(e.Protocol)
			want := refFirst(n.Outbound, p.proto, p.addr, p.port, p.typ, p.code)
			got, ok := NACLEvaluate(n, true, p.set())
			if got != want || ok != (want != nil && want.Allow) || set.Contains(p.set()) != ok {
				t.Fatalf("%v, %s: NACLEvaluate %v %v, NACLSet %v; first match %v", n.Outbound, p, got, ok, set.Contains(p.set()), want)
			}
			switch {
			case want == nil:
				implicit++
			case ok:
				allowed++
			default:
				denied++
			}
		}
		for range 4 {
			proto := []vpc.Protocol{vpc.ProtoTCP, vpc.ProtoUDP}[g.rng.IntN(2)]
			lo, hi := g.port(), g.port()
			lo, hi = min(lo, hi), max(lo, hi)
			peer := g.addr()
			ds := NACLPorts(n, true, proto, peer, PortRange{lo, hi})
			next := lo
			for _, d := range ds {
				if d.Ports.From != next || d.Ports.To < d.Ports.From {
					t.Fatalf("%v: NACLPorts %s %d-%d %s: runs %v do not tile the range", n.Outbound, proto, lo, hi, peer, ds)
				}
				next = d.Ports.To + 1
				for _, port := range []int32{d.Ports.From, (d.Ports.From + d.Ports.To) / 2, d.Ports.To} {
					if w := refFirst(n.Outbound, proto, peer, port, 0, 0); w != d.Entry {
						t.Fatalf("%v: NACLPorts says port %d of %s %s is decided by %v, first match is %v", n.Outbound, port, proto, peer, d.Entry, w)
					}
				}
			}
			if next != hi+1 {
				t.Fatalf("%v: NACLPorts %d-%d: runs %v stop at %d", n.Outbound, lo, hi, ds, next-1)
			}
		}
	}
	if implicit == 0 || allowed == 0 || denied == 0 {
		t.Fatalf("%d implicit denies, %d allows, %d denies: want some of each", implicit, allowed, denied)
	}
}

// TestKnownAnswers pins the semantics to cases read off AWS's
// documentation, so that the compiled sets and the literal reading above
// cannot drift together.
func TestKnownAnswers(t *testing.T) {
	inv := vpc.New()
	v4, v6 := ma("10.0.0.5"), ma("2001:db8::5")
	rules := []struct {
		r    vpc.Rule
		p    packet
		want bool
	}{
		{vpc.Rule{Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1}, packet{vpc.ProtoUDP, 53, 0, 0, v4}, true},
		{vpc.Rule{Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1}, packet{253, 0, 0, 0, v6}, true},
		{vpc.Rule{Protocol: vpc.ProtoTCP, FromPort: 20, ToPort: 21}, packet{vpc.ProtoTCP, 20, 0, 0, v4}, true},
		{vpc.Rule{Protocol: vpc.ProtoTCP, FromPort: 20, ToPort: 21}, packet{vpc.ProtoTCP, 22, 0, 0, v4}, false},
		{vpc.Rule{Protocol: vpc.ProtoTCP, FromPort: 20, ToPort: 21}, packet{vpc.ProtoUDP, 21, 0, 0, v4}, false},
		{vpc.Rule{Protocol: vpc.ProtoICMP, FromPort: 8, ToPort: -1}, packet{vpc.ProtoICMP, 0, 8, 5, v4}, true},
		{vpc.Rule{Protocol: vpc.ProtoICMP, FromPort: 8, ToPort: 0}, packet{vpc.ProtoICMP, 0, 8, 1, v4}, false},
		{vpc.Rule{Protocol: vpc.ProtoICMP, FromPort: -1, ToPort: -1}, packet{vpc.ProtoICMP, 0, 3, 4, v4}, true},
		{vpc.Rule{Protocol: vpc.ProtoICMP, FromPort: -1, ToPort: -1}, packet{vpc.ProtoICMP, 0, 3, 4, v6}, false}, // icmp is IPv4 only
		{vpc.Rule{Protocol: vpc.ProtoICMPv6, FromPort: 128, ToPort: -1}, packet{vpc.ProtoICMPv6, 0, 128, 0, v6}, true},
		{vpc.Rule{Protocol: 50, FromPort: -1, ToPort: -1}, packet{50, 0, 0, 0, v4}, true},
		{vpc.Rule{Protocol: 50, FromPort: -1, ToPort: -1}, packet{51, 0, 0, 0, v4}, false},
	}
	rs := NewRules(inv)
	for i := range rules {
		c := &rules[i]
		c.r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: mp("0.0.0.0/0")}
		if c.p.addr.Is6() {
			c.r.Peer.Prefix = mp("::/0")
		}
		if got := rs.Admits(&c.r, c.p.set()) == Yes; got != c.want {
			t.Errorf("rule %s, %s: admits %v, want %v", &c.r, c.p, got, c.want)
		}
	}
	e := func(p vpc.Protocol, cidr string, from, to, typ, code int32) vpc.NACLEntry {
		return vpc.NACLEntry{RuleNumber: 100, Allow: true, Protocol: p, Prefix: mp(cidr), FromPort: from, ToPort: to, ICMPType: typ, ICMPCode: code}
	}
	entries := []struct {
		e    vpc.NACLEntry
		p    packet
		want bool
	}{
		{e(vpc.ProtoAll, "0.0.0.0/0", 0, 0, -1, -1), packet{vpc.ProtoTCP, 1, 0, 0, v4}, true},
		{e(vpc.ProtoAll, "0.0.0.0/0", 0, 0, -1, -1), packet{vpc.ProtoTCP, 1, 0, 0, v6}, false}, // IPv4 entries never match IPv6
		{e(vpc.ProtoTCP, "10.0.0.0/8", 1024, 65535, 0, 0), packet{vpc.ProtoTCP, 1024, 0, 0, v4}, true},
		{e(vpc.ProtoTCP, "10.0.0.0/8", 1024, 65535, 0, 0), packet{vpc.ProtoTCP, 1023, 0, 0, v4}, false},
		{e(vpc.ProtoICMP, "0.0.0.0/0", 0, 0, 3, 4), packet{vpc.ProtoICMP, 0, 3, 4, v4}, true},
		{e(vpc.ProtoICMP, "0.0.0.0/0", 0, 0, 3, 4), packet{vpc.ProtoICMP, 0, 3, 3, v4}, false},
		{e(vpc.ProtoICMPv6, "0.0.0.0/0", 0, 0, 128, 0), packet{vpc.ProtoICMPv6, 0, 1, 1, v4}, true}, // docs/semantics.md#nacl-icmp: 58 with IPv4 = all types
		{e(vpc.ProtoICMPv6, "::/0", 0, 0, 128, 0), packet{vpc.ProtoICMPv6, 0, 129, 0, v6}, false},
		{e(47, "0.0.0.0/0", 0, 0, -1, -1), packet{47, 0, 0, 0, v4}, true},
	}
	for _, c := range entries {
		n := &vpc.NACL{Inbound: []vpc.NACLEntry{c.e}}
		if _, got := NACLEvaluate(n, false, c.p.set()); got != c.want {
			t.Errorf("entry %s, %s: allows %v, want %v", &c.e, c.p, got, c.want)
		}
	}
}
