package policy

import (
	"net/netip"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// What a network ACL direction does, in the three forms the commands need.
// All three follow one rule (docs/semantics.md#nacl-order): the entries are taken in
// rule-number order, the first that matches the packet decides, and a
// packet no entry matches is denied (the "*" rule).
//
//   - one packet: vpc.NACL.Evaluate, the model's own evaluation, which every
//     other form agrees with (a test holds them together);
//   - one peer and protocol over a run of ports: NACLPorts, for the return
//     path, where the client's port is any of a range;
//   - every packet at once: NACLSet, a netspace.Set, for reasoning about
//     whole address ranges (audit).

// NACLEntrySet returns the packets entry e matches (allow or deny alike),
// with netspace's NACL semantics; ok is false for an entry that matches
// nothing or cannot be made a set (an invalid prefix or range).
func NACLEntrySet(e *vpc.NACLEntry) (netspace.Set, bool) {
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

// NACLSet compiles one direction of n (egress: outbound) to the packets it
// allows, the address being the peer's (the destination outbound, the
// source inbound): each entry allows or denies what it matches of what the
// entries before it left undecided.
func NACLSet(n *vpc.NACL, egress bool) netspace.Set {
	var decided, allowed netspace.Builder
	es := n.Entries(egress)
	for i := range es {
		s, ok := NACLEntrySet(&es[i])
		if !ok {
			continue
		}
		if es[i].Allow {
			allowed.Add(s.Subtract(decided.Set()))
		}
		decided.Add(s)
	}
	return allowed.Set()
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
// each with the entry that decides it. NACLPorts(...) for a one-port range
// decides what vpc.NACL.Evaluate does for that port.
func NACLPorts(n *vpc.NACL, egress bool, proto vpc.Protocol, peer netip.Addr, r PortRange) []PortDecision {
	open := []PortRange{r} // ports no entry has decided yet
	var out []PortDecision
	es := n.Entries(egress)
	for i := range es {
		if len(open) == 0 {
			break
		}
		e := &es[i]
		// Any port of the entry's range matches the packet on that port.
		lo, hi := int32(0), int32(65535)
		if e.Protocol != vpc.ProtoAll {
			lo, hi = e.FromPort, e.ToPort
		}
		if !e.Matches(proto, peer, max(lo, 0), -1, -1) {
			continue
		}
		var hit []PortRange
		open, hit = carve(open, lo, hi)
		for _, h := range hit {
			out = append(out, PortDecision{h, e})
		}
	}
	for _, o := range open {
		out = append(out, PortDecision{o, nil})
	}
	sortDecisions(out)
	return out
}

// carve splits the open ranges by lo..hi: what remains open and what falls
// inside.
func carve(open []PortRange, lo, hi int32) (rest, hit []PortRange) {
	for _, r := range open {
		if hi < r.From || lo > r.To {
			rest = append(rest, r)
			continue
		}
		if r.From < lo {
			rest = append(rest, PortRange{r.From, lo - 1})
		}
		hit = append(hit, PortRange{max(r.From, lo), min(r.To, hi)})
		if r.To > hi {
			rest = append(rest, PortRange{hi + 1, r.To})
		}
	}
	return rest, hit
}

func sortDecisions(ds []PortDecision) {
	for i := 1; i < len(ds); i++ { // insertion sort: lists are tiny
		for j := i; j > 0 && ds[j].Ports.From < ds[j-1].Ports.From; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}
