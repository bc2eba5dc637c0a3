package plan

import (
	"fmt"
	"strings"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// Why "proposed ⊆ current" needs two proofs.
//
// Resolving peers to addresses answers the question for the inventory as it
// is: a reference to sg-X stands for the private addresses of sg-X's members
// today. But a reference follows membership: an interface that joins sg-X
// tomorrow is reached by "tcp 3306 to sg-X" without any rule changing, and a
// reference to a group with no members resolves to nothing, so the address
// proof would accept it whatever current allows. A prefix list likewise
// follows its entries. So a proposed rule is within current only when both
// hold:
//
//  1. addresses: the packets it allows, peers resolved against the
//     inventory, are a subset of what the group's current rules allow
//     (exact set algebra, netspace);
//  2. symbols: a group reference or prefix-list rule, taken over every
//     address its peer can ever stand for, is covered by the current rules
//     with the same peer together with the current address rules (CIDRs
//     and prefix lists, resolved). A group reference can only stand for
//     private addresses in its group's VPC (or a peered VPC, which walls
//     never proposes), so it is taken over that VPC's CIDR blocks of the
//     address families its members use today (both when it has none), plus
//     today's member addresses: the proof holds for any future member in
//     those families. (Taking IPv6 blocks for a group whose members are all
//     IPv4 would refuse every reference in dual-stack VPCs whose groups allow
//     0.0.0.0/0 only; a member gaining IPv6 is a change diff and apply see.)
//     When the VPC's blocks are unknown, the group's current member
//     addresses are used and the proof holds for today's members only. A prefix list is
//     taken over its entries; with unknown entries only a rule with the
//     same list covers it. References to other groups never cover, since
//     memberships can diverge.
//
// Both checks are sound (they never accept a rule that allows more than
// current) but not complete: coverage split between several current rules
// with different peers in a way neither check sees is reported as not
// proved rather than guessed.

// RuleWithin reports whether rule r allows nothing that the rules of
// current deny, by both proofs above; the reason says why not.
func RuleWithin(inv *vpc.Inventory, r *vpc.Rule, current []vpc.Rule) (bool, string) {
	return NewChecker(inv, current).Within(r)
}

// Checker answers RuleWithin for many rules against one group's current
// rules, compiling them once.
type Checker struct {
	inv *vpc.Inventory
	cur []vpc.Rule
	set netspace.Set
}

// NewChecker compiles current for RuleWithin questions.
func NewChecker(inv *vpc.Inventory, current []vpc.Rule) *Checker {
	return &Checker{inv: inv, cur: current, set: rulesSet(inv, current)}
}

// Current is the packets the current rules allow.
func (c *Checker) Current() netspace.Set { return c.set }

// Within is RuleWithin(inv, r, current).
func (c *Checker) Within(r *vpc.Rule) (bool, string) {
	rs, err := ruleSet(c.inv, r)
	if err != nil {
		return false, err.Error()
	}
	if !rs.Subset(c.set) {
		return false, "allows " + rs.Subtract(c.set).String() + ", which current rules deny"
	}
	return symbolWithin(c.inv, r, c.cur)
}

// symbolWithin is proof 2: r's traffic, over every address its peer can
// stand for, is covered by current rules with the same peer (over those
// same addresses) together with current address rules (CIDRs always,
// prefix lists when the reach is known). References to other groups cover
// nothing.
func symbolWithin(inv *vpc.Inventory, r *vpc.Rule, current []vpc.Rule) (bool, string) {
	if r.Peer.Kind == vpc.PeerCIDR {
		return true, "" // a CIDR stands for itself: the address proof decides
	}
	reach, known := symbolReach(inv, r.Peer)
	if !known {
		reach = familySet(inv, r.Peer)
	}
	want, err := netspace.RuleSet(int(r.Protocol), r.FromPort, r.ToPort, reach)
	if err != nil {
		return false, err.Error()
	}
	var have netspace.Builder
	for i := range current {
		c := &current[i]
		var addrs *netipx.IPSet
		switch {
		case sameSymbol(c.Peer, r.Peer):
			addrs = reach
		case c.Peer.Kind == vpc.PeerCIDR, known && c.Peer.Kind != vpc.PeerGroup:
			// A CIDR stands for itself whatever the inventory holds: when
			// the symbol's reach is unknown (every address of its
			// families), CIDRs covering all of those still prove it.
			addrs = peerAddrs(inv, c.Peer)
		default:
			continue
		}
		if s, err := netspace.RuleSet(int(c.Protocol), c.FromPort, c.ToPort, addrs); err == nil {
			have.Add(s)
		}
	}
	if want.Subset(have.Set()) {
		return true, ""
	}
	return false, fmt.Sprintf("no current rule covers %s %s to %s for every member or entry it may have",
		r.Protocol.Label(), r.PortText(), r.Peer)
}

func sameSymbol(a, b vpc.Peer) bool {
	switch {
	case a.Kind != b.Kind:
		return false
	case a.Kind == vpc.PeerGroup:
		return a.Group.GroupID == b.Group.GroupID
	case a.Kind == vpc.PeerPrefixList:
		return a.PrefixListID == b.PrefixListID
	}
	return false
}

// familySet is every address of the families a peer can match: an SG
// reference both (docs/semantics.md#protocols), a prefix list its own.
func familySet(inv *vpc.Inventory, p vpc.Peer) *netipx.IPSet { return policy.PeerFamilies(inv, p) }

// symbolReach is every address peer p can stand for, and whether that is
// known.
func symbolReach(inv *vpc.Inventory, p vpc.Peer) (*netipx.IPSet, bool) {
	switch p.Kind {
	case vpc.PeerCIDR:
		return prefixSet(p.Prefix), true
	case vpc.PeerPrefixList:
		pl := inv.PrefixLists[p.PrefixListID]
		if pl == nil || !pl.EntriesKnown {
			return nil, false
		}
		return prefixSet(pl.Entries...), true
	case vpc.PeerGroup:
		members := peerAddrs(inv, p)
		v4, v6 := false, false
		for _, r := range members.Ranges() {
			v4, v6 = v4 || r.From().Is4(), v6 || r.From().Is6()
		}
		if !v4 && !v6 {
			v4, v6 = true, true // no member today: any family tomorrow
		}
		if g := inv.Groups[p.Group.GroupID]; g != nil && g.VpcID != "" {
			if v := inv.VPCs[g.VpcID]; v != nil && (v4 && len(v.CIDRs) > 0 || v6 && len(v.IPv6CIDRs) > 0) {
				var b netipx.IPSetBuilder
				if v4 {
					for _, c := range v.CIDRs {
						b.AddPrefix(c)
					}
				}
				if v6 {
					for _, c := range v.IPv6CIDRs {
						b.AddPrefix(c)
					}
				}
				b.AddSet(members) // members outside the blocks (peered VPCs) count too
				s, _ := b.IPSet()
				return s, true
			}
		}
		// The VPC's blocks are not loaded: tomorrow's members may have any
		// address, so what the reference can stand for is not known.
		return members, false
	}
	return nil, false
}

// ProveWithin proves, for every proposed group of p, that the proposal
// allows nothing the current rules deny, by the address proof over the
// whole group and the symbolic proof per rule (see RuleWithin). Each
// violation names its group and the proposed rules at fault, by their
// index in proposedEgress.
func ProveWithin(inv *vpc.Inventory, p *Plan) Proof {
	pr := Proof{Holds: true, Method: "set algebra over protocol × port × address: per group, " +
		"the union of proposed rules ⊆ the union of current rules with peers resolved against the inventory, " +
		"and every SG-reference or prefix-list peer covered by a current rule with the same peer " +
		"or an address rule covering all it can stand for"}
	for i := range p.SecurityGroups {
		g := &p.SecurityGroups[i]
		if g.Status != StatusProposed {
			continue
		}
		pr.Checked++
		cur, err1 := Rules(g.GroupID, g.CurrentEgress)
		prop, err2 := Rules(g.GroupID, g.ProposedEgress)
		if err1 != nil || err2 != nil {
			pr.Holds = false
			pr.Violations = append(pr.Violations, fmt.Sprintf("%s: unreadable rules", g.GroupID))
			continue
		}
		c, q := rulesSet(inv, cur), rulesSet(inv, prop)
		widening := map[int]bool{}
		if !q.Subset(c) {
			// The union is within current exactly when every rule is:
			// name the rules that are not.
			var names []string
			for j := range prop {
				if rs, err := ruleSet(inv, &prop[j]); err == nil && !rs.Subset(c) {
					widening[j] = true
					names = append(names, fmt.Sprintf("proposedEgress[%d] %s", j, prop[j].String()))
				}
			}
			pr.Holds = false
			var extra []string
			for _, r := range Regions(q.Subtract(c)) {
				extra = append(extra, r.String())
			}
			pr.Violations = append(pr.Violations, fmt.Sprintf("%s: proposal allows %s, which current rules deny; widening rules: %s",
				g.GroupID, strings.Join(extra, "; "), strings.Join(names, "; ")))
		}
		for j := range prop {
			if widening[j] {
				continue
			}
			if ok, why := symbolWithin(inv, &prop[j], cur); !ok {
				pr.Holds = false
				pr.Violations = append(pr.Violations, fmt.Sprintf("%s: proposedEgress[%d] %s: %s", g.GroupID, j, prop[j].String(), why))
			}
		}
	}
	return pr
}

// Recheck recomputes proposed ⊆ current from the plan's own rules against
// inv, whatever its guarantees say: a plan is evidence, not authority, and
// a file can be edited after learn proved it. When the proof does not hold,
// the lines say so, group and rules named, the first noting when the
// plan's guarantees claimed it did.
func Recheck(inv *vpc.Inventory, p *Plan) (Proof, []string) {
	pr := ProveWithin(inv, p)
	if pr.Holds {
		return pr, nil
	}
	head := "proposed ⊆ current does not hold: the plan allows what the current rules deny"
	if g := p.Guarantees; g != nil && g.ProposedWithinCurrent.Holds {
		head += " (the plan's guarantees say it holds: they were edited, or computed against other rules)"
	}
	return pr, append([]string{head}, pr.Violations...)
}
