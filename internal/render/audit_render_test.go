package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/inventory"
)

var updateAudit = flag.Bool("update-audit", false, "rewrite the audit golden files")

func auditReport(t *testing.T) *audit.Report {
	t.Helper()
	inv, err := inventory.Load([]string{"../inventory/testdata/equivalent/awscli"})
	if err != nil {
		t.Fatal(err)
	}
	sups := []audit.Suppression{
		{CheckID: audit.RiskyEgress, Resource: "sg-0a1b2c3d4e5f60003", Reason: "vendor bastion, OPS-12", Expires: "2027-01-31"},
		{CheckID: audit.UnattachedGroup, Resource: "sg-0a1b2c3d4e5f60005", Reason: "kept for rollback", Expires: "2026-06-30",
			Source: &audit.Location{File: "walls-suppressions.yaml", Line: 2}},
	}
	return audit.Run(inv, audit.Options{Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Suppressions: sups})
}

func checkGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *updateAudit {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (go test ./internal/render -update-audit):\n%s", file, got)
	}
}

// TestAuditSARIF checks what GitHub code scanning requires of an upload and
// that the output is stable: same input, same bytes, same fingerprints.
func TestAuditSARIF(t *testing.T) {
	rep := auditReport(t)
	var a, b bytes.Buffer
	if err := AuditSARIF(&a, rep, SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := AuditSARIF(&b, auditReport(t), SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("SARIF differs between two runs on the same input")
	}
	var doc struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
						Help struct {
							Markdown string `json:"markdown"`
						} `json:"help"`
						DefaultConfiguration struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Suppressions        []struct {
					Kind          string `json:"kind"`
					Justification string `json:"justification"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(a.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || doc.Schema == "" || len(doc.Runs) != 1 || doc.Runs[0].Tool.Driver.Name != "walls" {
		t.Fatalf("header: version %q schema %q runs %d", doc.Version, doc.Schema, len(doc.Runs))
	}
	run := doc.Runs[0]
	for _, r := range run.Tool.Driver.Rules {
		if r.ShortDescription.Text == "" || r.Help.Markdown == "" || r.DefaultConfiguration.Level == "" || r.Properties["security-severity"] == nil {
			t.Errorf("rule %s lacks metadata", r.ID)
		}
	}
	if len(run.Results) == 0 {
		t.Fatal("no results")
	}
	suppressed := 0
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d does not name %s", r.RuleIndex, r.RuleID)
		}
		if r.Message.Text == "" || r.PartialFingerprints["wallsFinding/v1"] == "" {
			t.Errorf("%s: message and fingerprint are required", r.RuleID)
		}
		if len(r.Locations) == 0 || r.Locations[0].PhysicalLocation == nil ||
			r.Locations[0].PhysicalLocation.Region.StartLine < 1 || strings.Contains(r.Locations[0].PhysicalLocation.ArtifactLocation.URI, `\`) {
			t.Errorf("%s: want a physical location with a line and a forward-slash URI", r.RuleID)
		}
		if len(r.Suppressions) > 0 {
			suppressed++
			if r.Suppressions[0].Justification == "" {
				t.Errorf("%s: suppression without justification", r.RuleID)
			}
		}
	}
	if suppressed != 1 {
		t.Errorf("want 1 suppressed result (the other suppression expired), got %d", suppressed)
	}
	checkGolden(t, "testdata/audit.sarif", a.Bytes())
}

func TestAuditMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := AuditMarkdown(&b, auditReport(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"### walls audit", "| Severity | Check |", "WALLS-SG-001", "WALLS-META-001", "suppressed finding", "vendor bastion"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	checkGolden(t, "testdata/audit.md", b.Bytes())
	var empty bytes.Buffer
	if err := AuditMarkdown(&empty, &audit.Report{Checks: []string{"WALLS-SG-001"}}); err != nil || !strings.Contains(empty.String(), "No findings") {
		t.Errorf("empty report: %q %v", empty.String(), err)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	if got := mdEscape("a|b\nc<d>"); got != `a\|b c&lt;d&gt;` {
		t.Errorf("mdEscape = %q", got)
	}
}

// A note that no check owns (what a loader left unknown) has no check id:
// it renders as a plain item, not an empty code span.
func TestMarkdownNoteWithoutCheck(t *testing.T) {
	var b bytes.Buffer
	rep := &audit.Report{Checks: []string{"WALLS-SG-001"}, Notes: []audit.Note{
		{CheckID: "WALLS-SG-007", Message: "not evaluated"},
		{Message: "main.tf:8: aws_security_group.m: ingress[0].cidr_blocks is unknown"},
	}}
	if err := AuditMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "``") {
		t.Errorf("markdown has an empty code span:\n%s", out)
	}
	for _, want := range []string{"- `WALLS-SG-007`: not evaluated\n", "- main.tf:8: aws_security_group.m: ingress[0].cidr_blocks is unknown\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

// GitHub code scanning rejects the whole upload when one result's location
// has no physicalLocation.artifactLocation.uri ("locationFromSarifResult:
// expected artifact location"). Findings on a live account (--aws) have no
// file: they still get an artifact URI that names the resource.
func TestSARIFFindingWithoutFile(t *testing.T) {
	rep := &audit.Report{Checks: []string{audit.OpenEgress}, Findings: []audit.Finding{{
		CheckID: audit.OpenEgress, Severity: audit.Critical, ResourceID: "sg-0a1b2c3d4e5f60021", ResourceType: "security group",
		Message: "open", RuleRef: "sg-0a1b2c3d4e5f60021/egress[0]", Fingerprint: "f1",
	}}}
	var b bytes.Buffer
	if err := AuditSARIF(&b, rep, SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	res := doc.Runs[0].Results
	if len(res) != 1 || len(res[0].Locations) == 0 || res[0].Locations[0].PhysicalLocation == nil {
		t.Fatalf("result without a physical location:\n%s", b.String())
	}
	if uri := res[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; !strings.Contains(uri, "sg-0a1b2c3d4e5f60021") || strings.Contains(uri, ":") {
		t.Errorf("artifact URI %q: want one naming the resource, without a scheme", uri)
	}
}

// "No findings" must not read as a clean bill when checks could not run.
func TestMarkdownNoFindingsSaysWhatWasNotEvaluated(t *testing.T) {
	var b bytes.Buffer
	rep := &audit.Report{Checks: []string{"WALLS-SG-001", "WALLS-SG-007", "WALLS-FLOW-001"}, Notes: []audit.Note{
		{CheckID: "WALLS-SG-007", Message: "not evaluated: no network interfaces in the input"},
		{CheckID: "WALLS-FLOW-001", Message: "not evaluated: needs --flows"},
		{Message: "main.tf:3: something is unknown"},
	}}
	if err := AuditMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No findings from 3 checks (2 not evaluated for lack of data; see the notes).") {
		t.Errorf("summary:\n%s", b.String())
	}
}

// artifactLocation.uri is a URI reference: a space or a '#' in a path must be
// percent-encoded, or the upload is rejected or points at another file.
func TestArtifactURIIsAValidURIReference(t *testing.T) {
	for in, want := range map[string]string{
		"infra/sg.json":            "infra/sg.json",
		"my infra/sg.json":         "my%20infra/sg.json",
		"envs/#1/main.tf":          "envs/%231/main.tf",
		"stacks/a b/tmpl[1].yaml":  "stacks/a%20b/tmpl%5B1%5D.yaml",
		"./infra/../infra/sg.json": "infra/sg.json",
	} {
		if got := artifactURI(".", in); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// A pull-request comment says what was skipped and lists the warnings with
// their place; notes stay out of the warnings list.
func TestAuditMarkdownWarnings(t *testing.T) {
	rep := &audit.Report{Findings: []audit.Finding{}, Checks: []string{"WALLS-SG-001"},
		Summary: audit.Summary{FilesSkipped: 1, RulesSkipped: 2},
		Warnings: []audit.Warning{
			{Code: "skipped-file", Message: "invalid YAML; file skipped", Location: &audit.Location{File: "x.yaml", Line: 3}, Skipped: "file"},
			{Code: "undeclared-group", Message: "a note", Note: true},
		}}
	var b strings.Builder
	if err := AuditMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Not audited: 1 file and 2 rules skipped", "<summary>1 warning</summary>", "- `x.yaml:3`: invalid YAML; file skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "a note") {
		t.Errorf("a note listed as a warning:\n%s", out)
	}
}
