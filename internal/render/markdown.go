package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/walls-dev/walls/internal/audit"
)

// mdEscape makes s safe inside a Markdown table cell.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", "", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

var severityMark = map[audit.Severity]string{
	audit.Critical: "🔴 critical",
	audit.High:     "🟠 high",
	audit.Medium:   "🟡 medium",
	audit.Low:      "🔵 low",
}

// AuditMarkdown writes an audit report as Markdown for a pull-request
// comment: a summary line, one table row per finding (most severe first),
// and collapsed sections for suppressed findings, notes and the checks.
func AuditMarkdown(w io.Writer, rep *audit.Report) error {
	var b strings.Builder
	b.WriteString("### walls audit\n\n")
	if len(rep.Findings) == 0 {
		fmt.Fprintf(&b, "No findings from %d checks", len(rep.Checks))
		if n := rep.NotEvaluated(); n > 0 {
			fmt.Fprintf(&b, " (%d not evaluated for lack of data; see the notes)", n)
		}
		b.WriteString(".")
	} else {
		count, bySeverity := findingCounts(rep)
		fmt.Fprintf(&b, "**%s**: %s.", count, bySeverity)
	}
	if len(rep.Suppressed) > 0 {
		fmt.Fprintf(&b, " %d suppressed.", len(rep.Suppressed))
	}
	if sk := SkipSummary(rep.Summary); sk != "" {
		b.WriteString(" " + mdEscape(sk))
	}
	b.WriteString("\n\n")
	if len(rep.Findings) > 0 {
		writeMDTable(&b, rep.Findings, false)
	}
	if len(rep.Suppressed) > 0 {
		word := "findings"
		if len(rep.Suppressed) == 1 {
			word = "finding"
		}
		fmt.Fprintf(&b, "<details><summary>%d suppressed %s</summary>\n\n", len(rep.Suppressed), word)
		writeMDTable(&b, rep.Suppressed, true)
		b.WriteString("</details>\n\n")
	}
	var warns []audit.Warning
	for _, w := range rep.Warnings {
		if !w.Note {
			warns = append(warns, w)
		}
	}
	if len(warns) > 0 {
		// What the loaders skipped or left unknown, each with its place.
		word := "warnings"
		if len(warns) == 1 {
			word = "warning"
		}
		fmt.Fprintf(&b, "<details><summary>%d %s</summary>\n\n", len(warns), word)
		for _, w := range warns {
			if l := w.Location.String(); l != "" {
				fmt.Fprintf(&b, "- `%s`: %s\n", l, mdEscape(w.Message))
				continue
			}
			fmt.Fprintf(&b, "- %s\n", mdEscape(w.Message))
		}
		b.WriteString("\n</details>\n\n")
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintf(&b, "<details><summary>%d notes</summary>\n\n", len(rep.Notes))
		for _, n := range rep.Notes {
			if n.CheckID == "" { // what a loader left unknown: no check owns it
				fmt.Fprintf(&b, "- %s\n", mdEscape(n.Message))
				continue
			}
			fmt.Fprintf(&b, "- `%s`: %s\n", n.CheckID, mdEscape(n.Message))
		}
		b.WriteString("\n</details>\n\n")
	}
	seen := map[string]bool{}
	for _, f := range append(append([]audit.Finding{}, rep.Findings...), rep.Suppressed...) {
		seen[f.CheckID] = true
	}
	if len(seen) > 0 {
		b.WriteString("<details><summary>About these checks</summary>\n\n")
		for _, c := range audit.Catalog() {
			if !seen[c.ID] {
				continue
			}
			fmt.Fprintf(&b, "- **%s** %s: %s *Fix:* %s\n", c.ID, mdEscape(c.Title), mdEscape(c.Rationale), mdEscape(c.Remediation))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMDTable(b *strings.Builder, fs []audit.Finding, suppressed bool) {
	if suppressed {
		b.WriteString("| Severity | Check | Resource | Finding | Location | Reason |\n|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| Severity | Check | Resource | Finding | Location |\n|---|---|---|---|---|\n")
	}
	for _, f := range fs {
		loc := ""
		if f.Location != nil {
			loc = "`" + mdEscape(f.Location.String()) + "`"
		}
		fmt.Fprintf(b, "| %s | `%s` | `%s` | %s | %s |", severityMark[f.Severity], f.CheckID, mdEscape(f.ResourceID), mdEscape(f.Message), loc)
		if suppressed && f.Suppression != nil {
			reason := mdEscape(f.Suppression.Reason)
			if f.Suppression.Expires != "" {
				reason += " (until " + f.Suppression.Expires + ")"
			}
			fmt.Fprintf(b, " %s |", reason)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}
