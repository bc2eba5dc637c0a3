// Package policy holds what the current security groups could have
// admitted, the one definition that direction reasoning (flowlog) and the
// commands built on it share.
//
// Admission answers "could the current rules have let A start this
// connection to B?" as an upper bound: a rule whose peer cannot be
// resolved (a prefix list whose entries are not loaded, a group of another
// account) is taken to match every address, and an interface whose groups
// are not all loaded, or that carries no group, is never said to exclude
// anything. A "no" is therefore a proof, given that the inventory holds the
// rules the traffic went through: an accepted flow record passed the rules
// of both ends, and security groups are stateful, so a direction the rules
// could not have admitted is not the direction the connection was started
// in.
package policy

import (
	"net/netip"
	"sync"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// Admission evaluates upper bounds of the current security groups of one
// inventory. It is safe for concurrent use.
type Admission struct {
	inv *vpc.Inventory
	ix  *vpc.Index

	mu     sync.RWMutex
	groups map[string]*groupSets
}

type groupSets struct {
	known           bool
	ingress, egress netspace.Set
}

// NewAdmission prepares admission answers for inv (which must not change
// afterwards).
func NewAdmission(inv *vpc.Inventory) *Admission {
	return &Admission{inv: inv, ix: inv.Index(), groups: map[string]*groupSets{}}
}

// Interface returns the inventory interface holding the private address a,
// or nil.
func (a *Admission) Interface(addr netip.Addr) *vpc.Interface {
	return a.ix.ByPrivateIP[addr.Unmap()]
}

// Packet is the first packet of a connection of proto to port as security
// group rules see it, with addr the peer (the destination for egress, the
// source for ingress). Flow logs carry no ICMP type: an ICMP connection is
// an echo request, the message a host starts an exchange with.
func Packet(proto uint8, port uint16, addr netip.Addr) netspace.Packet {
	p := netspace.Packet{Protocol: proto, Port: port, Addr: addr.Unmap()}
	switch vpc.Protocol(proto) {
	case vpc.ProtoICMP:
		p.Port = netspace.ICMPPort(8, 0)
	case vpc.ProtoICMPv6:
		p.Port = netspace.ICMPPort(128, 0)
	}
	return p
}

// MayStart reports whether the current rules could have let the address
// from (on interface fromIf, nil when it is no inventory interface) start a
// connection of proto to port lo..hi (one of them) of the address to (on
// toIf, or nil): the initiator's egress and the responder's ingress must
// both admit it. Sides outside the inventory, destinations no security
// group filters, and interfaces whose rules are not all known admit
// everything.
func (a *Admission) MayStart(fromIf *vpc.Interface, from netip.Addr, toIf *vpc.Interface, to netip.Addr, proto uint8, lo, hi uint16) bool {
	if _, ok := a.inv.Unfiltered(to.Unmap()); ok {
		return true
	}
	if fromIf != nil && !a.may(fromIf, true, proto, lo, hi, to) {
		return false
	}
	if toIf != nil && !a.may(toIf, false, proto, lo, hi, from) {
		return false
	}
	return true
}

// may reports whether the interface's pooled groups could admit the packet
// (egress to peer, or ingress from peer).
func (a *Admission) may(eni *vpc.Interface, egress bool, proto uint8, lo, hi uint16, peer netip.Addr) bool {
	if len(eni.GroupIDs) == 0 {
		return true // no security group filters this interface
	}
	var query netspace.Set
	ranged := lo != hi && vpc.Protocol(proto).HasPorts()
	if ranged {
		query, _ = netspace.RuleSet(int(proto), int32(lo), int32(hi), ipSetOfAddr(peer.Unmap()))
	}
	pkt := Packet(proto, lo, peer)
	for _, id := range eni.GroupIDs {
		g := a.group(id)
		if !g.known {
			return true
		}
		set := g.ingress
		if egress {
			set = g.egress
		}
		if ranged && set.Overlaps(query) || !ranged && set.Contains(pkt) {
			return true
		}
	}
	return false
}

func (a *Admission) group(id string) *groupSets {
	a.mu.RLock()
	g := a.groups[id]
	a.mu.RUnlock()
	if g != nil {
		return g
	}
	g = &groupSets{}
	if sg := a.inv.Groups[id]; sg != nil && sg.RulesKnown {
		g.known = true
		g.ingress = a.bound(sg.Ingress)
		g.egress = a.bound(sg.Egress)
	}
	a.mu.Lock()
	a.groups[id] = g
	a.mu.Unlock()
	return g
}

// bound is the union of the rules' packets with unresolvable peers taken
// at their widest (RulesSet with UpperBound).
func (a *Admission) bound(rules []vpc.Rule) netspace.Set { return RulesSet(a.inv, rules, UpperBound) }
