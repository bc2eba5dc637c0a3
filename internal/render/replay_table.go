package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/plan"
)

// ReplayTableOptions tunes ReplayTable.
type ReplayTableOptions struct {
	// Width is the number of columns to fit (Unlimited: none).
	Width int
	// Lead is written before the summary, on its line (learn's "holdout
	// (…): ").
	Lead string
}

// ReplayTable writes a replay for people: the summary, why it does not
// pass, and the observations the plan would block as a table whose
// examples wrap.
func ReplayTable(w io.Writer, r *plan.ReplayReport, opts ReplayTableOptions) error {
	d := NewDoc(w, opts.Width)
	d.Line("", opts.Lead+replaySummary(r))
	for _, f := range r.Failures {
		d.Line("", "does not pass: "+f)
	}
	if r.AllowedUnattributed && r.Unattributed > 0 {
		d.Linef("", "accepted with --allow-unattributed: %d flow records of %d interfaces not attributed to loaded rules were not checked",
			r.Unattributed, r.UnattributedInterfaceCount)
	}
	if len(r.BlockedBy) == 0 {
		return d.Err()
	}
	t := &Table{Header: []string{"GROUPS", "PROTO", "PORT", "REMOTE", "FLOWS", "EXAMPLES"}, Prose: []int{5}}
	for _, b := range r.BlockedBy {
		var ex []string
		for _, e := range b.Examples {
			ex = append(ex, fmt.Sprintf("%s %s..%s", e.InterfaceID, e.FirstSeen.Format(time.RFC3339), e.LastSeen.Format(time.RFC3339)))
		}
		t.Append(strings.Join(b.GroupIDs, ","), protocolCell(b.Protocol), fmt.Sprint(b.Port), b.Remote, fmt.Sprint(b.Flows), strings.Join(ex, "; "))
	}
	d.Table(t)
	return d.Err()
}

// replaySummary is the replay's first line.
func replaySummary(r *plan.ReplayReport) string {
	s := fmt.Sprintf("%d of %d initiated, accepted flow records would be blocked", r.Blocked, r.Flows)
	var extra []string
	if r.AlreadyDenied > 0 {
		extra = append(extra, fmt.Sprintf("%d denied by the current rules too", r.AlreadyDenied))
	}
	if r.Unfiltered > 0 {
		extra = append(extra, fmt.Sprintf("%d to addresses no security group filters", r.Unfiltered))
	}
	if len(r.BlockedByConfidence) > 0 {
		var by []string
		for _, c := range []string{"exact", "by-rules", "heuristic", "ambiguous", "unknown"} {
			if n := r.BlockedByConfidence[c]; n > 0 {
				by = append(by, fmt.Sprintf("%d %s", n, c))
			}
		}
		extra = append(extra, "blocked by confidence: "+strings.Join(by, ", "))
	}
	if r.NotEvaluated > 0 {
		extra = append(extra, fmt.Sprintf("%d of interfaces that carry no security group, not evaluated: %s", r.NotEvaluated,
			strings.Join(r.NotEvaluatedInterfaces, ", ")))
	}
	if len(r.UnknownInterfaces) > 0 {
		extra = append(extra, fmt.Sprintf("interfaces not in the inventory left out: %s", strings.Join(r.UnknownInterfaces, ", ")))
	}
	if len(extra) > 0 {
		s += fmt.Sprintf(" (%s)", strings.Join(extra, "; "))
	}
	return s
}

// ReplayJSON writes a replay report as replay --format json does: the
// report's own JSON form after the "walls" field (WriteJSON), with <, >
// and & unescaped.
func ReplayJSON(w io.Writer, r *plan.ReplayReport, walls any) error {
	return WriteJSON(w, r, false, walls)
}
