package truth

import (
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
)

// This file is the checker's own model of a VPC and its own evaluation of
// security group rules. It deliberately does not use walls' packages.

const (
	pAll  = -1
	pICMP = 1
	pTCP  = 6
	pUDP  = 17
)

// rule is one security group rule. For tcp and udp from/to are a port
// range; for icmp from is the type and to the code (-1: any); for -1 they
// are unused. The peer is a CIDR or, when ref is set, a group.
type rule struct {
	proto    int
	from, to int
	cidr     netip.Prefix
	ref      string
}

func (r rule) String() string {
	peer := r.ref
	if peer == "" {
		peer = r.cidr.String()
	}
	switch r.proto {
	case pAll:
		return "all " + peer
	case pICMP:
		return fmt.Sprintf("icmp %d/%d %s", r.from, r.to, peer)
	}
	return fmt.Sprintf("%s %d-%d %s", protoName(r.proto), r.from, r.to, peer)
}

func protoName(p int) string {
	switch p {
	case pTCP:
		return "tcp"
	case pUDP:
		return "udp"
	case pICMP:
		return "icmp"
	case pAll:
		return "-1"
	}
	return fmt.Sprint(p)
}

type group struct {
	id, name        string
	ingress, egress []rule
}

type osKind int

const (
	linux osKind = iota
	windows
	natlb // load balancers and NAT: any port from 1024 up
)

func (o osKind) String() string { return [...]string{"linux", "windows", "natlb"}[o] }

// ephemeral draws a client source port from the OS's ephemeral range.
func (o osKind) ephemeral(r *rand.Rand) int {
	switch o {
	case linux:
		return 32768 + r.Intn(60999-32768+1)
	case windows:
		return 49152 + r.Intn(65535-49152+1)
	}
	return 1024 + r.Intn(65535-1024+1)
}

type eni struct {
	id, instance string
	subnet       int
	ips          []netip.Addr // primary first
	groups       []string
	os           osKind
	logs         bool // has a flow log
	// gone: deleted before the inventory was taken (a churned interface);
	// it still logged while it lived, with the groups it had.
	gone bool
}

func (e *eni) has(a netip.Addr) bool {
	for _, x := range e.ips {
		if x == a {
			return true
		}
	}
	return false
}

func (e *eni) inGroup(g string) bool {
	for _, x := range e.groups {
		if x == g {
			return true
		}
	}
	return false
}

type subnet struct {
	id   string
	cidr netip.Prefix
	az   string
}

type world struct {
	name    string
	account string
	vpcID   string
	cidr    netip.Prefix
	subnets []subnet
	groups  []*group
	enis    []*eni // inventory interfaces and gone ones
}

func (w *world) group(id string) *group {
	for _, g := range w.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

// live returns the interface of the inventory holding address a.
func (w *world) live(a netip.Addr) *eni {
	for _, e := range w.enis {
		if !e.gone && e.has(a) {
			return e
		}
	}
	return nil
}

// unfiltered: addresses no security group filters.
func (w *world) unfiltered(a netip.Addr) bool {
	return a == netip.MustParseAddr("169.254.169.254") || a == w.cidr.Addr().Next().Next()
}

// pkt is what a rule is matched against: protocol, destination port (or
// ICMP type and code) and the peer address.
type pkt struct {
	proto        int
	port         int
	icmpT, icmpC int
	addr         netip.Addr
}

func echo(a netip.Addr) pkt { return pkt{proto: pICMP, icmpT: 8, icmpC: 0, addr: a} }

func (w *world) peerMatches(r rule, a netip.Addr) bool {
	if r.ref == "" {
		return r.cidr.IsValid() && r.cidr.Contains(a)
	}
	// A group reference matches the private addresses, primary and
	// secondary, of the interfaces carrying the group.
	for _, e := range w.enis {
		if !e.gone && e.inGroup(r.ref) && e.has(a) {
			return true
		}
	}
	return false
}

func protoPortMatches(r rule, p pkt) bool {
	if r.proto == pAll {
		return true
	}
	if r.proto != p.proto {
		return false
	}
	switch p.proto {
	case pTCP, pUDP:
		return r.from <= p.port && p.port <= r.to
	case pICMP:
		if r.from == -1 {
			return true
		}
		return r.from == p.icmpT && (r.to == -1 || r.to == p.icmpC)
	}
	return true
}

func (w *world) ruleAllows(r rule, p pkt) bool {
	return protoPortMatches(r, p) && w.peerMatches(r, p.addr)
}

func (w *world) rulesAllow(rs []rule, p pkt) bool {
	for _, r := range rs {
		if w.ruleAllows(r, p) {
			return true
		}
	}
	return false
}

// sgAllows pools the rules of all groups: any of them allows.
func (w *world) sgAllows(groups []string, egress bool, p pkt) bool {
	for _, id := range groups {
		g := w.group(id)
		if g == nil {
			continue
		}
		rs := g.ingress
		if egress {
			rs = g.egress
		}
		if w.rulesAllow(rs, p) {
			return true
		}
	}
	return false
}

// conn is one real connection: init started it from src:sport to dst:dport.
// init and resp are nil for addresses outside the VPC's interfaces.
type conn struct {
	class        string
	proto        int
	init, resp   *eni
	src, dst     netip.Addr
	sport, dport int
	start        int64 // unix seconds of the first window
	windows      int   // 60-second aggregation windows it spans
	dropSYN      bool  // the handshake's window fell before the logs
	accepted     bool
}

func (c *conn) String() string {
	return fmt.Sprintf("%s %s %s:%d -> %s:%d (%s)", c.class, protoName(c.proto), c.src, c.sport, c.dst, c.dport, c.who())
}

func (c *conn) who() string {
	n := func(e *eni) string {
		if e == nil {
			return "outside"
		}
		return e.id
	}
	return n(c.init) + " to " + n(c.resp)
}

// request is the packet the initiator sends, as a rule sees it.
func (c *conn) request(addr netip.Addr) pkt {
	if c.proto == pICMP {
		return echo(addr)
	}
	return pkt{proto: c.proto, port: c.dport, addr: addr}
}

// allowed evaluates the connection against the current rules: the
// initiator's egress and the responder's ingress, for members.
func (w *world) allowed(c *conn) bool {
	if w.unfiltered(c.dst) {
		return true
	}
	if c.init != nil && !w.sgAllows(c.init.groups, true, c.request(c.dst)) {
		return false
	}
	if c.resp != nil && !w.sgAllows(c.resp.groups, false, c.request(c.src)) {
		return false
	}
	return true
}

// reversePossible reports whether the current rules would also have let
// the responder start this same flow (from dst:dport to src:sport). When
// they would not, the rules decide who initiated.
func (w *world) reversePossible(c *conn) bool {
	rev := &conn{proto: c.proto, init: c.resp, resp: c.init, src: c.dst, dst: c.src, sport: c.dport, dport: c.sport}
	return w.allowed(rev)
}

// reversed is the packet a rule of the responder's groups would have to
// allow if the responder had started the flow.
func (c *conn) reversed() pkt {
	if c.proto == pICMP {
		return echo(c.src)
	}
	return pkt{proto: c.proto, port: c.sport, addr: c.src}
}

func classKey(parts ...string) string { return strings.Join(parts, "/") }
