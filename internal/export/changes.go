// Package export writes a plan's proposed egress as a change people
// review in their own tools: Terraform (aws_vpc_security_group_egress_rule
// resources, import and removed blocks), CloudFormation
// (AWS::EC2::SecurityGroupEgress resources) and an AWS CLI script.
//
// Every format is computed from one account of what a plan changes, group
// by group (Changes): the rules to add, the rules that exist already and
// stay, and the rules to remove. walls apply is meant to act on the same
// account.
package export

import (
	"fmt"
	"strings"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// Change is what a plan changes in one proposed group's egress.
type Change struct {
	GroupID   string
	GroupName string
	// Group is the inventory's group, with where it was declared; nil when
	// the plan is exported without its inventory.
	Group *vpc.SecurityGroup
	// Add are the proposed rules no current rule already is, in the
	// plan's order.
	Add []Proposed
	// Keep are the proposed rules a current rule already is (same
	// protocol, ports and peer): they stay as they are.
	Keep []Kept
	// Remove are the current rules no proposed rule is.
	Remove []vpc.Rule
	// Current is every current egress rule of the group, in input order.
	Current []vpc.Rule
}

// Proposed is one proposed rule with the evidence the plan gives for it.
type Proposed struct {
	Rule     vpc.Rule
	Evidence *plan.Evidence
	// Index is the rule's place in the group's proposedEgress.
	Index int
}

// Kept is a proposed rule that already exists: Existing is the current
// rule (its ID is the sgr- id when the input knew it).
type Kept struct {
	Proposed
	Existing vpc.Rule
}

// Changes computes, for every proposed group of p, the rules to add, keep
// and remove. inv is the inventory the plan was made against (its groups
// say where they and their rules were declared, and hold the rule ids);
// when it lacks a group, or is nil, the plan's recorded current rules are
// used. Rules are matched by what they allow (plan.Key), as AWS matches
// duplicates; callers check drift (plan.CheckDrift) first.
func Changes(p *plan.Plan, inv *vpc.Inventory) ([]Change, error) {
	var out []Change
	for i := range p.SecurityGroups {
		pg := &p.SecurityGroups[i]
		if pg.Status != plan.StatusProposed {
			continue
		}
		c := Change{GroupID: pg.GroupID, GroupName: pg.GroupName}
		prop, err := plan.Rules(pg.GroupID, pg.ProposedEgress)
		if err != nil {
			return nil, err
		}
		if inv != nil && inv.Groups[pg.GroupID] != nil && inv.Groups[pg.GroupID].RulesKnown {
			c.Group = inv.Groups[pg.GroupID]
			c.Current = append([]vpc.Rule(nil), c.Group.Egress...)
			if c.GroupName == "" {
				c.GroupName = c.Group.Name
			}
		} else if c.Current, err = plan.Rules(pg.GroupID, pg.CurrentEgress); err != nil {
			return nil, err
		}
		// Match proposed rules to current ones by key, each current rule
		// at most once, in order.
		byKey := map[string][]int{}
		for j := range c.Current {
			k := plan.Key(&c.Current[j])
			byKey[k] = append(byKey[k], j)
		}
		used := make([]bool, len(c.Current))
		for j := range prop {
			pr := Proposed{Rule: prop[j], Evidence: pg.ProposedEgress[j].Evidence, Index: j}
			pr.Rule.Egress = true
			k := plan.Key(&prop[j])
			if idx := byKey[k]; len(idx) > 0 {
				byKey[k] = idx[1:]
				used[idx[0]] = true
				c.Keep = append(c.Keep, Kept{Proposed: pr, Existing: c.Current[idx[0]]})
				continue
			}
			c.Add = append(c.Add, pr)
		}
		for j := range c.Current {
			if !used[j] {
				c.Remove = append(c.Remove, c.Current[j])
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// RuleID is the rule's security group rule id (sgr-…), or "" when the
// input did not hold it (the model's ID may be a resource address).
func RuleID(r *vpc.Rule) string {
	if strings.HasPrefix(r.ID, "sgr-") {
		return r.ID
	}
	return ""
}

// IsGroupID reports whether s is a security group id (sg-…) rather than
// a resource address or logical id standing for one.
func IsGroupID(s string) bool { return strings.HasPrefix(s, "sg-") }

// Changed reports whether the group's rules change at all.
func (c *Change) Changed() bool { return len(c.Add)+len(c.Remove) > 0 }

// Inline reports whether the group's current egress rules are written
// inside its own resource by tool (Terraform egress blocks,
// CloudFormation's SecurityGroupEgress property, or CloudFormation's
// default egress, kept when that property is absent).
func (c *Change) Inline(tool string) bool {
	if c.Group == nil || c.Group.Declared.Tool != tool {
		return false
	}
	for i := range c.Current {
		if d := c.Current[i].Declared; d.Tool == tool && d.Inline {
			return true
		}
	}
	return false
}

// evidenceLines words a proposed rule's evidence as comment lines.
func evidenceLines(e *plan.Evidence) []string {
	if e == nil {
		return nil
	}
	s := fmt.Sprintf("evidence: %d observations, %d flow records, confidence %s", e.Observations, e.Flows, e.Confidence)
	if e.Direction != "" {
		s += ", direction " + e.Direction
	}
	out := []string{s}
	if len(e.Interfaces) > 0 {
		out = append(out, "  from "+listCap(e.Interfaces, 5))
	}
	if len(e.Remotes) > 0 {
		out = append(out, "  to "+listCap(e.Remotes, 5))
	}
	if len(e.Ports) > 0 {
		ps := make([]string, len(e.Ports))
		for i, p := range e.Ports {
			ps[i] = fmt.Sprint(p)
		}
		out = append(out, "  ports "+listCap(ps, 10))
	}
	if e.FirstSeen != nil && e.LastSeen != nil {
		out = append(out, "  seen "+e.FirstSeen.UTC().Format("2006-01-02T15:04:05Z")+" to "+e.LastSeen.UTC().Format("2006-01-02T15:04:05Z"))
	}
	for _, w := range e.Why {
		out = append(out, "  why: "+w)
	}
	return out
}

func listCap(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(" and %d more", len(s)-n)
}

// oneLine keeps text on one comment line: control characters become
// spaces.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// ruleText names a rule for comments: "tcp 443 to 0.0.0.0/0 (sgr-…)".
func ruleText(r *vpc.Rule) string {
	s := strings.TrimPrefix(r.String(), "egress ")
	if id := RuleID(r); id != "" {
		s += " (" + id + ")"
	}
	return OneLine(s)
}

// ruleTextDesc is ruleText with the rule's description, to recognise a
// rule that goes.
func ruleTextDesc(r *vpc.Rule) string {
	if r.Description == "" {
		return ruleText(r)
	}
	return ruleText(r) + OneLine(fmt.Sprintf(" %q", r.Description))
}
