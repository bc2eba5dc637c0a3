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
		s += ")."
		sk := SkipSummary(rep.Summary)
		if sk != "" {
			s = "No findings in what could be read (" + strings.TrimPrefix(s, "No findings (")
		}
		d.Line("", s)
		if sk != "" {
			d.Line("", sk)
		}
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
	if sk := SkipSummary(rep.Summary); sk != "" {
		d.Line("", sk)
	}
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

// SkipSummary words what an audit could not see ("Not audited: 2 files,
// 1 resource and 3 rules skipped; 4 values unknown; see the warnings."), or
// "" when it saw everything. A run with skips never says only "No
// findings".
func SkipSummary(sum audit.Summary) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{sum.FilesSkipped, "file"}, {sum.ResourcesSkipped, "resource"}, {sum.RulesSkipped, "rule"}} {
		if c.n > 0 {
			w := c.what
			if c.n > 1 {
				w += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", c.n, w))
		}
	}
	var out []string
	if len(parts) > 0 {
		out = append(out, joinList(parts)+" skipped")
	}
	if sum.UnknownValues > 0 {
		w := "values"
		if sum.UnknownValues == 1 {
			w = "value"
		}
		out = append(out, fmt.Sprintf("%d %s unknown", sum.UnknownValues, w))
	}
	if len(out) == 0 {
		return ""
	}
	return "Not audited: " + strings.Join(out, "; ") + " (see the warnings; --strict makes this a failure)."
}

func joinList(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
