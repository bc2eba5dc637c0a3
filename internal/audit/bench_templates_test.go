package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/inventory"
)

// writeTemplates writes n CloudFormation templates of the shape real
// stacks have: a VPC, two subnets, a NACL with entries, four groups (one
// without SecurityGroupEgress, one rule behind an undecidable Fn::If), a
// standalone rule on an imported group, an Fn::ForEach loop and two
// instances; every tenth template holds a resource AWS would reject.
func writeTemplates(tb testing.TB, dir string, n int) {
	tb.Helper()
	for i := 0; i < n; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Env: {Type: String, Default: prod}
  Office: {Type: String, Default: "198.51.%d.0/24"}
  AdminPorts: {Type: CommaDelimitedList, Default: "22,3389"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  InUSEast: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  VPC: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.%d.0.0/16}}
  SubA: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref VPC, CidrBlock: 10.%d.1.0/24}}
  SubB: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref VPC, CidrBlock: 10.%d.2.0/24}}
  ACL: {Type: AWS::EC2::NetworkAcl, Properties: {VpcId: !Ref VPC}}
  ACLIn: {Type: AWS::EC2::NetworkAclEntry, Properties: {NetworkAclId: !Ref ACL, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 443, To: 443}}}
  ACLOut: {Type: AWS::EC2::NetworkAclEntry, Properties: {NetworkAclId: !Ref ACL, Egress: true, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 1024, To: 65535}}}
  Assoc: {Type: AWS::EC2::SubnetNetworkAclAssociation, Properties: {SubnetId: !Ref SubA, NetworkAclId: !Ref ACL}}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: !If [IsProd, 0.0.0.0/0, !Ref Office]}
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !If [InUSEast, 0.0.0.0/0, 10.0.0.0/8]}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
        - {IpProtocol: tcp, FromPort: 20, ToPort: 21, CidrIp: 0.0.0.0/0}
  App:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: !Ref Web}
  DB:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !Ref App}
      SecurityGroupEgress:
        - {IpProtocol: "-1", CidrIp: 127.0.0.1/32}
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Office}
      SecurityGroupEgress:
        - {IpProtocol: "-1", CidrIp: 0.0.0.0/0}
  Shared:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !ImportValue shared-%d-sg, IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}
  Fn::ForEach::Admin:
    - Port
    - !Ref AdminPorts
    - Admin${Port}:
        Type: AWS::EC2::SecurityGroupIngress
        Properties: {GroupId: !Ref Bastion, IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 10.0.0.0/8}
  WebHost: {Type: AWS::EC2::Instance, Properties: {ImageId: ami-1, SubnetId: !Ref SubA, SecurityGroupIds: [!Ref Web, !Ref App], PrivateIpAddress: 10.%d.1.10}}
  DBHost: {Type: AWS::EC2::Instance, Properties: {ImageId: ami-1, SubnetId: !Ref SubB, SecurityGroupIds: [!Ref DB], PrivateIpAddress: 10.%d.2.10}}
`, i%250, i%250, i%250, i%250, i, i%250, i%250)
		if i%10 == 0 {
			b.WriteString("  Rejected:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {GroupId: !Ref Web, IpProtocol: tcp, CidrIp: 0.0.0.0/0}\n")
		}
		p := filepath.Join(dir, fmt.Sprintf("stack-%03d.yaml", i))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkAudit500Templates loads a folder of 500 CloudFormation
// templates (keep-going, as walls audit does) and audits it: the target
// is under 5 s for the whole run (BENCHMARKS.md).
func BenchmarkAudit500Templates(b *testing.B) {
	dir := b.TempDir()
	writeTemplates(b, dir, 500)
	b.ResetTimer()
	for b.Loop() {
		inv, err := inventory.LoadWith([]string{dir}, inventory.Options{KeepGoing: true})
		if err != nil {
			b.Fatal(err)
		}
		rep := audit.Run(inv, audit.Options{Now: fixedNow})
		b.ReportMetric(float64(len(rep.Findings)), "findings")
		b.ReportMetric(float64(rep.Summary.ResourcesSkipped), "skipped")
	}
}

// TestTemplatesFolder checks the benchmark's folder is what it says: every
// template read, the rejected resources skipped, the imported groups and
// both branches of the undecidable condition audited.
func TestTemplatesFolder(t *testing.T) {
	dir := t.TempDir()
	writeTemplates(t, dir, 20)
	inv, err := inventory.LoadWith([]string{dir}, inventory.Options{KeepGoing: true})
	if err != nil {
		t.Fatal(err)
	}
	rep := audit.Run(inv, audit.Options{Now: fixedNow})
	if rep.Summary.ResourcesSkipped != 2 || rep.Summary.FilesSkipped != 0 {
		t.Errorf("summary %+v", rep.Summary)
	}
	count := map[string]int{}
	for _, f := range rep.Findings {
		count[f.CheckID]++
		if f.CheckID == audit.AdminIngress && strings.HasPrefix(f.ResourceID, "!ImportValue shared-") {
			count["imported"]++
		}
		if strings.Contains(f.Message, "only when condition InUSEast is true") {
			count["when"]++
		}
	}
	if count["imported"] != 20 || count["when"] == 0 || count[audit.RiskyEgress] != 20 {
		t.Errorf("findings per check %v", count)
	}
}
