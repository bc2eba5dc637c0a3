package audit

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// rset is a rule as a set of packets, its peer read as policy.Symbolic: a
// peer that resolves to no known address (a group without known members, a
// prefix list whose entries were not loaded) is compared symbolically:
// token names the peer (policy.SymbolicPeer) and set holds the rule's
// traffic over every address the peer could stand for, so two references
// to the same group are the same peer.
type rset struct {
	r     *vpc.Rule
	set   netspace.Set
	token string // "" when set is the resolved packet set
	ok    bool   // false when the rule could not be made a set
	// byMembers is true when set was resolved from a group's current
	// members; such a finding holds for today's membership.
	byMembers bool
}

// ruleSet compiles a rule with its peer read as policy.Symbolic
// (docs/semantics.md#sg-refs).
func (s *scan) ruleSet(r *vpc.Rule) rset {
	out := rset{r: r, token: policy.SymbolicPeer(s.inv, r.Peer)}
	set, err := policy.RuleSet(s.inv, r, policy.Symbolic)
	if err != nil {
		return out
	}
	out.set, out.ok = set, !set.IsEmpty()
	out.byMembers = out.token == "" && r.Peer.Kind == vpc.PeerGroup
	return out
}

// mayOverlap is a cheap pre-test on the traffic part: rules of different
// protocols, or disjoint port ranges, cannot cover each other.
func mayOverlap(a, b *vpc.Rule) bool {
	if a.Protocol == vpc.ProtoAll || b.Protocol == vpc.ProtoAll {
		return true
	}
	if a.Protocol != b.Protocol {
		return false
	}
	if a.Protocol.HasPorts() {
		return a.FromPort <= b.ToPort && b.FromPort <= a.ToPort
	}
	return true
}

// peersMayOverlap is a cheap pre-test on the peers: two CIDRs that do not
// overlap, or two references to different groups without known members,
// cannot cover each other.
func (s *scan) peersMayOverlap(a, b *vpc.Rule) bool {
	pa, pb := a.Peer, b.Peer
	switch {
	case pa.Kind == vpc.PeerCIDR && pb.Kind == vpc.PeerCIDR:
		return pa.Prefix.Overlaps(pb.Prefix)
	case pa.Kind == vpc.PeerGroup && pb.Kind == vpc.PeerGroup && pa.Group.GroupID == pb.Group.GroupID:
		return true
	case pa.Kind == vpc.PeerGroup && len(s.ix.Members[pa.Group.GroupID]) == 0,
		pb.Kind == vpc.PeerGroup && len(s.ix.Members[pb.Group.GroupID]) == 0:
		return false // an unresolved reference is compared only with itself
	}
	return true
}

// partners lists, for each rule, the other rules (ascending indexes) that
// it may cover or be covered by, allowed by peers in either direction: the
// cheap tests mayOverlap and peersMayOverlap, which every pair of rules
// whose packet sets overlap passes. Rules with CIDR peers are paired by a
// sweep over their prefixes sorted by address (prefixes nest or are
// disjoint, so a prefix overlaps exactly the ones on the stack of prefixes
// containing it), not by trying every pair: a permission listing 32,000
// CIDRs costs n log n plus the overlapping pairs, not n².
func (s *scan) partners(rules []*vpc.Rule, peers func(i, j int) bool) [][]int {
	out := make([][]int, len(rules))
	pair := func(i, j int) {
		if (peers(i, j) || peers(j, i)) && mayOverlap(rules[i], rules[j]) && s.peersMayOverlap(rules[i], rules[j]) {
			out[i] = append(out[i], j)
			out[j] = append(out[j], i)
		}
	}
	var cidrs, others []int
	for i, r := range rules {
		if r.Peer.Kind == vpc.PeerCIDR {
			cidrs = append(cidrs, i)
		} else {
			others = append(others, i)
		}
	}
	// Any other peer may overlap anything: pair it with every rule.
	for k, i := range others {
		for _, j := range others[k+1:] {
			pair(i, j)
		}
		for _, j := range cidrs {
			pair(i, j)
		}
	}
	sort.SliceStable(cidrs, func(a, b int) bool {
		pa, pb := rules[cidrs[a]].Peer.Prefix.Masked(), rules[cidrs[b]].Peer.Prefix.Masked()
		if c := pa.Addr().Compare(pb.Addr()); c != 0 {
			return c < 0
		}
		return pa.Bits() < pb.Bits()
	})
	var stack []int
	for _, j := range cidrs {
		p := rules[j].Peer.Prefix
		for len(stack) > 0 && !containsPrefix(rules[stack[len(stack)-1]].Peer.Prefix, p) {
			stack = stack[:len(stack)-1]
		}
		for _, i := range stack {
			pair(i, j)
		}
		stack = append(stack, j)
	}
	for i := range out {
		sort.Ints(out[i])
	}
	return out
}

// containsPrefix reports whether a holds every address of b.
func containsPrefix(a, b netip.Prefix) bool {
	return a.Addr().Is4() == b.Addr().Is4() && a.Bits() <= b.Bits() && a.Masked().Contains(b.Addr())
}

// coveredBy reports whether x's packets all lie in the union of the
// candidates, and which candidates overlap it. Symbolic rules are compared
// only with rules of the same token; resolved ones only with resolved ones,
// so a vacuous resolution never proves anything.
func coveredBy(x rset, cands []rset) ([]*vpc.Rule, bool) {
	var b netspace.Builder
	var by []*vpc.Rule
	for _, c := range cands {
		if !c.ok || c.token != x.token || !mayOverlap(x.r, c.r) {
			continue
		}
		if !c.set.Overlaps(x.set) {
			continue
		}
		b.Add(c.set)
		by = append(by, c.r)
	}
	if len(by) == 0 {
		return nil, false
	}
	return by, x.set.Subset(b.Set())
}

func (s *scan) redundancyFinding(g *vpc.SecurityGroup, x rset, by []*vpc.Rule, across bool) Finding {
	var names, rel []string
	for _, r := range by {
		names = append(names, r.Ref()+" ("+r.String()+")")
		rel = append(rel, r.Ref())
	}
	verb := "allows"
	if len(by) > 1 {
		verb = "allow"
	}
	where := ""
	if across {
		where = ", of a group on exactly the same interfaces,"
		if len(by) > 1 {
			where = ", of groups on exactly the same interfaces,"
		}
	}
	msg := fmt.Sprintf("%s rule %s (%s) is redundant: %s%s already %s all of its traffic.",
		groupLabel(g), x.r.Ref(), x.r.String(), joinAnd(names), where, verb)
	switch {
	case x.token != "":
		msg += fmt.Sprintf(" Compared symbolically: %s resolves to no known addresses, and the rules name the same peer.", x.r.Peer.String())
	case x.byMembers:
		msg += fmt.Sprintf(" This holds for the current members of %s.", x.r.Peer.Group.GroupID)
	}
	return Finding{
		ResourceID: g.ID, Rule: ruleJSON(x.r), RuleRef: x.r.Ref(), Location: orLoc(locationOf(x.r.Source), locationOf(g.Source)),
		Message: msg, Related: rel, key: ruleKey(x.r),
	}
}

// redundantSet marks, later rules first, each rule covered by the union of
// the others still kept. The kept rules then cover every marked one (each
// was covered by rules that were kept or are themselves covered by kept
// ones), so removing all marked rules changes nothing; each marked rule is
// reported with the kept rules that overlap it. peers says which items may
// cover item j.
func redundantSet(sets []rset, partners [][]int, peers func(i, j int) bool) map[int][]*vpc.Rule {
	// Only rules that some other rule may overlap can be redundant.
	found := false
	for j := range sets {
		for _, i := range partners[j] {
			if peers(i, j) && sets[i].ok && sets[j].ok && sets[i].token == sets[j].token && mayOverlap(sets[i].r, sets[j].r) {
				found = true
				break
			}
		}
		if found {
			break
		}
	}
	if !found {
		return nil
	}
	removed := make([]bool, len(sets))
	// kept is the rules still kept that may cover item j.
	kept := func(j int) []rset {
		var out []rset
		for _, i := range partners[j] {
			if !removed[i] && peers(i, j) {
				out = append(out, sets[i])
			}
		}
		return out
	}
	for j := len(sets) - 1; j >= 0; j-- {
		if !sets[j].ok {
			continue
		}
		if _, ok := coveredBy(sets[j], kept(j)); ok {
			removed[j] = true
		}
	}
	out := map[int][]*vpc.Rule{}
	for j := range sets {
		if !removed[j] {
			continue
		}
		if by, ok := coveredBy(sets[j], kept(j)); ok {
			out[j] = by
		}
	}
	return out
}

// ruleSets compiles the rules that have partners; the others are never
// compared, so they are left uncompiled.
func (s *scan) ruleSets(rules []*vpc.Rule, partners [][]int) []rset {
	sets := make([]rset, len(rules))
	for i, r := range rules {
		if len(partners[i]) > 0 {
			sets[i] = s.ruleSet(r)
		} else {
			sets[i] = rset{r: r}
		}
	}
	return sets
}

// checkRedundantRules: WALLS-SG-010. Later rules are tested first against
// the union of the rules still kept, so removing every reported rule keeps
// the group's traffic exactly the same.
func checkRedundantRules(s *scan) {
	for _, g := range s.groupsWithRules() {
		for _, egress := range []bool{false, true} {
			rules := g.Rules(egress)
			if len(rules) < 2 {
				continue
			}
			ptrs := make([]*vpc.Rule, len(rules))
			for i := range rules {
				ptrs[i] = &rules[i]
			}
			partners := s.partners(ptrs, func(i, j int) bool { return true })
			if !anyPartner(partners) {
				continue
			}
			sets := s.ruleSets(ptrs, partners)
			red := redundantSet(sets, partners, func(i, j int) bool { return true })
			for j := range sets {
				if by, ok := red[j]; ok {
					s.add(s.redundancyFinding(g, sets[j], by, false))
				}
			}
		}
	}
}

// checkRedundantAcross: WALLS-SG-011. Groups are clustered by their exact
// member interfaces; within a cluster, a rule is redundant when the other
// groups' rules of the same direction cover it.
func checkRedundantAcross(s *scan) {
	clusters := map[string][]*vpc.SecurityGroup{}
	var keys []string
	for _, g := range s.groupsWithRules() {
		m := s.ix.Members[g.ID]
		if len(m) == 0 {
			continue
		}
		k := strings.Join(eniIDs(m), ",")
		if _, ok := clusters[k]; !ok {
			keys = append(keys, k)
		}
		clusters[k] = append(clusters[k], g)
	}
	for _, k := range keys {
		gs := clusters[k]
		if len(gs) < 2 {
			continue
		}
		for _, egress := range []bool{false, true} {
			var ptrs []*vpc.Rule
			var owner []*vpc.SecurityGroup
			for _, g := range gs {
				rules := g.Rules(egress)
				for i := range rules {
					ptrs = append(ptrs, &rules[i])
					owner = append(owner, g)
				}
			}
			partners := s.partners(ptrs, func(i, j int) bool { return owner[i] != owner[j] })
			if !anyPartner(partners) {
				continue
			}
			sets := s.ruleSets(ptrs, partners)
			red := redundantSet(sets, partners, func(i, j int) bool { return owner[i] != owner[j] })
			for j := range sets {
				by, ok := red[j]
				if !ok {
					continue
				}
				f := s.redundancyFinding(owner[j], sets[j], by, true)
				f.Message += fmt.Sprintf(" The groups share the same %d interfaces.", len(s.ix.Members[owner[j].ID]))
				s.add(f)
			}
		}
	}
}

func anyPartner(partners [][]int) bool {
	for _, p := range partners {
		if len(p) > 0 {
			return true
		}
	}
	return false
}
