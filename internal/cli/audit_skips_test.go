package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// skipsFolder is a folder with one open group, one file of another tool
// and twelve rules walls must skip (a parameter without Default each).
func skipsFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Parameters:\n  Office: {Type: String}\nResources:\n  Open:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: o\n      SecurityGroupEgress:\n        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}\n      SecurityGroupIngress:\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "        - {IpProtocol: tcp, FromPort: %d, ToPort: %d, CidrIp: !Ref Office}\n", 1000+i, 1000+i)
	}
	b.WriteString("  Bad:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {GroupId: !Ref Open, IpProtocol: tcp, CidrIp: 0.0.0.0/0}\n")
	files := map[string]string{
		"stack.yaml":     b.String(),
		"other-tool.yml": "rules:\n  - id: x\n    severity: high\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A run with skips never says only "No findings"; warnings are printed
// once, at most ten on stderr, and all of them reach the JSON and SARIF.
func TestAuditSaysWhatItSkipped(t *testing.T) {
	dir := skipsFolder(t)
	out, errOut, code := run(t, "audit", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "No findings in what could be read") || !strings.Contains(flat, "Not audited: 1 file, 1 resource and 12 rules skipped") {
		t.Errorf("table:\n%s", out)
	}
	if n := strings.Count(errOut, "walls: warning:"); n != 11 { // ten and "… and N more"
		t.Errorf("%d warning lines on stderr:\n%s", n, errOut)
	}
	if strings.Count(errOut, "FromPort: 1000") > 1 || strings.Count(errOut, "SecurityGroupIngress[0].CidrIp is unknown") != 1 {
		t.Errorf("a warning printed twice:\n%s", errOut)
	}

	out, _, _ = run(t, "audit", dir, "--format", "json")
	var doc struct {
		Summary struct {
			FilesSkipped, ResourcesSkipped, RulesSkipped int
		} `json:"summary"`
		Warnings []struct {
			Code     string `json:"code"`
			Skipped  string `json:"skipped"`
			Location *struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		} `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if doc.Summary.FilesSkipped != 1 || doc.Summary.ResourcesSkipped != 1 || doc.Summary.RulesSkipped != 12 {
		t.Errorf("summary %+v", doc.Summary)
	}
	skipped := 0
	for _, w := range doc.Warnings {
		if w.Skipped != "" {
			skipped++
			if w.Location == nil || w.Location.File == "" {
				t.Errorf("warning %+v has no location", w)
			}
		}
	}
	if skipped != 14 {
		t.Errorf("%d skipping warnings in the JSON, want 14 (stderr's cap must not apply)", skipped)
	}

	out, _, _ = run(t, "audit", dir, "--format", "sarif")
	var sarif struct {
		Runs []struct {
			Invocations []struct {
				Notifications []struct {
					Level     string `json:"level"`
					Locations []any  `json:"locations"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil {
		t.Fatalf("sarif: %v", err)
	}
	if len(sarif.Runs) != 1 || len(sarif.Runs[0].Invocations) != 1 || len(sarif.Runs[0].Invocations[0].Notifications) < 14 {
		t.Fatalf("sarif notifications: %+v", sarif.Runs)
	}
	for _, n := range sarif.Runs[0].Invocations[0].Notifications {
		if n.Level == "warning" && len(n.Locations) == 0 {
			t.Errorf("a notification without location: %+v", n)
		}
	}
}

// --strict makes anything skipped a failure (exit 1); --fail-on-parse-error
// restores the abort (exit 2); by default findings alone decide.
func TestAuditStrictAndFailOnParseError(t *testing.T) {
	dir := skipsFolder(t)
	if _, errOut, code := run(t, "audit", dir, "--fail-on", "low"); code != 0 {
		t.Errorf("default: exit %d, want 0 (no findings):\n%s", code, errOut)
	}
	if _, errOut, code := run(t, "audit", dir, "--strict"); code != 1 || !strings.Contains(errOut, "--strict: Not audited") {
		t.Errorf("--strict: exit %d, want 1:\n%s", code, errOut)
	}
	_, errOut, code := run(t, "audit", dir, "--fail-on-parse-error")
	if code != 2 || !strings.Contains(errOut, "stack.yaml") {
		t.Errorf("--fail-on-parse-error: exit %d, want 2 naming the file:\n%s", code, errOut)
	}
}

// Rules of a group the input does not declare are audited: SSH open to
// the world on a literal sg- id, in Terraform and in CloudFormation.
func TestAuditUndeclaredGroups(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"tf/main.tf": `resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = "sg-0123456789abcdef0"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
}
`,
		"cfn.yaml": "Resources:\n  RDP:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {GroupId: !ImportValue net-bastion-sg, IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := run(t, "audit", dir, "--format", "json", "--fail-on", "high")
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, errOut)
	}
	for _, want := range []string{`"resourceId": "sg-0123456789abcdef0"`, `"resourceId": "!ImportValue net-bastion-sg"`} {
		if !strings.Contains(out, want) {
			t.Errorf("findings lack %s:\n%s", want, out)
		}
	}
}

// Loader notes are capped on stderr like warnings (a folder of templates
// makes one each); the JSON has them all.
func TestAuditCapsNotes(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 15; i++ {
		body := fmt.Sprintf("Resources:\n  G%d:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: g}\n", i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("t%02d.yaml", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, _ := run(t, "audit", dir)
	if n := strings.Count(errOut, "declares no SecurityGroupEgress"); n != 10 || !strings.Contains(errOut, "… and 5 more notes") {
		t.Errorf("%d default-egress notes on stderr, want 10 and a count of the rest:\n%s", n, errOut)
	}
	out, _, _ := run(t, "audit", dir, "--format", "json")
	if n := strings.Count(out, `"code": "assumed-default-egress"`); n != 15 {
		t.Errorf("%d notes in the JSON, want 15", n)
	}
}
