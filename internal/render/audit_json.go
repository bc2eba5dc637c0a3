package render

import (
	"io"

	"github.com/walls-dev/walls/internal/audit"
)

// AuditJSON writes an audit report as audit --format json does: the
// report's own JSON form after the "walls" field (WriteJSON).
func AuditJSON(w io.Writer, rep *audit.Report, walls any) error {
	return WriteJSON(w, rep, true, walls)
}

// catalogRef and catalogEntry are the JSON shape of one check of the
// catalogue (audit --list-checks --format json).
type catalogRef struct {
	Source string `json:"source"`
	ID     string `json:"id,omitempty"`
	URL    string `json:"url,omitempty"`
}

type catalogEntry struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Severity    string       `json:"severity"`
	Resource    string       `json:"resource"`
	Rationale   string       `json:"rationale"`
	Remediation string       `json:"remediation"`
	References  []catalogRef `json:"references,omitempty"`
	Needs       []string     `json:"needs,omitempty"`
}

// CheckCatalogJSON writes the catalogue of checks as
// audit --list-checks --format json does: {"walls": …, "checks": […]}.
func CheckCatalogJSON(w io.Writer, cat []audit.Check, walls any) error {
	var out []catalogEntry
	for _, c := range cat {
		e := catalogEntry{ID: c.ID, Title: c.Title, Severity: c.Severity.String(), Resource: c.Resource,
			Rationale: c.Rationale, Remediation: c.Remediation}
		for _, r := range c.References {
			e.References = append(e.References, catalogRef{r.Source, r.ID, r.URL})
		}
		for _, k := range c.Needs {
			e.Needs = append(e.Needs, string(k))
		}
		if c.NeedsFlows {
			e.Needs = append(e.Needs, "--flows")
		}
		out = append(out, e)
	}
	return WriteJSON(w, map[string]any{"checks": out}, true, walls)
}
