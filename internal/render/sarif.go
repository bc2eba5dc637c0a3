package render

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/walls-dev/walls/internal/audit"
)

// SARIFOptions tunes the SARIF output of an audit.
type SARIFOptions struct {
	// BaseDir is the directory artifact URIs are made relative to (the
	// repository root in CI); empty means the working directory.
	BaseDir string
	// ToolVersion is walls' version; empty leaves it out, which keeps
	// golden files stable.
	ToolVersion string
}

const wallsURI = "https://github.com/walls-dev/walls"

// sarifLevel maps severities onto SARIF levels: critical and high are
// errors, medium warnings, low notes.
func sarifLevel(s audit.Severity) string {
	switch s {
	case audit.Critical, audit.High:
		return "error"
	case audit.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's numeric severity (its
// "security-severity" property: 9.0+ critical, 7.0+ high, 4.0+ medium).
func securitySeverity(s audit.Severity) string {
	switch s {
	case audit.Critical:
		return "9.5"
	case audit.High:
		return "8.0"
	case audit.Medium:
		return "5.5"
	}
	return "3.0"
}

func ptr[T any](v T) *T { return &v }

// AuditSARIF writes an audit report as SARIF 2.1.0, in the shape GitHub code
// scanning accepts: every check as a rule with metadata and a default level,
// every finding as a result with its location (file and line; a logical
// location naming the resource always), a stable partial fingerprint, and
// suppressed findings with their justification.
func AuditSARIF(w io.Writer, rep *audit.Report, opts SARIFOptions) error {
	report, err := sarif.New(sarif.Version210, true)
	if err != nil {
		return err
	}
	driver := &sarif.ToolComponent{
		Name:           "walls",
		InformationURI: ptr(wallsURI),
		Rules:          []*sarif.ReportingDescriptor{},
	}
	if opts.ToolVersion != "" {
		driver.SemanticVersion = ptr(opts.ToolVersion)
	}
	index := map[string]uint{}
	for i, c := range audit.Catalog() {
		index[c.ID] = uint(i)
		driver.Rules = append(driver.Rules, sarifRule(c))
	}
	run := &sarif.Run{Tool: sarif.Tool{Driver: driver}, Results: []*sarif.Result{}}
	base := opts.BaseDir
	if base == "" {
		base = "."
	}
	add := func(f audit.Finding) {
		r := &sarif.Result{
			RuleID:    ptr(f.CheckID),
			RuleIndex: ptr(index[f.CheckID]),
			Level:     ptr(sarifLevel(f.Severity)),
			Message:   sarif.Message{Text: ptr(f.Message)},
			PartialFingerprints: map[string]interface{}{
				"wallsFinding/v1": f.Fingerprint,
			},
		}
		r.Properties = sarif.Properties{"severity": f.Severity.String(), "resourceId": f.ResourceID}
		loc := &sarif.Location{LogicalLocations: []*sarif.LogicalLocation{{
			Name:               ptr(f.ResourceID),
			FullyQualifiedName: ptr(logicalName(f)),
			Kind:               ptr("resource"),
		}}}
		if f.Location != nil && f.Location.File != "" {
			line := f.Location.Line
			if line <= 0 {
				line = 1
			}
			loc.PhysicalLocation = &sarif.PhysicalLocation{
				ArtifactLocation: &sarif.ArtifactLocation{URI: ptr(artifactURI(base, f.Location.File)), URIBaseId: ptr("%SRCROOT%")},
				Region:           &sarif.Region{StartLine: ptr(line)},
			}
		} else {
			// No file (a live account): code scanning rejects the whole
			// upload for a result without an artifact URI, so the URI
			// names the resource, as image scanners name the image.
			loc.PhysicalLocation = &sarif.PhysicalLocation{
				ArtifactLocation: &sarif.ArtifactLocation{URI: ptr("aws/" + escapePath(f.ResourceID))},
			}
		}
		r.Locations = []*sarif.Location{loc}
		if f.Suppression != nil {
			s := &sarif.Suppression{Kind: "external", Status: ptr("accepted"), Justification: ptr(f.Suppression.Reason)}
			if f.Suppression.Source != nil && f.Suppression.Source.File != "" && strings.HasSuffix(f.Suppression.Source.File, ".tf") {
				s.Kind = "inSource"
			}
			r.Suppressions = []*sarif.Suppression{s}
		}
		run.Results = append(run.Results, r)
	}
	for _, f := range rep.Findings {
		add(f)
	}
	for _, f := range rep.Suppressed {
		add(f)
	}
	// Every inventory warning reaches the SARIF too, as a notification of
	// the run with its location: a skipped file or rule is visible where
	// the results are read, not only on a terminal.
	inv := &sarif.Invocation{ExecutionSuccessful: ptr(true), ToolExecutionNotifications: []*sarif.Notification{}}
	for _, w := range rep.Warnings {
		level := "warning"
		if w.Note {
			level = "note"
		}
		n := &sarif.Notification{Level: level, Message: &sarif.Message{Text: ptr(w.Message)}}
		n.Properties = sarif.Properties{"code": w.Code}
		if w.Skipped != "" {
			n.Properties["skipped"] = w.Skipped
		}
		if w.Location != nil && w.Location.File != "" {
			line := max(w.Location.Line, 1)
			n.Locations = []*sarif.Location{{PhysicalLocation: &sarif.PhysicalLocation{
				ArtifactLocation: &sarif.ArtifactLocation{URI: ptr(artifactURI(base, w.Location.File)), URIBaseId: ptr("%SRCROOT%")},
				Region:           &sarif.Region{StartLine: ptr(line)},
			}}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	if len(inv.ToolExecutionNotifications) > 0 {
		run.Invocations = []*sarif.Invocation{inv}
	}
	report.AddRun(run)
	return report.PrettyWrite(w)
}

func logicalName(f audit.Finding) string {
	if f.RuleRef != "" {
		return f.ResourceID + "/" + f.RuleRef
	}
	return f.ResourceID
}

// artifactURI makes file relative to base with forward slashes, as code
// scanning matches URIs against repository paths.
func artifactURI(base, file string) string {
	if filepath.IsAbs(file) {
		if ab, err := filepath.Abs(base); err == nil {
			if rel, err := filepath.Rel(ab, file); err == nil && !strings.HasPrefix(rel, "..") {
				file = rel
			}
		}
	}
	return escapePath(filepath.ToSlash(filepath.Clean(file)))
}

// escapePath percent-encodes each segment of a slash path, so the result is
// a valid URI reference: a space, '#', '?' or '%' in a file name would
// otherwise be rejected or read as a fragment or query; ':' is encoded too,
// or a first segment like "c:" would read as a scheme.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}

func sarifRule(c audit.Check) *sarif.ReportingDescriptor {
	help := c.Rationale + "\n\nRemediation: " + c.Remediation
	md := "**" + c.Title + "**\n\n" + c.Rationale + "\n\n**Remediation.** " + c.Remediation
	var refs []string
	for _, r := range c.References {
		label := r.Source
		if r.ID != "" {
			label += " " + r.ID
		}
		if r.URL != "" {
			refs = append(refs, "["+label+"]("+r.URL+")")
		} else {
			refs = append(refs, label)
		}
	}
	if len(refs) > 0 {
		md += "\n\n**References.** " + strings.Join(refs, ", ")
	}
	rule := &sarif.ReportingDescriptor{
		ID:                   c.ID,
		Name:                 ptr(ruleName(c.Title)),
		ShortDescription:     &sarif.MultiformatMessageString{Text: ptr(c.Title)},
		FullDescription:      &sarif.MultiformatMessageString{Text: ptr(c.Rationale)},
		Help:                 &sarif.MultiformatMessageString{Text: ptr(help), Markdown: ptr(md)},
		HelpURI:              ptr(wallsURI + "#" + strings.ToLower(c.ID)),
		DefaultConfiguration: &sarif.ReportingConfiguration{Level: sarifLevel(c.Severity)},
	}
	tags := []string{"security", "network", strings.ReplaceAll(c.Resource, " ", "-")}
	for _, r := range c.References {
		if r.ID != "" && (strings.HasPrefix(r.Source, "CIS") || r.Source == "AWS Security Hub") {
			tags = append(tags, r.Source+" "+r.ID)
		}
	}
	rule.Properties = sarif.Properties{
		"security-severity": securitySeverity(c.Severity),
		"precision":         "very-high",
		"tags":              tags,
	}
	return rule
}

// ruleName turns a title into the PascalCase name SARIF viewers show.
func ruleName(title string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}
