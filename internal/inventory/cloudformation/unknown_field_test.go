package cloudformation

import (
	"strings"
	"testing"
)

// TestUnknownPortNamed: the warning for a rule or entry skipped over an
// unknown port names the field that is unknown, with its reason.
func TestUnknownPortNamed(t *testing.T) {
	t.Parallel()
	inv := mustLoad(t, `Parameters:
  P: {Type: Number}
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: !Ref P, CidrIp: 10.0.0.0/8}
  E:
    Type: AWS::EC2::NetworkAclEntry
    Properties: {NetworkAclId: acl-1, RuleNumber: 1, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0,
      PortRange: {From: 1, To: !Ref P}}
`)
	got := warnings(inv)
	for _, want := range []string{
		"G: Properties.SecurityGroupIngress[0].ToPort is unknown (parameter P has no Default); rule skipped",
		"E: Properties.PortRange.To is unknown (parameter P has no Default); entry skipped",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings:\n%s\nwant %q", got, want)
		}
	}
}
