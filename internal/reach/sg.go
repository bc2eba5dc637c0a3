package reach

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// sgHop evaluates the union of an interface's security groups in one
// direction (docs/semantics.md#sg-pool): the packet passes when any rule of any attached
// group matches it. peer is the remote address: the destination for
// egress, the source for ingress; peerIf is the inventory interface at the
// other end, or nil when it is none.
func sgHop(inv *vpc.Inventory, rs *policy.Rules, step Step, eni *vpc.Interface, egress bool, req *Request, peer netip.Addr, peerIf *vpc.Interface, icmpCode int32) Hop {
	dir, prep := "ingress", "from"
	if egress {
		dir, prep = "egress", "to"
	}
	h := Hop{Step: step, Resource: strings.Join(eni.GroupIDs, ",")}
	if len(eni.GroupIDs) == 0 {
		if eni.RequesterManaged || (eni.Type != "" && eni.Type != "interface") {
			h.Result = Skipped
			h.Reason = fmt.Sprintf("%s (%s) carries no security groups: it is managed by an AWS service and not governed by your security groups", eni.ID, typeOr(eni))
			return h
		}
		h.Result = NotEvaluated
		h.Reason = fmt.Sprintf("%s lists no security groups", eni.ID)
		return h
	}
	if !inv.HasGroupRules() {
		h.Result = NotEvaluated
		h.Reason = "no security group rules loaded (add describe-security-groups or describe-security-group-rules output)"
		return h
	}
	var missing, undetermined, unknownGroups []string
	pkt := policy.RulePacket(req.Protocol, req.Port, req.ICMPType, icmpCode, peer)
	for _, gid := range eni.GroupIDs {
		g, ok := inv.Groups[gid]
		if !ok || !g.RulesKnown {
			missing = append(missing, gid)
			continue
		}
		rules := g.Rules(egress)
		for i := range rules {
			r := &rules[i]
			// Membership in the rule's compiled sets (policy.RuleSet):
			// in the exact set, the rule admits the packet; in the upper
			// bound only, it hangs on a peer walls cannot resolve: a
			// prefix list whose entries are not loaded, or a group the
			// inventory lacks when the other end is no inventory
			// interface (one is, its groups are listed: AdmitsAt).
			switch rs.AdmitsAt(r, pkt, peerIf) {
			case policy.Maybe:
				if r.Peer.Kind == vpc.PeerPrefixList {
					undetermined = append(undetermined, r.Ref())
				} else if !slices.Contains(unknownGroups, r.Peer.Group.GroupID) {
					unknownGroups = append(unknownGroups, r.Peer.Group.GroupID)
				}
			case policy.Yes:
				h.Result = Allow
				h.Resource = gid
				h.Rule = r
				h.Reason = fmt.Sprintf("%s allows: %s%s", ruleName(g, r), policy.RuleText(r), peerNote(r, peer))
				return h
			}
		}
	}
	if len(missing) > 0 || len(undetermined) > 0 || len(unknownGroups) > 0 {
		h.Result = NotEvaluated
		var why []string
		if len(missing) > 0 {
			why = append(why, "rules of "+strings.Join(missing, ", ")+" are not loaded")
		}
		if len(undetermined) > 0 {
			why = append(why, "the prefix lists of "+strings.Join(undetermined, ", ")+" are not loaded")
		}
		for _, gid := range unknownGroups {
			if inv.Groups[gid] != nil {
				why = append(why, "no network interfaces are loaded, so the members of "+gid+" are unknown")
			} else {
				why = append(why, gid+" is not in the inventory; its members are unknown")
			}
		}
		h.Reason = fmt.Sprintf("no loaded %s rule matches %s %s %s, and %s", dir, req.Describe(), prep, peer, strings.Join(why, "; "))
		return h
	}
	h.Result = Deny
	h.Reason = fmt.Sprintf("no %s rule of %s matches %s %s %s", dir, strings.Join(eni.GroupIDs, ", "), req.Describe(), prep, peer)
	return h
}

// ruleName names a rule with its group: "sgr-… of sg-… (name)" or
// "sg-… (name) egress[2]".
func ruleName(g *vpc.SecurityGroup, r *vpc.Rule) string {
	grp := g.ID
	if g.Name != "" {
		grp += " (" + g.Name + ")"
	}
	if r.ID != "" {
		return r.ID + " of " + grp
	}
	dir := "ingress"
	if r.Egress {
		dir = "egress"
	}
	return fmt.Sprintf("%s %s[%d]", grp, dir, r.Index)
}

func typeOr(eni *vpc.Interface) string {
	if eni.Type == "" {
		return "requester-managed"
	}
	return eni.Type
}

func peerNote(r *vpc.Rule, addr netip.Addr) string {
	if r.Assumed {
		return " (an assumed default: the template does not declare it, CloudFormation adds it)"
	}
	p := r.Peer
	switch p.Kind {
	case vpc.PeerGroup:
		return fmt.Sprintf(" (%s is a private address of a member of %s)", addr, p.Group.GroupID)
	case vpc.PeerPrefixList:
		return fmt.Sprintf(" (%s is in prefix list %s)", addr, p.PrefixListID)
	}
	return ""
}
