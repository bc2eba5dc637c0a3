package cloudformation

import (
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// Logical ids are unique within one template only. Two stacks in one
// folder that both declare WebSG and a NACL keep their own objects and
// references; the later template's ids are qualified by its file.
func TestTwoTemplatesWithTheSameLogicalIDs(t *testing.T) {
	t.Parallel()
	tpl := func(cidr string) []byte {
		return []byte(`Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: ` + cidr + `}
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  WebOut:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !GetAtt WebSG.GroupId, IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationSecurityGroupId: !Ref WebSG}
  NACL:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref VPC}
  NACLIn100:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: !Ref NACL, RuleNumber: 100, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0}
`)
	}
	inv := vpc.New()
	if err := LoadTemplate("stacks/a.yaml", tpl("10.0.0.0/16"), inv); err != nil {
		t.Fatalf("a: %v", err)
	}
	if err := LoadTemplate("stacks/b.yaml", tpl("10.1.0.0/16"), inv); err != nil {
		t.Fatalf("b next to a: %v", err)
	}
	a, b := inv.Groups["WebSG"], inv.Groups["stacks/b.yaml/WebSG"]
	if a == nil || b == nil || len(inv.Groups) != 2 {
		t.Fatalf("groups = %v, want a's plain and b's qualified", len(inv.Groups))
	}
	if b.VpcID != "stacks/b.yaml/VPC" || a.VpcID != "VPC" {
		t.Errorf("vpc ids: a %q, b %q", a.VpcID, b.VpcID)
	}
	var out *vpc.Rule
	for i := range b.Egress {
		if b.Egress[i].Peer.Kind == vpc.PeerGroup {
			out = &b.Egress[i]
		}
	}
	if out == nil || out.Peer.Group.GroupID != b.ID || out.Peer.Group.UserID != "" {
		t.Errorf("b's egress = %+v, want tcp 443 to itself", b.Egress)
	}
	if n := inv.NACLs["stacks/b.yaml/NACL"]; n == nil || len(n.Inbound) != 1 || len(inv.NACLs["NACL"].Inbound) != 1 {
		t.Errorf("nacls = %+v / %+v", inv.NACLs["stacks/b.yaml/NACL"], inv.NACLs["NACL"])
	}
}

// The same template named twice is read once.
func TestSameTemplateTwiceIsReadOnce(t *testing.T) {
	t.Parallel()
	tpl := []byte("Resources:\n  WebSG:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: web}\n")
	inv := vpc.New()
	for _, f := range []string{"stack.yaml", "./stack.yaml"} {
		if err := LoadTemplate(f, tpl, inv); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if len(inv.Groups) != 1 {
		t.Errorf("%d groups, want the template read once", len(inv.Groups))
	}
}
