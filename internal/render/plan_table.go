package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/walls-dev/walls/internal/plan"
)

// PlanTable writes a plan for people, fitted to width: per group, the
// proposed rules with their evidence (a table whose interface lists and
// reasons wrap), what changes, and the guarantees; then the holdout replay
// when the plan has one. The demo shows it.
func PlanTable(w io.Writer, p *plan.Plan, width int) error {
	d := NewDoc(w, width)
	for i := range p.SecurityGroups {
		g := &p.SecurityGroups[i]
		name := g.GroupID
		if g.GroupName != "" && g.GroupName != g.GroupID {
			name += " (" + g.GroupName + ")"
		}
		if g.Status == plan.StatusUnchanged {
			d.Linef("", "%s: unchanged: %s", name, g.Reason)
			continue
		}
		d.Linef("", "%s: egress %s now, %s proposed (%d of %d members observed)", name, plural(len(g.CurrentEgress), "rule"),
			plural(len(g.ProposedEgress), "rule"), g.ObservedMembers, g.Members)
		if len(g.ProposedEgress) == 0 {
			d.Line("  ", "(no egress rules: members only answer connections others start)")
		}
		// Consecutive rules with evidence are one table; a rule without
		// evidence is a line of its own between tables.
		kept := &Table{Indent: "  ", Prose: []int{1, 3}}
		apart := &Table{Indent: "    ", Prose: []int{1, 3}}
		for j := range g.ProposedEgress {
			r := &g.ProposedEgress[j]
			vr, err := r.ToVPC(g.GroupID)
			if err != nil {
				return err
			}
			rule := strings.TrimPrefix(vr.String(), "egress ")
			ev := r.Evidence
			if ev == nil {
				d.Table(kept)
				kept.Rows = nil
				d.Line("  ", rule)
				continue
			}
			cells := []string{rule, fmt.Sprintf("%d flow records from %s", ev.Flows, strings.Join(ev.Interfaces, ", ")), ev.Confidence}
			if len(ev.Why) > 0 {
				cells = append(cells, ev.Why[0])
			}
			if ev.Direction == plan.DirectionNotProven {
				apart.Append(cells...)
				continue
			}
			kept.Append(cells...)
		}
		d.Table(kept)
		if len(apart.Rows) > 0 {
			d.Linef("  ", "kept because the direction is not proven (%s, %d flow records: needed only if the member started them):",
				plural(g.NotProvenRules, "rule"), g.NotProvenFlows)
			d.Table(apart)
		}
		for _, s := range g.Placement {
			d.Line("  ", "placement: "+s)
		}
		for _, s := range g.Widened {
			d.Line("  ", "widened: "+s)
		}
		for _, s := range g.Notes {
			d.Line("  ", "note: "+s)
		}
	}
	if gu := p.Guarantees; gu != nil {
		d.Blank()
		d.Linef("", "proposed ⊆ current: %s (%s proved)", holds(gu.ProposedWithinCurrent.Holds), plural(gu.ProposedWithinCurrent.Checked, "group"))
		for _, v := range gu.ProposedWithinCurrent.Violations {
			d.Line("  ", v)
		}
		d.Linef("", "replay of the learning window: %s (%d initiated, accepted observations checked)",
			holds(gu.LearningReplay.Holds), gu.LearningReplay.Checked)
		for _, v := range gu.LearningReplay.Violations {
			d.Line("  ", v)
		}
	}
	if s := notProvenShare(p.NotProven); s != "" {
		d.Line("", "direction not proven: "+s)
	}
	if err := d.Err(); err != nil {
		return err
	}
	if r := p.Replay; r != nil {
		return ReplayTable(w, r, ReplayTableOptions{Width: width,
			Lead: fmt.Sprintf("holdout (last %g%% of the window): ", p.Window.HoldoutPercent)})
	}
	return nil
}

// notProvenShare says how much of the plan rests on connections whose
// direction is not proven, or "" when none does.
func notProvenShare(np *plan.NotProven) string {
	if np == nil || np.Rules == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d proposed rules (%.0f%%) exist only because of connections whose direction is not proven "+
		"(%d flow records): they are listed under \"kept because the direction is not proven\"; drop those the members "+
		"never start", np.Rules, np.ProposedRules, 100*float64(np.Rules)/float64(max(np.ProposedRules, 1)), np.Flows)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func holds(ok bool) string {
	if ok {
		return "holds"
	}
	return "DOES NOT HOLD"
}
