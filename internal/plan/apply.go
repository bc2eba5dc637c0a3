package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// DriftError says the inventory no longer holds the current rules a plan was
// made against, so acting on the plan would undo changes nobody reviewed.
type DriftError struct {
	GroupID string
	Missing []string // rules the plan recorded that the inventory lacks
	Extra   []string // rules the inventory has that the plan did not record
	Gone    bool     // the group is not in the inventory at all
}

func (e *DriftError) Error() string {
	if e.Gone {
		return fmt.Sprintf("plan is stale: %s is not in the inventory; run walls learn again", e.GroupID)
	}
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "removed since the plan: "+strings.Join(e.Missing, "; "))
	}
	if len(e.Extra) > 0 {
		parts = append(parts, "added since the plan: "+strings.Join(e.Extra, "; "))
	}
	return fmt.Sprintf("plan is stale: the egress rules of %s changed (%s); run walls learn again",
		e.GroupID, strings.Join(parts, "; "))
}

// CheckDrift compares the current rules recorded for every proposed group
// with the inventory's, ignoring order, rule ids and descriptions. It
// returns the first *DriftError found, in group order.
func CheckDrift(inv *vpc.Inventory, p *Plan) error {
	for i := range p.SecurityGroups {
		pg := &p.SecurityGroups[i]
		if pg.Status != StatusProposed {
			continue
		}
		g := inv.Groups[pg.GroupID]
		if g == nil || !g.RulesKnown {
			return &DriftError{GroupID: pg.GroupID, Gone: true}
		}
		recorded, err := Rules(pg.GroupID, pg.CurrentEgress)
		if err != nil {
			return err
		}
		missing, extra := ruleDelta(recorded, g.Egress)
		if len(missing)+len(extra) > 0 {
			return &DriftError{GroupID: pg.GroupID, Missing: missing, Extra: extra}
		}
	}
	return nil
}

// ruleDelta returns the rules of a not in b and of b not in a, as
// multisets compared by Key, each named as people read it ("egress tcp 22
// to 10.0.0.0/8").
func ruleDelta(a, b []vpc.Rule) (onlyA, onlyB []string) {
	count := map[string]int{}
	text := map[string]string{}
	for i := range a {
		k := Key(&a[i])
		count[k]++
		text[k] = a[i].String()
	}
	for i := range b {
		k := Key(&b[i])
		count[k]--
		text[k] = b[i].String()
	}
	for k, n := range count {
		for ; n > 0; n-- {
			onlyA = append(onlyA, text[k])
		}
		for ; n < 0; n++ {
			onlyB = append(onlyB, text[k])
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

// Apply returns a copy of inv in which every proposed group's egress is its
// proposal, for evaluating the plan (walls check --plan, replay). inv is not
// modified; unchanged parts are shared. It refuses with a *DriftError when
// the inventory's rules differ from those the plan recorded.
func Apply(inv *vpc.Inventory, p *Plan) (*vpc.Inventory, error) {
	if err := CheckDrift(inv, p); err != nil {
		return nil, err
	}
	out := &vpc.Inventory{
		Groups:      make(map[string]*vpc.SecurityGroup, len(inv.Groups)),
		NACLs:       inv.NACLs,
		Interfaces:  inv.Interfaces,
		Subnets:     inv.Subnets,
		VPCs:        inv.VPCs,
		PrefixLists: inv.PrefixLists,
		Loaded:      inv.Loaded,
		Warnings:    inv.Warnings,
	}
	for id, g := range inv.Groups {
		out.Groups[id] = g
	}
	for i := range p.SecurityGroups {
		pg := &p.SecurityGroups[i]
		if pg.Status != StatusProposed {
			continue
		}
		rules, err := Rules(pg.GroupID, pg.ProposedEgress)
		if err != nil {
			return nil, err
		}
		for j := range rules {
			rules[j].Egress = true
			rules[j].Source = vpc.Location{Path: fmt.Sprintf("plan securityGroups[%d].proposedEgress[%d]", i, j)}
		}
		g := *inv.Groups[pg.GroupID]
		g.Egress = rules
		out.Groups[pg.GroupID] = &g
	}
	return out, nil
}
