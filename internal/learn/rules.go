package learn

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

// item is a proposed rule under construction with the points it serves.
type item struct {
	proto  uint8
	lo, hi uint16 // tcp and udp ports
	icmp   int32  // ICMP type, -1 for all types
	code   int32  // ICMP code, -1 for all codes
	peer   vpc.Peer
	pts    []*point
	why    []string
}

// addWhy records explanations once each; items hold a handful.
func (it *item) addWhy(ws ...string) {
next:
	for _, w := range ws {
		if w == "" {
			continue
		}
		for _, have := range it.why {
			if have == w {
				continue next
			}
		}
		it.why = append(it.why, w)
	}
}

func (it *item) rule(groupID string) vpc.Rule {
	r := vpc.Rule{GroupID: groupID, Egress: true, Protocol: vpc.Protocol(it.proto), Peer: it.peer, FromPort: -1, ToPort: -1}
	switch {
	case r.Protocol.HasPorts():
		r.FromPort, r.ToPort = int32(it.lo), int32(it.hi)
	case r.Protocol.IsICMP():
		r.FromPort, r.ToPort = it.icmp, it.code
		if it.icmp < 0 {
			r.ToPort = -1
		}
	}
	return r
}

// itemKey is what an item allows: items with equal keys are one rule.
type itemKey struct {
	proto  uint8
	lo, hi uint16
	icmp   int32
	code   int32
	peer   vpc.Peer
}

func (it *item) key() itemKey { return itemKey{it.proto, it.lo, it.hi, it.icmp, it.code, it.peer} }

func peerKey(p vpc.Peer) string {
	if p.Kind == vpc.PeerCIDR {
		return "c" + p.Prefix.String()
	}
	return "s" + p.String()
}

func hasPorts(proto uint8) bool { return vpc.Protocol(proto).HasPorts() }
func isICMP(proto uint8) bool   { return vpc.Protocol(proto).IsICMP() }

func protoName(p uint8) string { return netspace.ProtocolText(p, p) }

func hostPeer(a netip.Addr) vpc.Peer {
	return vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.PrefixFrom(a, a.BitLen())}
}

var (
	world4 = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
	world6 = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("::/0")}
)

// build turns the points placed on group g into its proposed rules.
func (l *learner) build(g *vpc.SecurityGroup, pts []*point) (rules []plan.Rule, count plan.RuleCount, widened, notes []string) {
	l.mergeHighPorts(pts)
	var items []*item
	var peers []*point
	byKey := map[itemKey]*item{}
	for _, pt := range pts {
		var peer vpc.Peer
		var why string
		switch pt.kind {
		case destInternet:
			switch {
			case l.opts.Pin:
				peer, why = hostPeer(pt.remote), "internet destination pinned to the observed addresses (--pin)"
			case pt.remote.Is4():
				peer, why = world4, "internet destination: the service port open to the whole internet, as addresses such as mirrors change"
			default:
				peer, why = world6, "internet destination over IPv6: the service port open to ::/0"
			}
		case destPrefixList:
			peer, why = vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: pt.pl}, "destination in managed prefix list "+pt.pl
		case destPeer:
			peers = append(peers, pt)
			continue
		default:
			peer, why = hostPeer(pt.remote), "private destination outside any security group's members"
		}
		k := itemKey{pt.proto, pt.lo, pt.hi, -1, -1, peer}
		it := byKey[k]
		if it == nil {
			it = &item{proto: pt.proto, lo: pt.lo, hi: pt.hi, icmp: -1, code: -1, peer: peer}
			byKey[k] = it
			items = append(items, it)
		}
		it.pts = append(it.pts, pt)
		it.addWhy(pt.rng, why)
	}
	items = append(items, l.peerItems(g, peers)...)
	items = mergeItems(items)
	chk := plan.NewChecker(l.inv, g.Egress)
	items, notes = l.clip(g, chk, items)
	items, widened = l.fit(g, chk, items)
	var dropped []string
	items, dropped = l.dropCovered(g, items)
	notes = append(notes, dropped...)
	sort.Slice(items, func(i, j int) bool { return lessItem(items[i], items[j]) })
	var vr []vpc.Rule
	for _, it := range items {
		r := it.rule(g.ID)
		vr = append(vr, r)
		pr := plan.FromVPC(&r)
		pr.Evidence = evidence(it)
		pr.Description = description(pr.Evidence, it)
		rules = append(rules, pr)
	}
	return rules, plan.Count(l.inv, vr), widened, notes
}

// mergeHighPorts gives points to the same remote on many distinct high
// ports one range: passive FTP data connections go to a port the server
// picks, so the ports seen are samples of a range.
func (l *learner) mergeHighPorts(pts []*point) {
	if l.opts.HighPortRange < 0 {
		return
	}
	type rk struct {
		proto  uint8
		remote netip.Addr
	}
	high := map[rk][]*point{}
	ftp := map[rk]bool{}
	for _, pt := range pts {
		if !hasPorts(pt.proto) {
			continue
		}
		k := rk{pt.proto, pt.remote}
		if pt.port >= 1024 {
			high[k] = append(high[k], pt)
		}
		if pt.port == 21 {
			ftp[k] = true
		}
	}
	for k, ps := range high {
		distinct := map[uint16]bool{}
		lo, hi := uint16(65535), uint16(0)
		for _, pt := range ps {
			distinct[pt.port] = true
			lo, hi = min(lo, pt.port), max(hi, pt.port)
		}
		if len(distinct) < l.opts.HighPortRange {
			continue
		}
		why := fmt.Sprintf("%d distinct high ports to %s merged into one range %d-%d", len(distinct), k.remote, lo, hi)
		if ftp[k] {
			why += " (passive FTP data: the same remote is reached on port 21)"
		}
		for _, pt := range ps {
			pt.lo, pt.hi, pt.rng = lo, hi, why
		}
	}
}

// peerItems turns points to interfaces of the inventory into references to
// security groups: per protocol and ports, a greedy cover of the observed
// peers by their groups, preferring the group covering most of them, then
// the one with the fewest other members. Peers with no group usable from g
// (none, or only groups of another VPC, where references do not reach
// through transit gateways or inter-Region peering) become CIDRs.
func (l *learner) peerItems(g *vpc.SecurityGroup, pts []*point) []*item {
	ix := l.inv.Index()
	type pk struct {
		proto  uint8
		lo, hi uint16
	}
	byPorts := map[pk][]*point{}
	var order []pk
	for _, pt := range pts {
		k := pk{pt.proto, pt.lo, pt.hi}
		if byPorts[k] == nil {
			order = append(order, k)
		}
		byPorts[k] = append(byPorts[k], pt)
	}
	var items []*item
	for _, k := range order {
		ps := byPorts[k]
		peerSet := map[string]bool{}
		for _, pt := range ps {
			peerSet[pt.peer.ID] = true
		}
		usable := func(gid string) bool {
			sg := l.inv.Groups[gid]
			return sg != nil && (g.VpcID == "" || sg.VpcID == "" || sg.VpcID == g.VpcID)
		}
		covered := map[string]string{} // peer eni -> group
		for {
			score := map[string]int{}
			for _, pt := range ps {
				if _, done := covered[pt.peer.ID]; done {
					continue
				}
				for _, gid := range pt.peer.GroupIDs {
					if usable(gid) {
						score[gid]++
					}
				}
			}
			if len(score) == 0 {
				break
			}
			extra := func(gid string) int {
				n := 0
				for _, m := range ix.Members[gid] {
					if !peerSet[m.ID] {
						n++
					}
				}
				return n
			}
			best := bestGroup(score, extra)
			it := &item{proto: k.proto, lo: k.lo, hi: k.hi, icmp: -1, code: -1,
				peer: vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: best}}}
			n := 0
			// Cover peers first, then take every point to a covered peer:
			// a peer is reached on several addresses (secondary IPs) and
			// ports (passive FTP data), and each point must stay behind
			// the rule that serves it.
			for _, pt := range ps {
				if _, done := covered[pt.peer.ID]; !done && contains(pt.peer.GroupIDs, best) {
					covered[pt.peer.ID] = best
				}
			}
			for _, pt := range ps {
				if covered[pt.peer.ID] == best {
					it.pts = append(it.pts, pt)
					it.addWhy(pt.rng)
				}
			}
			for id := range peerSet {
				if covered[id] == best {
					n++
				}
			}
			it.why = append(it.why, fmt.Sprintf("in-VPC destination: %s stands for %d observed peer interfaces (%d other members)",
				best, n, extra(best)))
			items = append(items, it)
		}
		for _, pt := range ps {
			if _, done := covered[pt.peer.ID]; done {
				continue
			}
			items = append(items, &item{proto: pt.proto, lo: pt.lo, hi: pt.hi, icmp: -1, code: -1, peer: hostPeer(pt.remote),
				pts: []*point{pt}, why: []string{fmt.Sprintf("peer %s has no security group usable from %s", pt.peer.ID, g.ID)}})
		}
	}
	return items
}

// mergeItems joins items allowing the same thing, and tcp/udp items to the
// same peer whose port ranges overlap, so no rule is contained in another
// of the same peer.
func mergeItems(items []*item) []*item {
	type pk struct {
		proto uint8
		peer  vpc.Peer
	}
	byKey := map[itemKey]*item{}
	byPeer := map[pk][]*item{}
	var peers []pk
	for _, it := range items {
		if o := byKey[it.key()]; o != nil {
			o.pts = append(o.pts, it.pts...)
			o.addWhy(it.why...)
			continue
		}
		byKey[it.key()] = it
		k := pk{it.proto, it.peer}
		if byPeer[k] == nil {
			peers = append(peers, k)
		}
		byPeer[k] = append(byPeer[k], it)
	}
	var out []*item
	for _, k := range peers {
		its := byPeer[k]
		if !hasPorts(k.proto) {
			out = append(out, its...)
			continue
		}
		sort.Slice(its, func(i, j int) bool { return its[i].lo < its[j].lo || its[i].lo == its[j].lo && its[i].hi < its[j].hi })
		var prev *item
		for _, it := range its {
			if prev != nil && it.lo <= prev.hi {
				prev.hi = max(prev.hi, it.hi)
				prev.pts = append(prev.pts, it.pts...)
				prev.addWhy(it.why...)
				continue
			}
			prev = it
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessItem(out[i], out[j]) })
	return out
}

func lessItem(a, b *item) bool {
	if a.proto != b.proto {
		return a.proto < b.proto
	}
	if a.peer != b.peer {
		pa, pb := a.peer, b.peer
		if pa.Kind != pb.Kind {
			return pa.Kind < pb.Kind
		}
		if pa.Kind == vpc.PeerCIDR {
			if pa.Prefix.Addr().BitLen() != pb.Prefix.Addr().BitLen() {
				return pa.Prefix.Addr().Is4()
			}
			if a.lo != b.lo {
				return a.lo < b.lo
			}
			if c := pa.Prefix.Addr().Compare(pb.Prefix.Addr()); c != 0 {
				return c < 0
			}
			return pa.Prefix.Bits() < pb.Prefix.Bits()
		}
		if a.lo != b.lo {
			return a.lo < b.lo
		}
		if pa.PrefixListID != pb.PrefixListID {
			return pa.PrefixListID < pb.PrefixListID
		}
		return pa.Group.GroupID < pb.Group.GroupID
	}
	if a.lo != b.lo {
		return a.lo < b.lo
	}
	if a.hi != b.hi {
		return a.hi < b.hi
	}
	if a.icmp != b.icmp {
		return a.icmp < b.icmp
	}
	return a.code < b.code
}

// clip keeps every item within the group's current rules: an item that
// would allow more (the world where current allows a few addresses, a group
// reference current does not cover for future members) falls back to the
// exact observed addresses and ports, which current allows by construction.
// ICMP items first try the echo request alone (see fitICMP).
func (l *learner) clip(g *vpc.SecurityGroup, chk *plan.Checker, items []*item) ([]*item, []string) {
	var out []*item
	var notes []string
	for _, it := range items {
		r := it.rule(g.ID)
		ok, why := chk.Within(&r)
		if ok {
			out = append(out, it)
			continue
		}
		if isICMP(it.proto) && fitICMP(g, chk, it) {
			out = append(out, it)
			continue
		}
		notes = append(notes, fmt.Sprintf("%s would allow more than the current rules (%s); narrowed to the observed addresses and ports",
			policy.RuleText(&r), why))
		for _, pt := range it.pts {
			// The point's merged port range first (passive FTP data), then
			// its own port.
			x := &item{proto: pt.proto, lo: pt.lo, hi: pt.hi, icmp: -1, code: -1, peer: hostPeer(pt.remote), pts: []*point{pt},
				why: []string{"narrowed to the observed address to stay within the current rules"}}
			xr := x.rule(g.ID)
			ok, _ := chk.Within(&xr)
			if ok && x.lo != x.hi {
				x.addWhy(pt.rng)
			}
			if !ok && x.lo != x.hi {
				x.lo, x.hi, x.why = pt.port, pt.port, []string{"narrowed to the observed address and port to stay within the current rules"}
				xr = x.rule(g.ID)
				ok, _ = chk.Within(&xr)
			}
			if !ok && isICMP(pt.proto) {
				ok = fitICMP(g, chk, x)
				xr = x.rule(g.ID)
			}
			if !ok {
				notes = append(notes, fmt.Sprintf("%s for %s is not allowed by the current rules as a whole; left out", policy.RuleText(&xr), pt.eni.ID))
				continue
			}
			out = append(out, x)
		}
	}
	return mergeItems(out), notes
}

// echoType is the echo request's ICMP type for proto: the message a
// workload sends when it pings.
func echoType(proto uint8) int32 {
	if vpc.Protocol(proto) == vpc.ProtoICMPv6 {
		return 128
	}
	return 8
}

// fitICMP narrows an ICMP item to the echo request, every code and then
// code 0, when the current rules allow that and not every type: flow
// records carry no ICMP type, and a workload initiates echo requests, the
// message replay checks. It reports whether a shape within current was
// found, leaving the item as it was when not.
func fitICMP(g *vpc.SecurityGroup, chk *plan.Checker, it *item) bool {
	t := echoType(it.proto)
	for _, code := range []int32{-1, 0} {
		x := *it
		x.icmp, x.code = t, code
		r := x.rule(g.ID)
		if ok, _ := chk.Within(&r); ok {
			it.icmp, it.code = t, code
			return true
		}
	}
	return false
}

// dropCovered removes every item whose rule allows nothing the group's
// other remaining items do not, so no proposed rule is covered by another
// or by the union of others; the dropped item's points (its evidence) move
// to a kept item allowing them. A CIDR rule counts as covered only by
// other CIDR rules, whose addresses never change; a group reference or
// prefix list must be covered for every address it may stand for (the
// proofs of plan.RuleWithin).
func (l *learner) dropCovered(g *vpc.SecurityGroup, items []*item) ([]*item, []string) {
	sort.Slice(items, func(i, j int) bool { return lessItem(items[i], items[j]) })
	rules := make([]vpc.Rule, len(items))
	for i, it := range items {
		rules[i] = it.rule(g.ID)
	}
	dropped := make([]bool, len(items))
	var notes []string
	for i := range items {
		var others []vpc.Rule
		var idx []int
		for j := range items {
			if j == i || dropped[j] || rules[i].Peer.Kind == vpc.PeerCIDR && rules[j].Peer.Kind != vpc.PeerCIDR {
				continue
			}
			others = append(others, rules[j])
			idx = append(idx, j)
		}
		if len(others) == 0 {
			continue
		}
		covered := false
		if rules[i].Peer.Kind == vpc.PeerCIDR {
			if rs, err := plan.RuleSet(l.inv, &rules[i]); err == nil && !rs.IsEmpty() {
				covered = rs.Subset(plan.RulesSet(l.inv, others))
			}
		} else {
			covered, _ = plan.RuleWithin(l.inv, &rules[i], others)
		}
		if !covered {
			continue
		}
		dropped[i] = true
		into := map[int]bool{}
		for _, pt := range items[i].pts {
			pkt := plan.Packet(&traffic.Observation{Protocol: pt.proto, Port: pt.port, Remote: pt.remote})
			to := idx[0]
			for k, j := range idx {
				if s, err := plan.RuleSet(l.inv, &others[k]); err == nil && s.Contains(pkt) {
					to = j
					break
				}
			}
			items[to].pts = append(items[to].pts, pt)
			into[to] = true
		}
		var names []string
		for _, j := range idx {
			if into[j] {
				names = append(names, strings.TrimPrefix(policy.RuleText(&rules[j]), "egress "))
				items[j].addWhy("also serves what " + strings.TrimPrefix(policy.RuleText(&rules[i]), "egress ") +
					" would have: that rule is covered by the group's other proposed rules")
			}
		}
		notes = append(notes, fmt.Sprintf("%s is covered by the group's other proposed rules; dropped, its evidence moved to %s",
			strings.TrimPrefix(policy.RuleText(&rules[i]), "egress "), strings.Join(names, ", ")))
	}
	var out []*item
	for i, it := range items {
		if !dropped[i] {
			out = append(out, it)
		}
	}
	return out, notes
}

// evidence summarises an item's points. Interfaces are listed in full;
// remotes up to 5.
func evidence(it *item) *plan.Evidence {
	ev := &plan.Evidence{}
	enis, remotes, ports := map[string]bool{}, map[netip.Addr]bool{}, map[uint16]bool{}
	weakest := traffic.Confidence(0)
	notProven := len(it.pts) > 0
	for _, pt := range it.pts {
		ev.Observations += pt.ev.n
		ev.Flows += pt.ev.flows
		enis[pt.eni.ID] = true
		remotes[pt.remote] = true
		ports[pt.port] = true
		weakest = max(weakest, pt.ev.weakest)
		notProven = notProven && pt.ev.ambiguousOnly()
		if f := pt.ev.first; !f.IsZero() && (ev.FirstSeen == nil || f.Before(*ev.FirstSeen)) {
			u := f.UTC()
			ev.FirstSeen = &u
		}
		if t := pt.ev.last; !t.IsZero() && (ev.LastSeen == nil || t.After(*ev.LastSeen)) {
			u := t.UTC()
			ev.LastSeen = &u
		}
	}
	if weakest == 0 {
		weakest = traffic.Exact
	}
	ev.Confidence = weakest.String()
	if notProven {
		ev.Direction = plan.DirectionNotProven
		it.addWhy("kept because the direction is not proven: every connection behind this rule could have been " +
			"started by either side, and this is what the member needs if it started them")
	}
	ev.Interfaces = sortedSet(enis)
	ra := make([]netip.Addr, 0, len(remotes))
	for a := range remotes {
		ra = append(ra, a)
	}
	sort.Slice(ra, func(i, j int) bool { return ra[i].Less(ra[j]) })
	for i, a := range ra {
		if i == 5 {
			ev.Remotes = append(ev.Remotes, fmt.Sprintf("%d more", len(ra)-5))
			break
		}
		ev.Remotes = append(ev.Remotes, a.String())
	}
	if hasPorts(it.proto) && it.lo != it.hi {
		for p := range ports {
			ev.Ports = append(ev.Ports, p)
		}
		sort.Slice(ev.Ports, func(i, j int) bool { return ev.Ports[i] < ev.Ports[j] })
	}
	if isICMP(it.proto) {
		if it.icmp == echoType(it.proto) {
			it.addWhy(fmt.Sprintf("flow logs carry no ICMP type, so they cannot tell ICMP types apart: the current rules allow "+
				"only echo requests (type %d), so the observed ICMP is kept as the echo request a workload sends when it pings", it.icmp))
		} else {
			it.addWhy("flow logs carry no ICMP type or code, so they cannot tell ICMP types apart: this rule keeps every ICMP type " +
				"the current rules allow to this peer, though the members may only have pinged (replay checks them as echo requests)")
		}
	}
	ev.Why = append(ev.Why, it.why...)
	return ev
}

// description is the rule's AWS Description: at most 255 characters of the
// allowed set (docs/semantics.md#sg-peers).
func description(ev *plan.Evidence, it *item) string {
	enis := map[string]bool{}
	for _, pt := range it.pts {
		enis[pt.eni.ID] = true
	}
	s := "walls learn: " + strconv.FormatUint(ev.Flows, 10) + " flow records from " +
		strconv.Itoa(len(enis)) + " interfaces"
	if ev.FirstSeen != nil && ev.LastSeen != nil {
		s += " seen " + ev.FirstSeen.Format("2006-01-02") + " to " + ev.LastSeen.Format("2006-01-02")
	}
	return sanitize(s)
}

func sanitize(s string) string {
	const ok = " ._-:/()#,@[]+=;{}!$*"
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(ok, r)) {
			b.WriteRune(r)
		}
		if b.Len() == 255 {
			break
		}
	}
	return b.String()
}
