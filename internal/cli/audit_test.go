package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const auditBad = "../audit/testdata/checks/WALLS-SG-001/bad/awscli.json"

func runWalls(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
	return code, out.String(), errb.String()
}

func TestAuditJSONContract(t *testing.T) {
	code, out, errs := runWalls(t, "audit", auditBad, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Findings) == 0 {
		t.Fatal("no findings")
	}
	f := doc.Findings[0]
	if f["checkId"] != "WALLS-SG-001" || f["severity"] != "critical" || f["resourceId"] != "sg-0workers" || f["message"] == "" {
		t.Errorf("first finding %v", f)
	}
	rule, _ := f["rule"].(map[string]any)
	if rule["IpProtocol"] != "-1" || rule["CidrIpv4"] != "0.0.0.0/0" || rule["IsEgress"] != true {
		t.Errorf("rule in AWS field names: %v", rule)
	}
}

func TestAuditExitCodes(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"findings without --fail-on", []string{"audit", auditBad}, 0},
		{"fail on high", []string{"audit", auditBad, "--fail-on", "high"}, 1},
		{"fail on critical", []string{"audit", auditBad, "--fail-on", "critical"}, 1},
		{"good input", []string{"audit", "../audit/testdata/checks/WALLS-SG-001/good/awscli.json", "--checks", "WALLS-SG-001", "--fail-on", "low"}, 0},
		{"suppressed", []string{"audit", auditBad, "--checks", "WALLS-SG-001", "--fail-on", "low", "--suppressions", "testdata/audit/suppressions.yaml"}, 0},
		{"bad severity", []string{"audit", auditBad, "--fail-on", "severe"}, 2},
		{"bad format", []string{"audit", auditBad, "--format", "xml"}, 2},
		{"unknown check", []string{"audit", auditBad, "--checks", "WALLS-XX-1"}, 2},
		{"suppression without reason", []string{"audit", auditBad, "--suppressions", "testdata/audit/no-reason.yaml"}, 2},
		{"no input", []string{"audit"}, 2},
		{"missing file", []string{"audit", "testdata/audit/nope.json"}, 2},
		{"zero rule quota", []string{"audit", auditBad, "--sg-rule-quota", "0"}, 2},
		{"negative NACL quota", []string{"audit", auditBad, "--nacl-rule-quota", "-5"}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runWalls(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (%s)", code, c.code, errs)
			}
		})
	}
}

func TestAuditFormats(t *testing.T) {
	code, out, _ := runWalls(t, "audit", auditBad, "--format", "sarif")
	if code != 0 || !strings.Contains(out, `"version": "2.1.0"`) || !strings.Contains(out, `"ruleId": "WALLS-SG-001"`) {
		t.Errorf("sarif: exit %d\n%s", code, out)
	}
	code, out, _ = runWalls(t, "audit", auditBad, "--format", "markdown")
	if code != 0 || !strings.HasPrefix(out, "### walls audit") {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
	code, out, _ = runWalls(t, "audit", auditBad)
	if code != 0 || !strings.Contains(out, "CRITICAL") || !strings.Contains(out, "findings:") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	code, out, _ = runWalls(t, "audit", "--list-checks", "--format", "json")
	if code != 0 || !strings.Contains(out, `"id": "WALLS-NACL-002"`) {
		t.Errorf("list-checks: exit %d\n%s", code, out)
	}
}

func TestAuditSuppressedNotInFindings(t *testing.T) {
	_, out, _ := runWalls(t, "audit", auditBad, "--format", "json", "--suppressions", "testdata/audit/suppressions.yaml")
	var doc struct {
		Findings   []struct{ CheckID string } `json:"findings"`
		Suppressed []struct {
			CheckID     string `json:"checkId"`
			Suppression struct {
				Reason string `json:"reason"`
			} `json:"suppression"`
		} `json:"suppressed"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.CheckID == "WALLS-SG-001" {
			t.Error("suppressed finding in findings")
		}
	}
	if len(doc.Suppressed) != 1 || !strings.Contains(doc.Suppressed[0].Suppression.Reason, "SEC-42") {
		t.Errorf("suppressed = %+v", doc.Suppressed)
	}
}

// A loader's unknown value is a note no check owns: stderr says it without
// an empty check id.
func TestAuditNoteWithoutCheckID(t *testing.T) {
	dir := t.TempDir()
	tf := "variable \"cidr\" {}\nresource \"aws_security_group\" \"m\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, "audit", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(errOut, "note: :") {
		t.Errorf("stderr has a note with an empty check id:\n%s", errOut)
	}
	// Said once, as the loader's warning (it used to come back as a note
	// too).
	if n := strings.Count(errOut, filepath.Join(dir, "main.tf")+":7: aws_security_group.m: ingress[0].cidr_blocks is unknown"); n != 1 ||
		!strings.Contains(errOut, "walls: warning: "+filepath.Join(dir, "main.tf")+":7: aws_security_group.m: ingress[0].cidr_blocks is unknown") {
		t.Errorf("stderr says the unknown value %d times, want once as a warning:\n%s", n, errOut)
	}
}

func TestAuditNoFindingsSaysWhatWasNotEvaluated(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sg.json"), []byte(`{"SecurityGroups": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runWalls(t, "audit", dir)
	if code != 0 || !strings.Contains(out, "No findings (20 checks run, 10 not evaluated for lack of data).") {
		t.Errorf("exit %d, stdout %q (%s)", code, out, errs)
	}
}
