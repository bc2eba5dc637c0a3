package audit

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/learn"
	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// Flows is the observed traffic the WALLS-FLOW checks compare the rules
// with: flowlog observations over a window.
type Flows struct {
	Observations []flowlog.Observation
	// From and To bound the window; zero when unknown (then the
	// observations' first and last seen times are used in messages).
	From, To time.Time
}

func (fl *Flows) window() string {
	from, to := fl.From, fl.To
	if from.IsZero() || to.IsZero() {
		for _, o := range fl.Observations {
			if !o.FirstSeen.IsZero() && (from.IsZero() || o.FirstSeen.Before(from)) {
				from = o.FirstSeen
			}
			if o.LastSeen.After(to) {
				to = o.LastSeen
			}
		}
	}
	if from.IsZero() || to.IsZero() {
		return "the observation window"
	}
	return fmt.Sprintf("the window %s to %s", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
}

// byInterface indexes accepted observations by interface id.
func (fl *Flows) byInterface() map[string][]*flowlog.Observation {
	m := map[string][]*flowlog.Observation{}
	for i := range fl.Observations {
		o := &fl.Observations[i]
		if o.Accepted {
			m[o.InterfaceID] = append(m[o.InterfaceID], o)
		}
	}
	return m
}

// obsMatches reports whether rule r could have admitted observation o: the
// direction (egress rules admit what the interface initiated), then
// membership of the protocol, port and remote address in the rule's
// compiled set (policy.Rules.AdmitsFlow; an ICMP rule admits an ICMP
// record of any type, docs/semantics.md#flowlog-icmp).
func obsMatches(rs *policy.Rules, r *vpc.Rule, o *flowlog.Observation) bool {
	return r.Egress == (o.Direction == flowlog.Outbound) && rs.AdmitsFlow(r, o.Protocol, o.Port, o.Remote)
}

// checkUnusedRules: WALLS-FLOW-001. A group is judged only when some of its
// member interfaces have flow records at all: an interface without any is
// more likely not logged than idle.
func checkUnusedRules(s *scan) {
	obs := s.opts.Flows.byInterface()
	win := s.opts.Flows.window()
	rs := policy.NewRules(s.inv)
	for _, g := range s.groupsWithRules() {
		m := s.ix.Members[g.ID]
		var seen []*flowlog.Observation
		logged := 0
		for _, e := range m {
			if o := obs[e.ID]; len(o) > 0 {
				logged++
				seen = append(seen, o...)
			}
		}
		if logged == 0 {
			continue
		}
		for _, egress := range []bool{false, true} {
			rules := g.Rules(egress)
			for i := range rules {
				r := &rules[i]
				used := false
				for _, o := range seen {
					if obsMatches(rs, r, o) {
						used = true
						break
					}
				}
				if used {
					continue
				}
				s.add(Finding{
					ResourceID: g.ID, Rule: ruleJSON(r), RuleRef: r.Ref(),
					Location: orLoc(locationOf(r.Source), locationOf(g.Source)),
					Message: fmt.Sprintf("%s rule %s (%s) matched no accepted traffic of its %d logged interfaces (of %d) in %s.",
						groupLabel(g), r.Ref(), r.String(), logged, len(m), win),
					key: ruleKey(r),
				})
			}
		}
	}
}

// checkLearnWouldTighten: WALLS-FLOW-002. It runs `walls learn` on the same
// observations (package learn, default options) and reports every group
// whose proposal removes allowed egress, with the size of the cut: rules
// before and after, the removed regions (exact, by the set algebra of
// plan.CompareRules), and the internet ports open before and after. If
// learn fails, it falls back to comparing the group's egress with what its
// members were seen to initiate, and says so.
func checkLearnWouldTighten(s *scan) {
	p, err := learn.Learn(s.inv, s.opts.Flows.Observations, learn.Options{Since: s.opts.Flows.From, Until: s.opts.Flows.To})
	if err != nil {
		s.note("walls learn failed (%v); compared each group's egress with its members' observed outbound traffic instead", err)
		observedTighten(s)
		return
	}
	win := s.opts.Flows.window()
	for i := range p.SecurityGroups {
		pg := &p.SecurityGroups[i]
		g := s.inv.Groups[pg.GroupID]
		if g == nil || pg.Status != plan.StatusProposed {
			continue
		}
		cur, err1 := plan.Rules(pg.GroupID, pg.CurrentEgress)
		prop, err2 := plan.Rules(pg.GroupID, pg.ProposedEgress)
		if err1 != nil || err2 != nil {
			continue
		}
		gd := plan.CompareRules(s.inv, pg.GroupID, cur, prop)
		if len(gd.Removed) == 0 && len(gd.RemovedPeers) == 0 {
			continue
		}
		var removed []string
		for _, r := range gd.Removed {
			removed = append(removed, r.String())
		}
		removed = append(removed, gd.RemovedPeers...)
		var kept []string
		for k := range prop {
			kept = append(kept, prop[k].String())
		}
		keptText := "no egress at all"
		if len(kept) > 0 {
			keptText = joinAnd(limitN(kept, 6))
		}
		before, _ := s.openTo(s.internetRules(cur), v4).space()
		after, _ := s.openTo(s.internetRules(prop), v4).space()
		s.add(Finding{
			ResourceID: g.ID, Location: locationOf(g.Source),
			Message: fmt.Sprintf("walls learn would tighten %s's egress from %s to %s, from what %d of its %d interfaces initiated in %s: %s. "+
				"Internet egress goes from %s to %s. Removed: %s.",
				groupLabel(g), plural(len(cur), "rule"), plural(len(prop), "rule"), pg.ObservedMembers, pg.Members, win, keptText,
				spaceOrNothing(before), spaceOrNothing(after), joinAnd(limitN(removed, 4))),
			Related: removed,
			key:     "tighten",
		})
	}
}

func spaceOrNothing(sp space) string {
	if sp.empty() {
		return "nothing"
	}
	return spaceText(sp)
}

func limitN(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(append([]string{}, xs[:n]...), fmt.Sprintf("%d more", len(xs)-n))
}

// observedTighten is the fallback of WALLS-FLOW-002: the group's current
// egress against what its members were seen to initiate, widened the way
// learn widens by default (docs/semantics.md#walls-choices): an internet destination becomes the
// port open to the whole internet, an in-VPC destination stays its address.
// The reduction is current − observed, computed exactly with netspace.
func observedTighten(s *scan) {
	obs := s.opts.Flows.byInterface()
	win := s.opts.Flows.window()
	in4, in6 := internetSets()
	for _, g := range s.groupsWithRules() {
		m := s.ix.Members[g.ID]
		logged := 0
		var need netspace.Builder
		services := map[string]bool{}
		for _, e := range m {
			os := obs[e.ID]
			if len(os) > 0 {
				logged++
			}
			for _, o := range os {
				if o.Direction != flowlog.Outbound || !o.Remote.IsValid() {
					continue
				}
				addrs, to := policy.PrefixSet(netip.PrefixFrom(o.Remote, o.Remote.BitLen())), o.Remote.String()
				switch {
				case o.Remote.Is4() && in4.Contains(o.Remote):
					addrs, to = in4, "the internet"
				case o.Remote.Is6() && in6.Contains(o.Remote):
					addrs, to = in6, "the internet"
				}
				services[policy.FlowText(o.Protocol, o.Port)+" to "+to] = true
				if set, err := policy.FlowSet(o.Protocol, o.Port, addrs); err == nil {
					need.Add(set)
				}
			}
		}
		if logged == 0 {
			continue
		}
		// The group's egress as it surely is; a peer walls cannot resolve
		// would make the cut a guess, so such a group is left out.
		resolvable := true
		for i := range g.Egress {
			if _, known := policy.PeerAddrs(s.inv, g.Egress[i].Peer); !known {
				resolvable = false
				break
			}
		}
		if !resolvable {
			continue
		}
		current := policy.RulesSet(s.inv, g.Egress, policy.Exact)
		observed := need.Set()
		cut := current.Subtract(observed)
		if cut.IsEmpty() {
			continue
		}
		var svc []string
		for k := range services {
			svc = append(svc, k)
		}
		slices.Sort(svc)
		kept := "nothing (no outbound connections were seen)"
		if len(svc) > 0 {
			kept = strings.Join(svc, ", ")
		}
		rs := s.internetRules(g.Egress)
		open4, _ := s.openTo(rs, v4).space()
		nowText := "no internet egress"
		if !open4.empty() {
			nowText = spaceText(open4) + " to the IPv4 internet"
		}
		s.add(Finding{
			ResourceID: g.ID, Location: locationOf(g.Source),
			Message: fmt.Sprintf("%s's %d logged interfaces (of %d) initiated only %s in %s, while its egress allows %s (%d egress rules, %d boxes of traffic); tightening to what was seen removes %d boxes of allowed traffic (%s).",
				groupLabel(g), logged, len(m), kept, win, nowText, len(g.Egress), current.NumBoxes(), cut.NumBoxes(), boxesText(cut, 3)),
			key: "tighten",
		})
	}
}

func boxesText(s netspace.Set, n int) string {
	bs := s.Boxes()
	var parts []string
	for i, b := range bs {
		if i == n {
			parts = append(parts, fmt.Sprintf("%d more", len(bs)-n))
			break
		}
		parts = append(parts, b.Text())
	}
	return "for example " + joinAnd(parts)
}
