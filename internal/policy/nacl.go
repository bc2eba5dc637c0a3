package policy

import (
	"net/netip"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// What a network ACL direction does, in the three forms the commands need.
// All three are one walk (decide) over the entries' compiled sets
// (NACLEntrySet): the entries are taken in rule-number order, the first
// that matches the packet decides, and a packet no entry matches is denied
// (the "*" rule; docs/semantics.md#nacl-order). So they cannot disagree:
//
//   - one packet: NACLEvaluate, for check's hops and audit's examples,
//     with the entry that decided (check prints it);
//   - one peer and protocol over a run of ports: NACLPorts, for the return
//     path, where the client's port is any of a range;
//   - every packet at once: NACLSet, a netspace.Set, for reasoning about
//     whole address ranges (audit).

// NACLEntrySet returns the packets entry e matches (allow or deny alike),
// with netspace's NACL semantics; ok is false for an entry that matches
// nothing or cannot be made a set (an invalid prefix or range).
func NACLEntrySet(e *vpc.NACLEntry) (netspace.Set, bool) {
	k := entryKey{e.Protocol, e.Prefix, e.FromPort, e.ToPort, e.ICMPType, e.ICMPCode}
	return entrySets.get(k, func() (netspace.Set, bool) { return compileEntry(e) })
}

// entryKey is what an entry's set depends on (not its number or action).
type entryKey struct {
	proto               vpc.Protocol
	prefix              netip.Prefix
	from, to, typ, code int32
}

var entrySets = setCache[entryKey]{max: 1 << 14}

func compileEntry(e *vpc.NACLEntry) (netspace.Set, bool) {
	if !e.Prefix.IsValid() {
		return netspace.Set{}, false
	}
	var b netipx.IPSetBuilder
	b.AddPrefix(e.Prefix.Masked())
	addrs, err := b.IPSet()
	if err != nil {
		return netspace.Set{}, false
	}
	from, to := e.FromPort, e.ToPort
	switch {
	case e.Protocol == vpc.ProtoAll:
		from, to = -1, -1
	case e.Protocol.IsICMP():
		from, to = e.ICMPType, e.ICMPCode
	case !e.Protocol.HasPorts():
		from, to = -1, -1
	}
	set, err := netspace.NACLEntrySet(int(e.Protocol), from, to, addrs)
	if err != nil || set.IsEmpty() {
		return netspace.Set{}, false
	}
	return set, true
}

// NACLEntryMatches reports whether entry e matches pkt (allow or deny
// alike): whether pkt is in NACLEntrySet(e).
func NACLEntryMatches(e *vpc.NACLEntry, pkt netspace.Packet) bool {
	s, ok := NACLEntrySet(e)
	return ok && s.Contains(pkt)
}

// decide is the one first-match walk of a NACL direction: in rule-number
// order, each entry decides the packets it matches (NACLEntrySet) of those
// the entries before it left undecided, and the packets no entry matches
// are decided by the implicit "*" deny. f is called, in rule-number order,
// with each entry that decides some packet of within and the packets of
// within it decides; last, if any packet of within is left, with a nil
// entry and those packets. within nil means every packet; then the walk
// skips the "*" call (what is left is the complement of the entries'
// union, which no caller needs spelled out). When every packet of within
// has address at, entries whose block does not hold it are skipped
// uncompiled: their sets hold no such packet.
func decide(n *vpc.NACL, egress bool, within *netspace.Set, at netip.Addr, f func(e *vpc.NACLEntry, decided netspace.Set)) {
	es := n.Entries(egress)
	var decided netspace.Builder // within nil: the entries' union so far
	var rest netspace.Set        // within set: its packets not yet decided
	if within != nil {
		rest = *within
	}
	for i := range es {
		if within != nil && rest.IsEmpty() {
			return
		}
		if at.IsValid() && !es[i].Prefix.Contains(at) {
			continue
		}
		s, ok := NACLEntrySet(&es[i])
		if !ok {
			continue
		}
		if within == nil {
			if hit := s.Subtract(decided.Set()); !hit.IsEmpty() {
				f(&es[i], hit)
			}
			decided.Add(s)
			continue
		}
		if hit := rest.Intersect(s); !hit.IsEmpty() {
			f(&es[i], hit)
			rest = rest.Subtract(s)
		}
	}
	if within != nil && !rest.IsEmpty() {
		f(nil, rest)
	}
}

// NACLSet compiles one direction of n (egress: outbound) to the packets it
// allows, the address being the peer's (the destination outbound, the
// source inbound).
func NACLSet(n *vpc.NACL, egress bool) netspace.Set {
	var allowed netspace.Builder
	decide(n, egress, nil, netip.Addr{}, func(e *vpc.NACLEntry, s netspace.Set) {
		if e != nil && e.Allow {
			allowed.Add(s)
		}
	})
	return allowed.Set()
}

// NACLEvaluate returns the entry of one direction of n that decides pkt
// (the first in rule-number order that matches it) and whether pkt is
// allowed. When no entry matches (an input that omitted the built-in
// denies), the implicit "*" rule denies and the entry is nil. pkt's
// address is the peer's, as in NACLSet, and NACLSet(n, egress).Contains(pkt)
// is always the returned verdict.
func NACLEvaluate(n *vpc.NACL, egress bool, pkt netspace.Packet) (*vpc.NACLEntry, bool) {
	var by *vpc.NACLEntry
	if point, ok := packetSet(pkt); ok {
		decide(n, egress, &point, pkt.Addr.Unmap(), func(e *vpc.NACLEntry, _ netspace.Set) { by = e })
	}
	return by, by != nil && by.Allow
}

// packetSet is the set holding pkt alone (every port for a protocol
// without ports, as in every Set).
func packetSet(pkt netspace.Packet) (netspace.Set, bool) {
	if !pkt.Addr.IsValid() {
		return netspace.Set{}, false
	}
	s, err := netspace.PortSet(int(pkt.Protocol), int32(pkt.Port), int32(pkt.Port), ipSetOfAddr(pkt.Addr.Unmap()))
	return s, err == nil
}

func ipSetOfAddr(a netip.Addr) *netipx.IPSet {
	var b netipx.IPSetBuilder
	b.Add(a)
	s, _ := b.IPSet()
	return s
}

// PortDecision is what a NACL direction decides for a run of ports: the
// entry that matches them first, nil for the implicit "*" deny.
type PortDecision struct {
	Ports PortRange
	Entry *vpc.NACLEntry
}

// Allowed reports whether the ports of the run pass.
func (d PortDecision) Allowed() bool { return d.Entry != nil && d.Entry.Allow }

// NACLPorts evaluates one direction of n for packets of proto (tcp or udp)
// with peer address peer, on every port of r: the runs of r, in port order,
// each with the entry that decides it. For a one-port range it decides
// what NACLEvaluate does for that port.
func NACLPorts(n *vpc.NACL, egress bool, proto vpc.Protocol, peer netip.Addr, r PortRange) []PortDecision {
	within, err := netspace.PortSet(int(proto), r.From, r.To, ipSetOfAddr(peer.Unmap()))
	if err != nil || !proto.HasPorts() {
		return nil
	}
	var out []PortDecision
	decide(n, egress, &within, peer.Unmap(), func(e *vpc.NACLEntry, s netspace.Set) {
		for _, b := range s.Boxes() {
			out = append(out, PortDecision{PortRange{int32(b.PortLo), int32(b.PortHi)}, e})
		}
	})
	sortDecisions(out)
	return out
}

func sortDecisions(ds []PortDecision) {
	for i := 1; i < len(ds); i++ { // insertion sort: lists are tiny
		for j := i; j > 0 && ds[j].Ports.From < ds[j-1].Ports.From; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}
