package audit

import (
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// Warning is an inventory warning as a report carries it: every one of
// them reaches the JSON and SARIF output, whatever stderr shows.
type Warning struct {
	Code     string    `json:"code"`
	Resource string    `json:"resource,omitempty"`
	Message  string    `json:"message"`
	Location *Location `json:"location,omitempty"`
	// Note marks information rather than a problem.
	Note bool `json:"note,omitempty"`
	// Skipped says what the problem left out of the audit: "file",
	// "resource" or "rule"; empty when nothing was.
	Skipped string `json:"skipped,omitempty"`
}

// Summary counts what the audit could not see: "no findings" is evidence
// only when these are all zero.
type Summary struct {
	// FilesSkipped: files found in a folder that could not be read (an
	// invalid file, one of another tool).
	FilesSkipped int `json:"filesSkipped"`
	// ResourcesSkipped: resources left out because AWS would reject them
	// as written, or because walls does not expand them.
	ResourcesSkipped int `json:"resourcesSkipped"`
	// RulesSkipped: rules, entries and list items left out because a
	// value they need is unknown (a parameter without default, a value
	// known only at apply time).
	RulesSkipped int `json:"rulesSkipped"`
	// UnknownValues: other values left unknown (a VPC, an address); the
	// resources holding them are audited without them.
	UnknownValues int `json:"unknownValues"`
}

// Skipped is the number of files, resources and rules left out.
func (s Summary) Skipped() int { return s.FilesSkipped + s.ResourcesSkipped + s.RulesSkipped }

// SkipKind says what a warning left out of the model: vpc.SkippedFile,
// SkippedResource, SkippedRule, "unknown" for another unknown value, or
// "" for nothing. Loaders that set Warning.Skipped say it themselves; for
// the others it is read from the code and the consequence the message
// ends with ("…; rule skipped").
func SkipKind(w vpc.Warning) string {
	if w.Note {
		return ""
	}
	if w.Skipped != "" {
		return w.Skipped
	}
	switch w.Code {
	case "skipped-file", "file-not-read":
		return vpc.SkippedFile
	case "skipped-resource", "module-not-read":
		return vpc.SkippedResource
	case "unknown-value":
		for _, s := range []string{"rule skipped", "item skipped", "entry skipped", "entries skipped", "rules skipped", "peers skipped"} {
			if strings.Contains(w.Message, s) {
				return vpc.SkippedRule
			}
		}
		if strings.Contains(w.Message, "skipped") {
			return vpc.SkippedResource
		}
		return "unknown"
	}
	return ""
}

// summarize turns the inventory's warnings into the report's.
func summarize(ws []vpc.Warning) ([]Warning, Summary) {
	var out []Warning
	var sum Summary
	for _, w := range ws {
		if w.Code == "snapshots" || w.Code == "gone-interfaces" || strings.HasPrefix(w.Code, "snapshot-") {
			continue // about older snapshots, which audit leaves out
		}
		k := SkipKind(w)
		switch k {
		case vpc.SkippedFile:
			sum.FilesSkipped++
		case vpc.SkippedResource:
			sum.ResourcesSkipped++
		case vpc.SkippedRule:
			sum.RulesSkipped++
		case "unknown":
			sum.UnknownValues++
			k = ""
		}
		out = append(out, Warning{Code: w.Code, Resource: w.Resource, Message: w.Message, Location: locationOf(w.Source), Note: w.Note, Skipped: k})
	}
	return out, sum
}
