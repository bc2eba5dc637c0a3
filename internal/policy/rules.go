package policy

import (
	"net/netip"
	"slices"
	"strconv"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// Peers says how a security group rule's peer becomes addresses when the
// rule is compiled. A peer is resolved against the inventory by one
// function, PeerAddrs; the two modes differ only in what a peer walls
// cannot resolve stands for.
type Peers uint8

const (
	// Exact: a peer stands for the addresses the inventory shows it
	// stands for, and one walls cannot resolve (a prefix list whose entries
	// are not loaded) for none. The compiled set is what the rules surely
	// allow: plan, diff, replay and learn reason with it.
	Exact Peers = iota
	// UpperBound: a peer walls cannot resolve stands for every address it
	// could: every address of the prefix list's family when the list's
	// family is known, else every IPv4 and IPv6 address. The compiled set
	// holds everything the rules could allow: Admission reasons with it.
	UpperBound
	// Listed: a peer stands for the addresses the input writes for it: a
	// CIDR itself, the loaded entries of a prefix list (each one surely in
	// the list, even when others are missing), and a group reference none,
	// since it matches member interfaces, not addresses anyone wrote in a
	// rule (docs/semantics.md#sg-refs). audit asks with it whether a rule
	// opens traffic to the internet: a rule is open by the blocks it names,
	// never by a group's members, whatever addresses they have.
	Listed
	// Symbolic: a peer that resolves to no address (one walls cannot
	// resolve, a group without members, a prefix list without entries)
	// stands for every address it could (PeerFamilies), so the compiled set
	// is the rule's traffic; SymbolicPeer names such a peer, and only sets
	// of rules naming the same one may be compared. Other peers are read
	// as Exact. audit's redundancy checks use it: two references to one
	// group without members are the same peer whatever its members will
	// be, and an empty reading never proves a rule redundant.
	Symbolic
)

// PeerAddrs resolves a rule's peer against inv (docs/semantics.md#sg-refs):
// a CIDR is itself, a prefix list its entries, a group reference the
// private addresses of the interfaces carrying the group. known is false
// when the addresses are not all known: the list or its entries are not
// loaded, no interfaces are loaded, or the group is not in the inventory
// (another account's, or a deleted one), whose members walls cannot list.
func PeerAddrs(inv *vpc.Inventory, p vpc.Peer) (ps []netip.Prefix, known bool) {
	ps, known = inv.PeerPrefixes(p)
	if p.Kind == vpc.PeerGroup && inv.Groups[p.Group.GroupID] == nil {
		known = false
	}
	return ps, known
}

// PeerSet is the address set peer p stands for, resolved as peers says.
func PeerSet(inv *vpc.Inventory, p vpc.Peer, peers Peers) *netipx.IPSet {
	if peers == Listed {
		return PrefixSet(ListedPrefixes(inv, p)...)
	}
	ps, known := PeerAddrs(inv, p)
	switch {
	case !known && peers == UpperBound,
		(!known || len(ps) == 0) && peers == Symbolic && symbolicKind(p.Kind):
		return PeerFamilies(inv, p)
	}
	return PrefixSet(ps...)
}

// ListedPrefixes is what peer p stands for read as Listed: a valid CIDR,
// a prefix list's loaded entries, nothing for a group reference.
func ListedPrefixes(inv *vpc.Inventory, p vpc.Peer) []netip.Prefix {
	switch p.Kind {
	case vpc.PeerCIDR:
		if p.Prefix.IsValid() {
			return []netip.Prefix{p.Prefix}
		}
	case vpc.PeerPrefixList:
		if pl := inv.PrefixLists[p.PrefixListID]; pl != nil {
			return pl.Entries
		}
	}
	return nil
}

// SymbolicPeer names peer p when Symbolic reads it as every address it
// could stand for ("pl:pl-…", "sg:account/sg-…"), or is "" when p resolves
// to addresses (PeerAddrs known and not empty) or is a CIDR.
func SymbolicPeer(inv *vpc.Inventory, p vpc.Peer) string {
	if !symbolicKind(p.Kind) {
		return ""
	}
	if ps, known := PeerAddrs(inv, p); known && len(ps) > 0 {
		return ""
	}
	if p.Kind == vpc.PeerPrefixList {
		return "pl:" + p.PrefixListID
	}
	return "sg:" + p.Group.UserID + "/" + p.Group.GroupID
}

// symbolicKind: the peers Symbolic may read as a name rather than
// addresses, the ones resolved against the inventory.
func symbolicKind(k vpc.PeerKind) bool { return k == vpc.PeerPrefixList || k == vpc.PeerGroup }

// PeerFamilies is every address of the families peer p can match, what
// it may stand for when it cannot be resolved: a prefix list holds
// addresses of its one family when the list says which
// (docs/semantics.md#protocols), any other peer every address.
func PeerFamilies(inv *vpc.Inventory, p vpc.Peer) *netipx.IPSet {
	if p.Kind == vpc.PeerPrefixList {
		if pl := inv.PrefixLists[p.PrefixListID]; pl != nil {
			switch pl.AddressFamily {
			case "IPv4":
				return everyV4
			case "IPv6":
				return everyV6
			}
		}
	}
	return everything
}

// PrefixSet is the set of the addresses of ps.
func PrefixSet(ps ...netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range ps {
		b.AddPrefix(p)
	}
	s, _ := b.IPSet()
	return s
}

// everything is every IPv4 and IPv6 address: what a peer walls cannot
// resolve may stand for; everyV4 and everyV6 are its two families.
var (
	allV4, allV6 = netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")
	everything   = PrefixSet(allV4, allV6)
	everyV4      = PrefixSet(allV4)
	everyV6      = PrefixSet(allV6)
)

// RuleSet compiles a security group rule to the packets it admits: its
// protocol, ports or ICMP type and code (netspace.RuleSet, the one reading
// of those fields) × its peer's addresses resolved against inv as peers
// says. It is the one compilation of a rule: plan's exact sets,
// Admission's upper bounds and check's per-packet answers (Rules) all come
// from it. The error wraps netspace.ErrInvalidRule for a rule AWS would
// refuse.
func RuleSet(inv *vpc.Inventory, r *vpc.Rule, peers Peers) (netspace.Set, error) {
	return netspace.RuleSet(int(r.Protocol), r.FromPort, r.ToPort, PeerSet(inv, r.Peer, peers))
}

// RulesSet is the union of the rules' compiled sets; invalid rules add
// nothing.
func RulesSet(inv *vpc.Inventory, rules []vpc.Rule, peers Peers) netspace.Set {
	var b netspace.Builder
	for i := range rules {
		if s, err := RuleSet(inv, &rules[i], peers); err == nil {
			b.Add(s)
		}
	}
	return b.Set()
}

// Match is a rule's answer for one packet.
type Match uint8

// A rule admits a packet (Yes), does not (No), or may: the packet is in
// the rule's upper bound but not in its exact set, so the answer hangs on
// a peer walls could not resolve (Maybe).
const (
	No Match = iota
	Yes
	Maybe
)

// Rules answers, packet by packet, whether security group rules of one
// inventory admit a packet, as membership in the rule's compiled sets:
// pkt is in RuleSet(inv, r, peers) exactly when it is in the rule compiled
// over every address (its protocol, ports or ICMP type and code, and
// family, by the same netspace.RuleSet) and its address is in PeerSet(inv,
// r.Peer, peers). Rules compiles the first once per protocol and ports
// (kept across inventories) and asks the second of the one address
// (PeerHolds), so an answer costs no member list; the property tests hold
// it to the compiled sets. The inventory must not change afterwards. Rules
// is safe for concurrent use.
type Rules struct {
	inv *vpc.Inventory
}

// trafficKey is what a rule's set over every address depends on.
type trafficKey struct {
	proto    vpc.Protocol
	from, to int32
}

var trafficSets = setCache[trafficKey]{max: 1 << 14}

// NewRules prepares per-packet answers for the rules of inv.
func NewRules(inv *vpc.Inventory) *Rules { return &Rules{inv: inv} }

// Admits reports whether rule r (one of the inventory's) admits pkt, whose
// address is the rule's peer side: the destination for egress, the source
// for ingress. It is Yes when pkt is in RuleSet(inv, r, Exact), Maybe when
// it is only in RuleSet(inv, r, UpperBound), else No.
func (c *Rules) Admits(r *vpc.Rule, pkt netspace.Packet) Match {
	if r.Protocol != vpc.ProtoAll && r.Protocol != vpc.Protocol(pkt.Protocol) {
		return No // the set holds only the rule's protocol: no need to build it
	}
	if t, ok := traffic(r); !ok || !t.Contains(pkt) {
		return No
	}
	return peerMatch(c.inv, r.Peer, pkt.Addr)
}

// AdmitsAt is Admits for a packet whose peer address is known to be on
// interface eni of the inventory, or on none (eni nil). An interface lists
// its groups, so a reference to a group the inventory lacks is answered
// exactly for it: Yes when eni carries the group and the address is one
// of its private addresses (docs/semantics.md#sg-refs), else No. For an
// address on no inventory interface such a group's membership stays
// unknown: Maybe, as Admits says.
func (c *Rules) AdmitsAt(r *vpc.Rule, pkt netspace.Packet, eni *vpc.Interface) Match {
	m := c.Admits(r, pkt)
	if m != Maybe || eni == nil || r.Peer.Kind != vpc.PeerGroup {
		return m
	}
	if slices.Contains(eni.GroupIDs, r.Peer.Group.GroupID) && eni.HasPrivateAddr(pkt.Addr) {
		return Yes
	}
	return No
}

// AdmitsFlow reports whether rule r surely admits the traffic of a flow-log
// record: protocol proto to port, with peer address addr. Flow logs record
// no ICMP type or code (docs/semantics.md#flowlog-icmp), so for icmp and
// icmpv6 a rule admitting any type and code for addr admits the record.
// Like Admits, it is membership in RuleSet(inv, r, Exact).
func (c *Rules) AdmitsFlow(r *vpc.Rule, proto uint8, port uint16, addr netip.Addr) bool {
	return c.FlowMatch(r, proto, port, addr) == Yes
}

// FlowMatch is AdmitsFlow's answer with Admits' three values: Yes when
// the record is in RuleSet(inv, r, Exact) (for ICMP: some type and code of
// it is), Maybe when it is only in RuleSet(inv, r, UpperBound), else No.
func (c *Rules) FlowMatch(r *vpc.Rule, proto uint8, port uint16, addr netip.Addr) Match {
	addr = addr.Unmap()
	if r.Protocol != vpc.ProtoAll && r.Protocol != vpc.Protocol(proto) {
		return No // as in Admits
	}
	t, ok := traffic(r)
	switch {
	case !ok:
		return No
	case !vpc.Protocol(proto).IsICMP():
		if !t.Contains(netspace.Packet{Protocol: proto, Port: port, Addr: addr}) {
			return No
		}
	default:
		if anyType, err := FlowSet(proto, port, ipSetOfAddr(addr)); err != nil || !t.Overlaps(anyType) {
			return No
		}
	}
	return peerMatch(c.inv, r.Peer, addr)
}

// ProtocolText names a rule's or entry's protocol as every human rendering
// names it (netspace.ProtocolText): "all" for -1, "tcp", "esp (50)". JSON
// keeps numbers.
func ProtocolText(p vpc.Protocol) string {
	if p < 0 || p > 255 {
		return netspace.ProtocolText(0, 255)
	}
	return netspace.ProtocolText(uint8(p), uint8(p))
}

// RuleText is a security group rule as messages show it, with the
// protocol named by ProtocolText: "egress esp (50) to 10.0.0.0/8".
// vpc.Rule.String keeps numbers for keys and fingerprints.
func RuleText(r *vpc.Rule) string { return r.Text(ProtocolText) }

// EntryText is a NACL entry as messages show it: "90 deny esp (50)
// 10.0.1.0/24".
func EntryText(e *vpc.NACLEntry) string { return e.Text(ProtocolText) }

// FlowText names what flow-log records of protocol proto to port carried,
// as every human rendering names it: "tcp 443", "esp (50)"
// (netspace.ProtocolText; a port only for tcp and udp).
func FlowText(proto uint8, port uint16) string {
	s := netspace.ProtocolText(proto, proto)
	if vpc.Protocol(proto).HasPorts() {
		s += " " + strconv.Itoa(int(port))
	}
	return s
}

// FlowSet is the packets flow-log records of protocol proto to port, with
// peer addresses addrs, may stand for: that port for tcp and udp, every
// type and code for icmp and icmpv6 (records carry none,
// docs/semantics.md#flowlog-icmp), the protocol for any other.
func FlowSet(proto uint8, port uint16, addrs *netipx.IPSet) (netspace.Set, error) {
	from, to := int32(port), int32(port)
	if !vpc.Protocol(proto).HasPorts() {
		from, to = -1, -1
	}
	return netspace.PortSet(int(proto), from, to, addrs)
}

// traffic is rule r compiled with its peer taken as every address; ok is
// false for a rule AWS would refuse.
func traffic(r *vpc.Rule) (netspace.Set, bool) {
	return trafficSets.get(trafficKey{r.Protocol, r.FromPort, r.ToPort}, func() (netspace.Set, bool) {
		s, err := netspace.RuleSet(int(r.Protocol), r.FromPort, r.ToPort, everything)
		return s, err == nil
	})
}

// peerMatch is whether addr is in PeerSet(inv, p, Exact) (Yes), only in
// PeerSet(inv, p, UpperBound) (Maybe), or in neither.
func peerMatch(inv *vpc.Inventory, p vpc.Peer, addr netip.Addr) Match {
	in, known := PeerHolds(inv, p, addr)
	switch {
	case in:
		return Yes
	case !known && PeerFamilies(inv, p).Contains(addr):
		return Maybe
	}
	return No
}

// PeerHolds is PeerAddrs asked of one address: whether addr is one of the
// addresses peer p resolves to, and whether they are all known (as
// PeerAddrs says). A group's membership is read from the interface holding
// addr (vpc.Index.GroupHasMemberAddr, the per-address form of
// vpc.Inventory.PeerPrefixes), so no member list is built.
func PeerHolds(inv *vpc.Inventory, p vpc.Peer, addr netip.Addr) (in, known bool) {
	switch p.Kind {
	case vpc.PeerCIDR:
		return p.Prefix.Contains(addr), p.Prefix.IsValid()
	case vpc.PeerPrefixList:
		pl := inv.PrefixLists[p.PrefixListID]
		if pl == nil || !pl.EntriesKnown {
			return false, false
		}
		return pl.Contains(addr), true
	case vpc.PeerGroup:
		return inv.Index().GroupHasMemberAddr(p.Group.GroupID, addr),
			inv.Has(vpc.KindNetworkInterfaces) && inv.Groups[p.Group.GroupID] != nil
	}
	return false, false
}

// RulePacket is the packet a connection's first packet is to SG and NACL
// rules: protocol proto, to port (tcp, udp) or of ICMP type and code, with
// peer address addr. Ports are ignored for other protocols.
func RulePacket(proto vpc.Protocol, port, icmpType, icmpCode int32, addr netip.Addr) netspace.Packet {
	p := netspace.Packet{Protocol: uint8(proto), Addr: addr.Unmap()}
	switch {
	case proto.HasPorts():
		p.Port = uint16(port)
	case proto.IsICMP():
		p.Port = netspace.ICMPPort(uint8(icmpType), uint8(icmpCode))
	}
	return p
}
