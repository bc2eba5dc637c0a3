package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func warningText(inv *vpc.Inventory) string {
	var b strings.Builder
	for _, w := range inv.Warnings {
		b.WriteString(w.Source.String() + " " + w.Code + " [" + w.Skipped + "] " + w.Message + "\n")
	}
	return b.String()
}

// One bad or foreign file in a folder is a warning naming it, where and
// why; the rest of the folder is read. Without KeepGoing the folder is
// refused as before; a file named explicitly is always read or refused.
func TestKeepGoingSkipsBadFiles(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"good.yaml":   "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n      SecurityGroupEgress:\n        - {IpProtocol: '-1', CidrIp: 0.0.0.0/0}\n",
		"bad.json":    `{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 99999, "ToPort": 1}]}]}`,
		"broken.yaml": "Resources:\n  X: [unclosed\n",
		"tf/main.tf": `resource "aws_security_group" "ok" {
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "bad" {
  type              = "-1"
  security_group_id = aws_security_group.ok.id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_network_acl" "dup" {
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = "0.0.0.0/0"
  }
  ingress {
    rule_no    = 100
    action     = "deny"
    protocol   = "tcp"
    from_port  = 80
    to_port    = 80
    cidr_block = "0.0.0.0/0"
  }
}
`,
	})
	if _, err := Load([]string{dir}); err == nil {
		t.Fatal("a strict load of the folder succeeded")
	}
	inv, err := LoadWith([]string{dir}, Options{KeepGoing: true})
	if err != nil {
		t.Fatalf("keep-going load: %v", err)
	}
	if inv.Groups["G"] == nil || inv.Groups["aws_security_group.ok"] == nil {
		t.Errorf("the good files were not read: groups %v", inv.SortedGroupIDs())
	}
	if inv.Groups["sg-1"] != nil || inv.NACLs["aws_network_acl.dup"] != nil {
		t.Error("a rejected object was loaded")
	}
	w := warningText(inv)
	for _, want := range []string{
		filepath.Join(dir, "bad.json") + ":1", "skipped-file [file]",
		filepath.Join(dir, "broken.yaml") + ":",
		"aws_security_group_rule.bad skipped",
		"rule number 100 used twice", "aws_network_acl.dup skipped",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if _, err := LoadWith([]string{filepath.Join(dir, "bad.json")}, Options{KeepGoing: true}); err == nil {
		t.Error("an explicitly named bad file was skipped rather than refused")
	}
}
