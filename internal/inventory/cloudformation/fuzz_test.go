package cloudformation

import (
	"errors"
	"os"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func FuzzLoadTemplate(f *testing.F) {
	if data, err := os.ReadFile("../testdata/equivalent/cloudformation/template.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"Resources": {"G": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 1, "ToPort": 2, "CidrIp": {"Fn::Sub": "${P}.0.0.0/8"}}]}}}, "Parameters": {"P": {"Default": "10"}}}`))
	f.Add([]byte("Resources:\n  N: {Type: AWS::EC2::NetworkAclEntry, Properties: {NetworkAclId: !GetAtt V.DefaultNetworkAcl, RuleNumber: 1, Protocol: 1, RuleAction: allow, CidrBlock: 0.0.0.0/0, Icmp: {Type: -1, Code: -1}}}\n  V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Join ['', ['10.', '0.0.0/16']]}}\n"))
	f.Add([]byte("a: &a [*a]\nResources: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := vpc.New()
		err := LoadTemplate("t", data, inv)
		if err != nil {
			var ie *vpc.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not a *vpc.InputError", err, err)
			}
			return
		}
		for id, g := range inv.Groups {
			for _, r := range append(append([]vpc.Rule{}, g.Ingress...), g.Egress...) {
				if r.GroupID != id || r.Peer.Kind == 0 {
					t.Fatalf("malformed rule %+v in %s", r, id)
				}
			}
		}
		Detect(data)
		// Keep-going loads skip what they cannot accept and never fail
		// on a resource.
		kg := vpc.New()
		kg.KeepGoing = true
		if err := LoadTemplate("t", data, kg); err != nil {
			var ie *vpc.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("keep-going error %v (%T) is not a *vpc.InputError", err, err)
			}
		}
	})
}
