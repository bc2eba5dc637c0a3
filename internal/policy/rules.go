package policy

import (
	"net/netip"
	"sync"

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
	ps, known := PeerAddrs(inv, p)
	if !known && peers == UpperBound {
		return PeerFamilies(inv, p)
	}
	return PrefixSet(ps...)
}

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
// inventory admit a packet, by membership in each rule's compiled sets
// (RuleSet, exact and upper bound), so the per-packet answer and the
// compiled sets cannot disagree. Each rule is compiled once, on first use;
// the inventory must not change afterwards. Rules is safe for concurrent
// use.
type Rules struct {
	inv  *vpc.Inventory
	mu   sync.Mutex
	sets map[*vpc.Rule]*ruleSets
}

type ruleSets struct {
	ok           bool // the rule is valid
	exact, bound netspace.Set
}

// NewRules prepares per-packet answers for the rules of inv.
func NewRules(inv *vpc.Inventory) *Rules {
	return &Rules{inv: inv, sets: map[*vpc.Rule]*ruleSets{}}
}

// Admits reports whether rule r (one of the inventory's) admits pkt, whose
// address is the rule's peer side: the destination for egress, the source
// for ingress.
func (c *Rules) Admits(r *vpc.Rule, pkt netspace.Packet) Match {
	s := c.compiled(r)
	switch {
	case !s.ok:
		return No
	case s.exact.Contains(pkt):
		return Yes
	case s.bound.Contains(pkt):
		return Maybe
	}
	return No
}

func (c *Rules) compiled(r *vpc.Rule) *ruleSets {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.sets[r]; s != nil {
		return s
	}
	s := &ruleSets{}
	exact, err := RuleSet(c.inv, r, Exact)
	if err == nil {
		s.ok, s.exact = true, exact
		s.bound = exact
		if _, known := PeerAddrs(c.inv, r.Peer); !known {
			s.bound, _ = RuleSet(c.inv, r, UpperBound)
		}
	}
	c.sets[r] = s
	return s
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
