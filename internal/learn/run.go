package learn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

// run learns the proposal for every group of the inventory.
func (l *learner) run(obs []traffic.Observation) *plan.Plan {
	l.collect(obs)
	placement := l.place()
	byGroup := map[string][]*point{}
	for _, pt := range l.points {
		if pt.group != "" {
			byGroup[pt.group] = append(byGroup[pt.group], pt)
		}
	}
	ix := l.inv.Index()
	p := &plan.Plan{
		Version:     plan.Version,
		GeneratedBy: "walls learn",
		Inventory: plan.InventoryInfo{Fingerprint: plan.Fingerprint(l.inv), Groups: len(l.inv.Groups),
			Interfaces: len(l.inv.Interfaces)},
		Options:        plan.Options{Pin: l.opts.Pin, MaxRules: l.opts.MaxRules, HighPortRange: l.opts.HighPortRange},
		SecurityGroups: []plan.Group{},
	}
	for _, id := range l.inv.SortedGroupIDs() {
		g := l.inv.Groups[id]
		members := ix.Members[id]
		pg := plan.Group{GroupID: id, GroupName: g.Name, VpcID: g.VpcID, Members: len(members),
			CurrentEgress: currentRules(g)}
		var unobserved []string
		for _, m := range members {
			if l.observed[m.ID] {
				pg.ObservedMembers++
			} else {
				unobserved = append(unobserved, m.ID)
			}
		}
		// Members an older snapshot knew (instances an Auto Scaling group
		// replaced in the window) are learned from too.
		var goneObserved []string
		for _, m := range ix.GoneMembers[id] {
			if l.observed[m.ID] {
				goneObserved = append(goneObserved, m.ID)
			}
		}
		switch {
		case g.Gone:
			pg.Status, pg.Reason = plan.StatusUnchanged, "known only to an older snapshot: the group no longer exists"
		case !g.RulesKnown:
			pg.Status, pg.Reason = plan.StatusUnchanged, "its rules were not loaded"
		case len(members) == 0 && len(goneObserved) == 0:
			pg.Status, pg.Reason = plan.StatusUnchanged, "no member interfaces: nothing to learn from"
		case pg.ObservedMembers == 0 && len(goneObserved) == 0:
			pg.Status, pg.Reason = plan.StatusUnchanged, "no observed member traffic in the window: never emptied on no evidence"
		case l.opaque[id] != "":
			pg.Status, pg.Reason = plan.StatusUnchanged, l.opaque[id]
		default:
			pg.Status = plan.StatusProposed
			pg.Unobserved = examples(unobserved, 10)
			if len(unobserved) > 0 {
				pg.Notes = append(pg.Notes, fmt.Sprintf("%d of %d members had no observations in the window; "+
					"the proposal covers only what the observed members need", len(unobserved), len(members)))
			}
			if len(goneObserved) > 0 {
				pg.Notes = append(pg.Notes, fmt.Sprintf("learned from %d former members known only to older snapshots "+
					"(replaced instances) as well: %s", len(goneObserved), strings.Join(examples(goneObserved, 5), ", ")))
			}
			rules, count, widened, notes := l.build(g, byGroup[id])
			pg.ProposedEgress, pg.RuleCount, pg.Widened = rules, count, widened
			pg.Notes = append(pg.Notes, notes...)
			for _, r := range rules {
				if r.Evidence != nil && r.Evidence.Direction == plan.DirectionNotProven {
					pg.NotProvenRules++
					pg.NotProvenFlows += r.Evidence.Flows
				}
			}
			pg.Placement = placement[id]
			if n := untrackedNote(g, rules); n != "" {
				pg.Notes = append(pg.Notes, n)
			}
			if len(pg.ProposedEgress) == 0 {
				pg.Notes = append(pg.Notes, "no member initiated an accepted connection that needs a rule on this group: "+
					"replies to connections others start pass without egress rules, as security groups are stateful")
			}
		}
		if pg.Status == plan.StatusUnchanged {
			pg.ProposedEgress = append([]plan.Rule{}, pg.CurrentEgress...)
			pg.RuleCount = plan.Count(l.inv, g.Egress)
		}
		if pg.ProposedEgress == nil {
			pg.ProposedEgress = []plan.Rule{}
		}
		p.SecurityGroups = append(p.SecurityGroups, pg)
		if pg.Status == plan.StatusProposed {
			if p.NotProven == nil {
				p.NotProven = &plan.NotProven{}
			}
			p.NotProven.ProposedRules += len(pg.ProposedEgress)
			p.NotProven.Rules += pg.NotProvenRules
			p.NotProven.Flows += pg.NotProvenFlows
		}
	}
	p.Warnings = l.warnings()
	return p
}

func currentRules(g *vpc.SecurityGroup) []plan.Rule {
	out := make([]plan.Rule, 0, len(g.Egress))
	for i := range g.Egress {
		r := plan.FromVPC(&g.Egress[i])
		r.IsEgress = true
		out = append(out, r)
	}
	return out
}

func (l *learner) warnings() []string {
	var w []string
	keys := make([]deniedKey, 0, len(l.denied))
	for k := range l.denied {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].groups != keys[j].groups {
			return keys[i].groups < keys[j].groups
		}
		return keys[i].proven
	})
	for _, k := range keys {
		a := l.denied[k]
		if k.proven {
			w = append(w, fmt.Sprintf("%d accepted flow records (%d observations) of interfaces with groups [%s] are denied by "+
				"their current rules, so the proposal does not allow them (proposed ⊆ current): the rules changed in the window "+
				"or the inventory is not the one the flows went through", a.flows, a.n, k.groups))
			continue
		}
		w = append(w, fmt.Sprintf("%d accepted flow records (%d observations) of interfaces with groups [%s] would need "+
			"egress their current rules deny if the interfaces started them, but who started them was not proven "+
			"(heuristic or ambiguous): the other direction may be the true one, so the proposal does not allow them "+
			"(proposed ⊆ current)", a.flows, a.n, k.groups))
	}
	if len(l.unknown) > 0 {
		names := sortedSet(l.unknown)
		for i, id := range names {
			m := l.opts.Interfaces[id]
			var ids []string
			for _, v := range []string{m.InstanceID, m.SubnetID} {
				if v != "" {
					ids = append(ids, v)
				}
			}
			if len(ids) > 0 {
				names[i] = id + " (" + strings.Join(ids, ", ") + ")"
			}
		}
		w = append(w, fmt.Sprintf("%d interfaces in the flow logs are not in the inventory (replaced instances? give the "+
			"older snapshots too) and were left out: %s", len(l.unknown), strings.Join(examples(names, 5), ", ")))
	}
	if len(l.ungoverned) > 0 {
		w = append(w, fmt.Sprintf("%d interfaces initiated connections but carry no security group whose rules were loaded "+
			"(NAT gateways and endpoints have none); nothing was learned for them: %s",
			len(l.ungoverned), strings.Join(examples(sortedSet(l.ungoverned), 5), ", ")))
	}
	if l.unfilt > 0 {
		w = append(w, fmt.Sprintf("%d flow records to addresses no security group filters (instance metadata, "+
			"the VPC resolver, time sync) need no rule", l.unfilt))
	}
	if l.invalid > 0 {
		w = append(w, fmt.Sprintf("%d flow records pair ICMP with an IPv6 address or ICMPv6 with an IPv4 one, "+
			"which no rule can describe; left out", l.invalid))
	}
	return w
}

// untrackedNote warns of docs/semantics.md#sg-stateful: while a group allows all
// ports out to the whole internet, its inbound services open to the whole
// internet are untracked; the proposal removes that egress, so those
// connections become tracked, established ones drop once when the change is
// applied, and busy servers track many more connections.
func untrackedNote(g *vpc.SecurityGroup, proposed []plan.Rule) string {
	wide := func(r *vpc.Rule) bool {
		return r.Peer.Kind == vpc.PeerCIDR && r.Peer.Prefix.Bits() == 0 &&
			(r.Protocol == vpc.ProtoAll || r.Protocol.HasPorts() && r.FromPort <= 0 && r.ToPort >= 65535)
	}
	kept := map[string]bool{}
	for i := range proposed {
		if r, err := proposed[i].ToVPC(g.ID); err == nil && wide(&r) {
			kept[plan.Key(&r)] = true
		}
	}
	removed := false
	for i := range g.Egress {
		if wide(&g.Egress[i]) && !kept[plan.Key(&g.Egress[i])] {
			removed = true
		}
	}
	if !removed {
		return ""
	}
	var open []string
	for i := range g.Ingress {
		r := &g.Ingress[i]
		if r.Peer.Kind == vpc.PeerCIDR && r.Peer.Prefix.Bits() == 0 {
			open = append(open, strings.TrimPrefix(policy.RuleText(r), "ingress "))
		}
	}
	if len(open) == 0 {
		return ""
	}
	return "removing the all-ports egress to the whole internet makes connections to the inbound services open to " +
		"the whole internet (" + strings.Join(examples(uniq(open), 3), "; ") + ") tracked: established ones drop once " +
		"when the change is applied and clients reconnect, and busy servers track more connections (watch the " +
		"conntrack allowance)"
}
