package apply

import (
	"fmt"
	"io"
	"strings"

	"github.com/walls-dev/walls/internal/export"
)

// GroupReport is one group's part of a run, for printing.
type GroupReport struct {
	GroupID   string `json:"groupId"`
	GroupName string `json:"groupName,omitempty"`
	// Authorize and Revoke are the planned calls with their outcomes
	// (outcome "not made" for calls a failure stopped before).
	Authorize []Step `json:"authorize"`
	Revoke    []Step `json:"revoke"`
	// Kept counts the rules left as they are.
	Kept int `json:"kept"`
}

// NotMade is the outcome of a planned call a failure stopped before.
const NotMade = "not made"

// Planned is the change as planned calls, none made yet (outcome
// "planned"), group by group.
func Planned(changes []Change) []GroupReport {
	return Groups(changes, nil)
}

// Groups lays the run's steps over the planned changes: each call with
// its outcome, "not made" for calls never sent (or "planned" when rep is
// nil). Groups that do not change are left out.
func Groups(changes []Change, rep *Report) []GroupReport {
	done := map[string]Step{}
	if rep != nil {
		for _, s := range rep.Steps {
			done[s.GroupID+"|"+s.Action+"|"+s.RuleText] = s
		}
	}
	// outcome is the step as run: the reported one, or a planned one
	// never sent.
	outcome := func(s Step) Step {
		s.Outcome = "planned"
		if rep != nil {
			s.Outcome = NotMade
			if d, ok := done[s.GroupID+"|"+s.Action+"|"+s.RuleText]; ok {
				return d
			}
		}
		return s
	}
	var out []GroupReport
	for i := range changes {
		c := &changes[i]
		if !c.Changed() {
			continue
		}
		g := GroupReport{GroupID: c.GroupID, GroupName: c.GroupName, Kept: len(c.Keep), Authorize: []Step{}, Revoke: []Step{}}
		for j := range c.Add {
			g.Authorize = append(g.Authorize, outcome(Step{GroupID: c.GroupID, Action: Authorize, Rule: c.Add[j], RuleText: RuleText(&c.Add[j])}))
		}
		for j := range c.Remove {
			g.Revoke = append(g.Revoke, outcome(Step{GroupID: c.GroupID, Action: Revoke, Rule: c.Remove[j], RuleText: RuleText(&c.Remove[j]), RuleID: ruleID(&c.Remove[j])}))
		}
		out = append(out, g)
	}
	return out
}

// WriteText prints groups as people read them: per group, each rule
// authorized (+) and revoked (-) with its rule id and outcome.
func WriteText(w io.Writer, groups []GroupReport) error {
	var b strings.Builder
	for _, g := range groups {
		name := g.GroupID
		if g.GroupName != "" && g.GroupName != g.GroupID {
			name += " (" + g.GroupName + ")"
		}
		fmt.Fprintf(&b, "%s: %d to authorize, %d to revoke, %d stay\n", name, len(g.Authorize), len(g.Revoke), g.Kept)
		for _, s := range g.Authorize {
			b.WriteString(stepLine("+", s))
		}
		for _, s := range g.Revoke {
			b.WriteString(stepLine("-", s))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func stepLine(sign string, s Step) string {
	line := "  " + sign + " " + export.OneLine(s.RuleText)
	if s.RuleID != "" {
		line += " " + s.RuleID
	}
	if s.Outcome != "planned" {
		line += ": " + s.Outcome
	}
	if s.Error != "" {
		line += " (" + export.OneLine(s.Error) + ")"
	}
	return line + "\n"
}

// StepLines words steps one a line, for the rollback and what is left.
func StepLines(steps []Step) []string {
	out := make([]string, 0, len(steps))
	for _, s := range steps {
		l := fmt.Sprintf("%s %s %s", s.GroupID, s.Action, export.OneLine(s.RuleText))
		if s.RuleID != "" {
			l += " " + s.RuleID
		}
		l += ": " + s.Outcome
		if s.Error != "" {
			l += " (" + export.OneLine(s.Error) + ")"
		}
		out = append(out, l)
	}
	return out
}
