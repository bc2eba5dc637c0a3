package cloudformation

import (
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// TestDeclared: groups and rules remember the resource they were read
// from, inline items and CloudFormation's default egress marked inline.
func TestDeclared(t *testing.T) {
	inv := mustLoad(t, `
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  App:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: app
  AppDns:
    Type: AWS::EC2::SecurityGroupEgress
    Properties:
      GroupId: !GetAtt App.GroupId
      IpProtocol: udp
      FromPort: 53
      ToPort: 53
      CidrIp: 10.0.0.2/32
`)
	group := vpc.Declared{Tool: vpc.ToolCloudFormation, Address: "Web", Type: "AWS::EC2::SecurityGroup"}
	if got := inv.Groups["Web"].Declared; got != group {
		t.Errorf("group: %+v, want %+v", got, group)
	}
	inline := group
	inline.Inline = true
	if got := inv.Groups["Web"].Egress[0].Declared; got != inline {
		t.Errorf("inline rule: %+v, want %+v", got, inline)
	}
	app := inv.Groups["App"]
	want := map[bool]vpc.Declared{
		true:  {Tool: vpc.ToolCloudFormation, Address: "App", Type: "AWS::EC2::SecurityGroup", Inline: true},
		false: {Tool: vpc.ToolCloudFormation, Address: "AppDns", Type: "AWS::EC2::SecurityGroupEgress"},
	}
	if len(app.Egress) != 2 {
		t.Fatalf("App egress: %v", rules(app))
	}
	for _, r := range app.Egress {
		if r.Declared != want[r.Assumed] {
			t.Errorf("%s: %+v, want %+v", r.String(), r.Declared, want[r.Assumed])
		}
	}
}
