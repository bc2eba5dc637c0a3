package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/inventory"
)

// TestConstructsSameFindings: a network written in CloudFormation with the
// constructs real templates use (a condition decidable from a default, an
// Fn::ForEach over a list parameter, a rule on an !ImportValue group)
// gives the findings, by check, severity and rule, of the same network as
// AWS CLI output, where the imported group is the sg- id it resolves to.
func TestConstructsSameFindings(t *testing.T) {
	dir := t.TempDir()
	cfn := `Transform: AWS::LanguageExtensions
Parameters:
  Env: {Type: String, Default: prod}
  Admin: {Type: CommaDelimitedList, Default: "22,3389"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: web
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 25, ToPort: 25, CidrIp: 0.0.0.0/0}
  Fn::ForEach::Admin:
    - Port
    - !Ref Admin
    - Admin${Port}:
        Type: AWS::EC2::SecurityGroupIngress
        Properties: {GroupId: !Ref Web, IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.0/0}
  Shared:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !ImportValue net-shared-sg, IpProtocol: "-1", CidrIp: 0.0.0.0/0}
`
	aws := `{"SecurityGroups": [{"GroupId": "sg-0web", "GroupName": "web", "Description": "web",
  "IpPermissions": [
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
  "IpPermissionsEgress": [{"IpProtocol": "tcp", "FromPort": 25, "ToPort": 25, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}],
 "SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-0shared", "IsEgress": true, "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"}]}`
	for name, body := range map[string]string{"cfn/template.yaml": cfn, "aws/inventory.json": aws} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string][]string{}
	for _, form := range []string{"cfn", "aws"} {
		inv, err := inventory.LoadWith([]string{filepath.Join(dir, form)}, inventory.Options{KeepGoing: true})
		if err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		rep := audit.Run(inv, audit.Options{Now: fixedNow, Checks: []string{audit.OpenEgress, audit.RiskyEgress, audit.AdminIngress, audit.DatabaseIngress}})
		for _, f := range rep.Findings {
			who := "web"
			if strings.Contains(f.ResourceID, "shared") {
				who = "shared"
			}
			got[form] = append(got[form], fmt.Sprintf("%s %s %s %s", f.CheckID, f.Severity, who, strings.Join(f.Related[len(refsOf(f)):], ",")))
		}
		if rep.Summary.Skipped() != 0 {
			t.Errorf("%s skipped %+v", form, rep.Summary)
		}
		slices.Sort(got[form])
	}
	if !slices.Equal(got["cfn"], got["aws"]) || len(got["aws"]) != 3 {
		t.Errorf("findings differ:\n--- aws\n%s\n--- cfn\n%s", strings.Join(got["aws"], "\n"), strings.Join(got["cfn"], "\n"))
	}
}

// refsOf is the rule references at the head of a finding's Related list
// (the port labels follow them).
func refsOf(f audit.Finding) []string {
	n := 0
	for _, r := range f.Related {
		if strings.Contains(r, "/") && !strings.Contains(r, " ") || strings.HasPrefix(r, "sgr-") || !strings.Contains(r, " ") {
			n++
			continue
		}
		break
	}
	return f.Related[:n]
}
