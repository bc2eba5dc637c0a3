package learn

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

// destKind classifies a remote address (docs/semantics.md#walls-choices, rules of the proposal).
type destKind uint8

const (
	destInternet   destKind = iota + 1 // the service port open to the world, or pinned
	destPrefixList                     // a managed prefix list of the inventory
	destPeer                           // a private address of an inventory interface: its SG
	destPrivate                        // any other private address: a CIDR
)

// acc accumulates the evidence of one point.
type acc struct {
	n           int
	flows       uint64
	first, last time.Time
	// weakest and strongest confidence among the observations (the
	// Confidence values order from proof to guess).
	weakest, strongest traffic.Confidence
}

func (a *acc) add(o *traffic.Observation) {
	a.n++
	a.flows += o.Flows
	if a.first.IsZero() || o.FirstSeen.Before(a.first) {
		a.first = o.FirstSeen
	}
	if o.LastSeen.After(a.last) {
		a.last = o.LastSeen
	}
	c := o.Confidence
	if c < traffic.Exact || c > traffic.Ambiguous {
		c = traffic.Heuristic // an unset confidence proved nothing
	}
	if o.LocalUndetermined {
		// The interface may be either end of the connection: this row is
		// what it needs if it is the initiator, its twin what it needs if
		// it is the responder. Kept, never taken as proof.
		c = traffic.Ambiguous
	}
	if a.weakest == 0 || c > a.weakest {
		a.weakest = c
	}
	if a.strongest == 0 || c < a.strongest {
		a.strongest = c
	}
}

// ambiguousOnly reports whether every observation of the point left its
// direction open.
func (a *acc) ambiguousOnly() bool { return a.strongest == traffic.Ambiguous }

// point is one need: an interface initiated proto/port to remote and was
// allowed to. It is the unit placed on a group.
type point struct {
	eni    *vpc.Interface
	proto  uint8
	port   uint16
	remote netip.Addr
	ev     acc
	kind   destKind
	pl     string         // destPrefixList
	peer   *vpc.Interface // destPeer
	cands  []string       // the interface's groups whose current egress allows it
	group  string         // where it was placed
	lo, hi uint16         // port range after high-port merging
	rng    string         // why the range, when merged
}

type deniedKey struct {
	groups string
	proven bool
}

type pointKey struct {
	eni    string
	proto  uint8
	port   uint16
	remote netip.Addr
}

// learner holds one run's state.
type learner struct {
	inv      *vpc.Inventory
	opts     Options
	now      *plan.Egress
	points   []*point
	observed map[string]bool // interfaces with any accepted observation
	outbound int
	// denied: needs no current rule allows, by group set and whether any
	// observation behind them proved its direction.
	denied  map[deniedKey]*acc
	unknown map[string]bool
	// opaque: groups with a current rule whose peer is not resolvable
	// (prefix list entries or a referenced group not loaded) that may be
	// what let an observed connection out, with the reason.
	opaque map[string]string
	// ungoverned: interfaces with no security group whose rules are known
	// (NAT gateways and endpoints have none; others reference groups not loaded).
	ungoverned map[string]bool
	unfilt     uint64
	invalid    uint64
	filter     *plan.UnfilteredSet
	rules      *policy.Rules  // per-record answers of the current rules
	vpcs       []netip.Prefix // every VPC block: in-VPC addresses are private
}

func newLearner(inv *vpc.Inventory, opts Options) *learner {
	l := &learner{inv: inv, opts: opts, now: plan.NewEgress(inv), observed: map[string]bool{},
		denied: map[deniedKey]*acc{}, unknown: map[string]bool{}, opaque: map[string]string{}, ungoverned: map[string]bool{}, filter: plan.NewUnfiltered(inv), rules: policy.NewRules(inv)}
	for _, v := range inv.VPCs {
		l.vpcs = append(l.vpcs, v.CIDRs...)
		l.vpcs = append(l.vpcs, v.IPv6CIDRs...)
	}
	return l
}

func (l *learner) hasKnownGroup(eni *vpc.Interface) bool {
	for _, g := range eni.GroupIDs {
		if sg := l.inv.Groups[g]; sg != nil && sg.RulesKnown {
			return true
		}
	}
	return false
}

func (l *learner) inVPC(a netip.Addr) bool {
	for _, p := range l.vpcs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// collect turns observations into points.
func (l *learner) collect(obs []traffic.Observation) {
	byKey := map[pointKey]*point{}
	for i := range obs {
		o := &obs[i]
		if o.Accepted {
			// Only accepted traffic shows a member was logged in full: a flow
			// log of TrafficType REJECT sees no needs at all.
			l.observed[o.InterfaceID] = true
		}
		if o.Direction != traffic.Outbound || !o.Accepted {
			continue // replies need no egress rule; rejected attempts never become needs
		}
		l.outbound++
		eni := l.inv.Interfaces[o.InterfaceID]
		if eni == nil {
			l.unknown[o.InterfaceID] = true
			continue
		}
		if !l.hasKnownGroup(eni) {
			l.ungoverned[eni.ID] = true // no group, or none whose rules were loaded: nothing to learn for
			continue
		}
		if !o.Remote.IsValid() || l.filter.Contains(o.Remote) {
			l.unfilt += o.Flows
			continue
		}
		if !plan.FamilyOK(o) {
			l.invalid += o.Flows
			continue
		}
		remote := o.Remote.Unmap()
		k := pointKey{eni.ID, o.Protocol, o.Port, remote}
		pt := byKey[k]
		if pt == nil {
			pt = &point{eni: eni, proto: o.Protocol, port: o.Port, remote: remote, lo: o.Port, hi: o.Port}
			byKey[k] = pt
			l.points = append(l.points, pt)
		}
		pt.ev.add(o)
	}
	sort.Slice(l.points, func(i, j int) bool { return lessPoint(l.points[i], l.points[j]) })
	ix := l.inv.Index()
	for _, pt := range l.points {
		l.classify(ix, pt)
		pkt := plan.Packet(&traffic.Observation{Protocol: pt.proto, Port: pt.port, Remote: pt.remote})
		for _, g := range pt.eni.GroupIDs {
			if sg := l.inv.Groups[g]; sg != nil && sg.RulesKnown && l.now.Group(g).Contains(pkt) {
				pt.cands = append(pt.cands, g)
			}
		}
		if len(pt.cands) == 0 && l.markOpaque(pt) {
			continue
		}
		if len(pt.cands) == 0 {
			k := deniedKey{strings.Join(pt.eni.GroupIDs, ","), pt.ev.strongest.Proven()}
			if l.denied[k] == nil {
				l.denied[k] = &acc{}
			}
			a := l.denied[k]
			a.n += pt.ev.n
			a.flows += pt.ev.flows
		}
	}
}

// markOpaque records, for a point no current rule is known to allow, the
// groups of its interface with a rule that may admit it: the point's
// record is in the rule's upper bound but not its exact set
// (policy.Rules.FlowMatch is Maybe: the rule's protocol and ports match,
// any ICMP type will do, and the answer hangs on a peer walls cannot
// resolve). That rule may be what let it out, so learning must not drop
// it. It reports whether there was one.
func (l *learner) markOpaque(pt *point) bool {
	found := false
	for _, g := range pt.eni.GroupIDs {
		sg := l.inv.Groups[g]
		if sg == nil || !sg.RulesKnown {
			continue
		}
		for i := range sg.Egress {
			r := &sg.Egress[i]
			if l.rules.FlowMatch(r, pt.proto, pt.port, pt.remote) != policy.Maybe {
				continue
			}
			why := l.opaquePeer(r.Peer)
			if why == "" {
				continue
			}
			found = true
			if _, ok := l.opaque[g]; !ok {
				l.opaque[g] = fmt.Sprintf("observed %s to %s may be allowed by %s (%s), whose %s; "+
					"learning would drop it and break the connection", policy.FlowText(pt.proto, pt.port), pt.remote, r.Ref(), policy.RuleText(r), why)
			}
		}
	}
	return found
}

// opaquePeer says why a rule peer's addresses are not known, or "" when
// the reason is not the peer's own (no interfaces loaded at all).
func (l *learner) opaquePeer(p vpc.Peer) string {
	switch p.Kind {
	case vpc.PeerPrefixList:
		pl := l.inv.PrefixLists[p.PrefixListID]
		switch {
		case pl == nil:
			return "prefix list " + p.PrefixListID + " is not loaded"
		case !pl.EntriesKnown:
			return "prefix list " + p.PrefixListID + "'s entries are not loaded (add get-managed-prefix-list-entries output as " + p.PrefixListID + ".json)"
		}
	case vpc.PeerGroup:
		if l.inv.Groups[p.Group.GroupID] == nil {
			return "referenced group " + p.Group.GroupID + " is not loaded (another account, a peer VPC or a deleted group)"
		}
	}
	return ""
}

func lessPoint(a, b *point) bool {
	if a.eni.ID != b.eni.ID {
		return a.eni.ID < b.eni.ID
	}
	if a.proto != b.proto {
		return a.proto < b.proto
	}
	if a.port != b.port {
		return a.port < b.port
	}
	return a.remote.Less(b.remote)
}

func (l *learner) classify(ix *vpc.Index, pt *point) {
	if peer := ix.ByPrivateIP[pt.remote]; peer != nil {
		pt.kind, pt.peer = destPeer, peer
		return
	}
	if id := l.prefixListOf(pt.remote); id != "" {
		pt.kind, pt.pl = destPrefixList, id
		return
	}
	if policy.IsInternal(pt.remote) || l.inVPC(pt.remote) {
		pt.kind = destPrivate
		return
	}
	pt.kind = destInternet
}

// prefixListOf returns the lightest prefix list of the inventory holding a,
// or "".
func (l *learner) prefixListOf(a netip.Addr) string {
	best, bestW := "", 0
	for id, pl := range l.inv.PrefixLists {
		if !pl.EntriesKnown || !pl.Contains(a) {
			continue
		}
		w := plan.PrefixListWeight(pl)
		if best == "" || w < bestW || w == bestW && id < best {
			best, bestW = id, w
		}
	}
	return best
}
