package render

import (
	"io"

	"github.com/walls-dev/walls/internal/plan"
)

// DiffTable writes a diff for people, its lines wrapped at width; all
// lists unchanged groups too.
func DiffTable(w io.Writer, d *plan.Diff, all bool, width int) error {
	doc := NewDoc(w, width)
	changed := 0
	for i := range d.SecurityGroups {
		g := &d.SecurityGroups[i]
		name := g.GroupID
		if g.GroupName != "" && g.GroupName != g.GroupID {
			name += " (" + g.GroupName + ")"
		}
		if !g.Changed() {
			if all {
				doc.Line("", name+": no change")
			}
			continue
		}
		changed++
		doc.Line("", name+":")
		if len(g.Removed) > 0 {
			doc.Line("  ", "no longer allowed:")
			for _, r := range g.RemovedSummary {
				doc.Line("    ", "- "+r)
			}
		}
		for _, s := range g.RemovedPeers {
			doc.Line("    ", "- "+s+" (as a reference, for every member or entry)")
		}
		if len(g.Added) > 0 {
			doc.Line("  ", "newly allowed (the plan allows more than the current rules):")
			for _, r := range g.AddedSummary {
				doc.Line("    ", "+ "+r)
			}
		}
		if len(g.AddedPeers) > 0 {
			// A symbol the current rules do not cover for every member or
			// entry it may have: not proved, which is not the same as more.
			doc.Line("  ", "not proved within the current rules (for every member or entry the peer may have):")
			for _, s := range g.AddedPeers {
				doc.Line("    ", "+ "+s+" (as a reference)")
			}
		}
	}
	if changed == 0 {
		doc.Line("", "no change: the plan allows exactly what the current rules allow")
	}
	return doc.Err()
}

// PlanFailures says, for people, that the plan at path does not hold and
// why (plan.Recheck's lines), wrapped at width. Nothing when it holds.
func PlanFailures(w io.Writer, path string, failures []string, width int) error {
	if len(failures) == 0 {
		return nil
	}
	d := NewDoc(w, width)
	d.Line("", "THE PLAN DOES NOT HOLD ("+path+"): "+failures[0])
	for _, f := range failures[1:] {
		d.Line("  ", "- "+f)
	}
	return d.Err()
}

// DiffJSON writes a diff as diff --format json does: the diff's own JSON
// form after the "walls" field (WriteJSON), with <, > and & unescaped.
func DiffJSON(w io.Writer, d *plan.Diff, walls any) error {
	return WriteJSON(w, d, false, walls)
}
