package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/walls-dev/walls/internal/audit"
)

// AuditTableOptions tunes the table of an audit.
type AuditTableOptions struct {
	// Width is the number of columns to fit (Unlimited: none).
	Width int
	// Color colours the severities (a terminal).
	Color bool
}

// AuditTable writes an audit report for people: one row per finding, most
// severe first, and a summary line; a line alone when nothing was found.
func AuditTable(w io.Writer, rep *audit.Report, opts AuditTableOptions) error {
	d := NewDoc(w, opts.Width)
	if len(rep.Findings) == 0 {
		s := fmt.Sprintf("No findings (%d checks run", len(rep.Checks))
		if n := rep.NotEvaluated(); n > 0 {
			s += fmt.Sprintf(", %d not evaluated for lack of data", n)
		}
		if len(rep.Suppressed) > 0 {
			s += fmt.Sprintf(", %d suppressed", len(rep.Suppressed))
		}
		d.Line("", s+").")
		return d.Err()
	}
	t := &Table{Style: Boxed, Header: []string{"SEVERITY", "CHECK", "RESOURCE", "FINDING", "LOCATION"}, Prose: []int{3}}
	for _, f := range rep.Findings {
		sev := strings.ToUpper(f.Severity.String())
		if opts.Color {
			sev = severityColor(f.Severity).Sprint(sev)
		}
		t.Append(sev, f.CheckID, f.ResourceID, f.Message, f.Location.String())
	}
	d.Table(t)
	d.Line("", auditSummary(rep))
	return d.Err()
}

func severityColor(s audit.Severity) text.Colors {
	switch s {
	case audit.Critical:
		return text.Colors{text.FgHiRed, text.Bold}
	case audit.High:
		return text.Colors{text.FgRed}
	case audit.Medium:
		return text.Colors{text.FgYellow}
	}
	return text.Colors{text.FgCyan}
}

func auditSummary(rep *audit.Report) string {
	count, bySeverity := findingCounts(rep)
	out := count + ": " + bySeverity
	if len(rep.Suppressed) > 0 {
		out += fmt.Sprintf(" (%d suppressed)", len(rep.Suppressed))
	}
	return out + "."
}

// CheckCatalogTable writes the catalogue of audit checks for people.
func CheckCatalogTable(w io.Writer, cat []audit.Check, width int) error {
	t := &Table{Style: Boxed, Header: []string{"CHECK", "SEVERITY", "TITLE", "REFERENCES"}, Prose: []int{2, 3}}
	for _, c := range cat {
		var refs []string
		for _, r := range c.References {
			if r.ID != "" {
				refs = append(refs, r.Source+" "+r.ID)
			}
		}
		t.Append(c.ID, c.Severity.String(), c.Title, strings.Join(refs, "; "))
	}
	return t.Render(w, width)
}

// findingCounts words a report's findings for its summary line: the count
// ("3 findings") and the count per severity, most severe first ("1
// critical, 2 high"). The table and Markdown renderings share it.
func findingCounts(rep *audit.Report) (count, bySeverity string) {
	counts := map[audit.Severity]int{}
	for _, f := range rep.Findings {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []audit.Severity{audit.Critical, audit.High, audit.Medium, audit.Low} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	word := "findings"
	if len(rep.Findings) == 1 {
		word = "finding"
	}
	return fmt.Sprintf("%d %s", len(rep.Findings), word), strings.Join(parts, ", ")
}
