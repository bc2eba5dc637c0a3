package cloudformation

import (
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func load(t *testing.T, src string) (*vpc.Inventory, error) {
	t.Helper()
	inv := vpc.New()
	return inv, LoadTemplate("t.yaml", []byte(src), inv)
}

func mustLoad(t *testing.T, src string) *vpc.Inventory {
	t.Helper()
	inv, err := load(t, src)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return inv
}

func rules(g *vpc.SecurityGroup) string {
	if g == nil {
		return "<no group>"
	}
	var out []string
	for _, r := range append(append([]vpc.Rule{}, g.Ingress...), g.Egress...) {
		out = append(out, r.String())
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

func warnings(inv *vpc.Inventory) string {
	var b strings.Builder
	for _, w := range inv.Warnings {
		b.WriteString(w.Source.String() + " " + w.Code + " " + w.Message + "\n")
	}
	return b.String()
}

func TestSecurityGroups(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, group, want string
	}{
		{"default egress assumed when SecurityGroupEgress is absent", `
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 198.51.100.7/24}
`, "G", "egress all to 0.0.0.0/0; ingress tcp 22 from 198.51.100.0/24"},
		{"an empty SecurityGroupEgress list is no egress rule: the default stays", `
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: g, SecurityGroupEgress: []}
`, "G", "egress all to 0.0.0.0/0"},
		{"declared egress replaces the default", `
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupEgress:
        - {IpProtocol: "-1", CidrIp: 127.0.0.1/32}
`, "G", "egress all to 127.0.0.1/32"},
		{"every peer kind, protocol numbers, icmp", `
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: "6", FromPort: "80", ToPort: "81", CidrIpv6: "2001:db8::/32"}
        - {IpProtocol: icmp, FromPort: 3, ToPort: 4, SourcePrefixListId: pl-1}
        - {IpProtocol: "50", SourceSecurityGroupId: !Ref Other}
        - {IpProtocol: tcp, FromPort: 1, ToPort: 2, SourceSecurityGroupName: other-name}
        - {IpProtocol: udp, FromPort: 53, ToPort: 53, SourceSecurityGroupId: sg-9, SourceSecurityGroupOwnerId: "111122223333"}
      SecurityGroupEgress:
        - {IpProtocol: icmpv6, CidrIpv6: "::/0"}
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationPrefixListId: pl-2}
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: !GetAtt Other.GroupId}
  Other:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: other-name
      GroupDescription: o
      SecurityGroupEgress: []
`, "G", "egress icmpv6 all types to ::/0; egress tcp 443 to pl-2; egress tcp 5432 to Other; ingress 50 from Other; ingress icmp type 3 code 4 from pl-1; ingress tcp 1-2 from Other; ingress tcp 80-81 from 2001:db8::/32; ingress udp 53 from sg-9"},
		{"standalone rules; standalone egress keeps the default", `
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: g}
  In:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt G.GroupId, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
  Out:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref G, IpProtocol: tcp, FromPort: 8080, ToPort: 8080, DestinationSecurityGroupId: !Ref G}
`, "G", "egress all to 0.0.0.0/0; egress tcp 8080 to G; ingress tcp 443 from 0.0.0.0/0"},
		{"intrinsics: Sub, Join, Select, Split, FindInMap, parameters", `
Parameters:
  Net: {Type: String, Default: "10.1"}
  Ports: {Type: CommaDelimitedList, Default: "22,443"}
Mappings:
  Offices: {London: {Cidr: 203.0.113.0/24}}
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: !Select [0, !Ref Ports], ToPort: !Select [0, !Ref Ports], CidrIp: !Sub "${Net}.0.0/16"}
        - {IpProtocol: tcp, FromPort: !Select [1, !Split [",", "22,443"]], ToPort: 443, CidrIp: !Join ["", [!Ref Net, ".2.0/24"]]}
        - {IpProtocol: tcp, FromPort: 8443, ToPort: 8443, CidrIp: !FindInMap [Offices, London, Cidr]}
        - {IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: {"Fn::Sub": ["${A}.0.0.0/8", {A: "1"}]}}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 9, ToPort: 9, CidrIp: {"Fn::Sub": "${Net}.9.9/32"}}
`, "G", "egress tcp 9 to 10.1.9.9/32; ingress tcp 1 from 1.0.0.0/8; ingress tcp 22 from 10.1.0.0/16; ingress tcp 443 from 10.1.2.0/24; ingress tcp 8443 from 203.0.113.0/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := mustLoad(t, tt.src)
			if got := rules(inv.Groups[tt.group]); got != tt.want {
				t.Errorf("rules:\n %s\nwant:\n %s\nwarnings:\n%s", got, tt.want, warnings(inv))
			}
		})
	}
}

func TestAssumedDefaultIsMarked(t *testing.T) {
	t.Parallel()
	inv := mustLoad(t, "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupDescription: g}\n")
	r := inv.Groups["G"].Egress[0]
	if r.Description != AssumedDefaultEgress || r.Source.Line != 2 {
		t.Errorf("rule %+v", r)
	}
	if len(inv.Warnings) != 1 || inv.Warnings[0].Code != "assumed-default-egress" {
		t.Errorf("warnings %v", inv.Warnings)
	}
}

func TestUnknownsAreWarnedNeverGuessed(t *testing.T) {
	t.Parallel()
	inv := mustLoad(t, `
Parameters:
  Office: {Type: String}
Conditions:
  Prod: !Equals [!Ref "AWS::AccountId", "1"]
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Condition: Prod
    Properties:
      GroupDescription: g
      VpcId: !ImportValue shared-vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Office}
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !If [Prod, 0.0.0.0/0, 10.0.0.0/8]}
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}
        - !If [Prod, {IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 0.0.0.0/0}, !Ref "AWS::NoValue"]
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: !GetAtt G.SomethingElse, ToPort: 1, CidrIp: 0.0.0.0/0}
`)
	// The Fn::If on an undecidable condition is read both ways, each rule
	// saying under which condition it exists.
	// Inside G, which exists only when Prod holds, Prod holds: its Fn::If
	// take their true branch, and every rule says the condition.
	if got := rules(inv.Groups["G"]); got != "ingress tcp 1 from 0.0.0.0/0; ingress tcp 443 from 0.0.0.0/0; ingress tcp 80 from 0.0.0.0/0" {
		t.Errorf("rules %s", got)
	}
	for _, r := range inv.Groups["G"].Ingress {
		if r.When != "condition Prod is true" {
			t.Errorf("rule %s: condition %q", r.String(), r.When)
		}
	}
	// Outside a conditional resource, an undecidable Fn::If is read both
	// ways, each rule saying under which condition it exists.
	inv2 := mustLoad(t, `
Conditions:
  East: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  H:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: h
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !If [East, 0.0.0.0/0, 10.0.0.0/8]}
        - {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}
`)
	when := map[string]string{}
	for _, r := range inv2.Groups["H"].Ingress {
		when[r.Peer.Prefix.String()+"/"+r.PortText()] = r.When
	}
	if len(when) != 3 || when["0.0.0.0/0/443"] != "condition East is true" || when["10.0.0.0/8/443"] != "condition East is false" || when["0.0.0.0/0/80"] != "" {
		t.Errorf("conditions %v", when)
	}
	w := warnings(inv)
	for _, want := range []string{
		"t.yaml:7 conditional-resource G exists only when condition Prod holds",
		"t.yaml:12 unknown-value G: Properties.VpcId is unknown (Fn::ImportValue is not evaluated)",
		"t.yaml:14 unknown-value G: Properties.SecurityGroupIngress[0].CidrIp is unknown (parameter Office has no Default); rule skipped",
		"t.yaml:19 unknown-value G: Properties.SecurityGroupEgress[0].FromPort is unknown (Fn::GetAtt G.SomethingElse is known only at deploy time); rule skipped",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

func TestNetworkACLsAndJSON(t *testing.T) {
	t.Parallel()
	src := `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "S": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.0.1.0/24"}},
    "N": {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "V"}}},
    "E1": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "N"}, "RuleNumber": 200,
      "Protocol": 1, "RuleAction": "deny", "CidrBlock": "0.0.0.0/0", "Icmp": {"Type": 8, "Code": -1}}},
    "E2": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Fn::GetAtt": ["N", "Id"]}, "RuleNumber": 100,
      "Protocol": 17, "RuleAction": "allow", "Ipv6CidrBlock": "::/0", "PortRange": {"From": 1024, "To": 65535}}},
    "E3": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "N"}, "RuleNumber": 100, "Egress": "true",
      "Protocol": -1, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1, "To": 1}}},
    "E4": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Ref": "N"}, "RuleNumber": 110, "Egress": true,
      "Protocol": 58, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}},
    "A": {"Type": "AWS::EC2::SubnetNetworkAclAssociation", "Properties": {"SubnetId": {"Ref": "S"}, "NetworkAclId": {"Ref": "N"}}},
    "D": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": {"NetworkAclId": {"Fn::GetAtt": ["V", "DefaultNetworkAcl"]},
      "RuleNumber": 1, "Protocol": 6, "RuleAction": "deny", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 23, "To": 23}}},
    "PL": {"Type": "AWS::EC2::PrefixList", "Properties": {"PrefixListName": "office", "AddressFamily": "IPv4", "MaxEntries": 3,
      "Entries": [{"Cidr": "198.51.100.0/24"}]}}
  }
}`
	inv := vpc.New()
	if err := LoadTemplate("t.json", []byte(src), inv); err != nil {
		t.Fatal(err)
	}
	n := inv.NACLs["N"]
	var got []string
	for _, e := range append(append([]vpc.NACLEntry{}, n.Inbound...), n.Outbound...) {
		got = append(got, e.String())
	}
	want := "100 allow udp 1024-65535 ::/0; 200 deny icmp type 8 0.0.0.0/0; 100 allow all 0.0.0.0/0; 110 allow icmpv6 0.0.0.0/0"
	if strings.Join(got, "; ") != want {
		t.Errorf("entries %q\nwant      %q", strings.Join(got, "; "), want)
	}
	if n.SubnetIDs[0] != "S" || n.VpcID != "V" || n.Inbound[0].Source.String() != "t.json:9" {
		t.Errorf("nacl %+v", n)
	}
	d := inv.NACLs["V.DefaultNetworkAcl"]
	if d == nil || !d.IsDefault || d.VpcID != "V" {
		t.Errorf("default NACL %+v", d)
	}
	if pl := inv.PrefixLists["PL"]; pl == nil || pl.Name != "office" || len(pl.Entries) != 1 || pl.MaxEntries != 3 {
		t.Errorf("prefix list %+v", pl)
	}
	if s := inv.Subnets["S"]; s.Source.String() != "t.json:5" {
		t.Errorf("subnet source %v", s.Source)
	}
}

func TestInterfaces(t *testing.T) {
	t.Parallel()
	inv := mustLoad(t, `
Resources:
  V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  S: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref V, CidrBlock: 10.0.1.0/24}}
  G: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: g, GroupName: gee}}
  I:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref S, SecurityGroupIds: [!Ref G], PrivateIpAddress: 10.0.1.5}
  J:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref S, SecurityGroups: [gee]}
  K:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref S}
  E:
    Type: AWS::EC2::NetworkInterface
    Properties:
      SubnetId: !Ref S
      GroupSet: [!Ref G]
      PrivateIpAddresses:
        - {PrivateIpAddress: 10.0.1.9, Primary: false}
        - {PrivateIpAddress: 10.0.1.8, Primary: true}
      Ipv6Addresses: [{Ipv6Address: "2001:db8::8"}]
`)
	i := inv.Interfaces["I"]
	if i.InstanceID != "I" || i.VpcID != "V" || i.GroupIDs[0] != "G" || i.PrimaryIP().String() != "10.0.1.5" {
		t.Errorf("instance %+v", i)
	}
	if j := inv.Interfaces["J"]; len(j.GroupIDs) != 1 || j.GroupIDs[0] != "G" {
		t.Errorf("instance by group name %+v", j)
	}
	if !strings.Contains(warnings(inv), "K: no security groups") {
		t.Errorf("want a default-group warning for K:\n%s", warnings(inv))
	}
	e := inv.Interfaces["E"]
	if e.PrimaryIP().String() != "10.0.1.8" || len(e.PrivateIPs) != 2 || e.IPv6s[0].String() != "2001:db8::8" {
		t.Errorf("eni %+v", e)
	}
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	sg := func(rule string) string {
		return "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - " + rule + "\n"
	}
	entry := func(props string) string {
		return "Resources:\n  E:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties: {NetworkAclId: acl-1, " + props + "}\n"
	}
	tests := []struct{ name, src, want string }{
		{"yaml syntax", "Resources:\n  G: [\n", "t.yaml:2: want a CloudFormation template"},
		{"no resources", "Description: x\n", "missing Resources"},
		{"no type", "Resources:\n  G:\n    Properties: {}\n", "t.yaml:2: Resources.G: missing Type"},
		{"bad cidr", sg("{IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 10.0.0.0/40}"), "t.yaml:6: Resources.G.Properties.SecurityGroupIngress[0].CidrIp: CIDR \"10.0.0.0/40\""},
		{"ipv6 in CidrIp", sg("{IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: \"::/0\"}"), "want an IPv4 block"},
		{"port range", sg("{IpProtocol: tcp, FromPort: 0, ToPort: 65536, CidrIp: 0.0.0.0/0}"), "ToPort: tcp port 65536 out of range: want a port 0-65535"},
		{"missing ports", sg("{IpProtocol: tcp, CidrIp: 0.0.0.0/0}"), "FromPort: missing: tcp rules need a port range"},
		{"icmp type", sg("{IpProtocol: icmp, FromPort: 300, ToPort: 0, CidrIp: 0.0.0.0/0}"), "FromPort: icmp type 300 out of range"},
		{"missing protocol", sg("{FromPort: 1, ToPort: 1, CidrIp: 0.0.0.0/0}"), "t.yaml:6: Resources.G.Properties.SecurityGroupIngress[0].IpProtocol: missing: want tcp, udp"},
		{"two peers", sg("{IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 0.0.0.0/0, CidrIpv6: \"::/0\"}"), "want exactly one of CidrIp"},
		{"no peer", sg("{IpProtocol: tcp, FromPort: 1, ToPort: 1}"), "found 0"},
		{"port not a number", sg("{IpProtocol: tcp, FromPort: ssh, ToPort: 1, CidrIp: 0.0.0.0/0}"), "FromPort: want a whole number"},
		{"rule number", entry("RuleNumber: 40000, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0"), "rule number 40000: want 1-32766"},
		{"rule number 32767", entry("RuleNumber: 32767, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0"), "t.yaml:4: Resources.E.Properties.RuleNumber: rule number 32767 is reserved for AWS's default deny"},
		{"yaml duplicate key", sg("{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}") + "    Properties:\n      VpcId: vpc-1\n",
			"t.yaml:7: want a CloudFormation template (JSON or YAML): key \"Properties\" appears twice in one object (first on line 4)"},
		{"yaml nested duplicate key", sg("{IpProtocol: tcp, FromPort: 22, ToPort: 22,\n           CidrIp: 10.0.0.0/8,\n           CidrIp: 0.0.0.0/0}"),
			"t.yaml:8: want a CloudFormation template (JSON or YAML): key \"CidrIp\" appears twice in one object (first on line 7)"},
		{"json duplicate key", "{\"Resources\": {\"G\": {\"Type\": \"AWS::EC2::SecurityGroup\",\n \"Properties\": {\"SecurityGroupIngress\": [{\"IpProtocol\": \"tcp\", \"FromPort\": 22, \"ToPort\": 22,\n \"CidrIp\": \"10.0.0.0/8\", \"CidrIp\": \"0.0.0.0/0\"}]}}}}",
			"t.yaml:3: want a CloudFormation template (JSON or YAML): key \"CidrIp\" appears twice in one object (first on line 3)"},
		{"rule action", entry("RuleNumber: 1, Protocol: -1, RuleAction: accept, CidrBlock: 0.0.0.0/0"), "rule action \"accept\""},
		{"tcp without PortRange", entry("RuleNumber: 1, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0"), "t.yaml:4: Resources.E.Properties.PortRange: missing: protocol tcp needs a port range"},
		{"icmp without Icmp", entry("RuleNumber: 1, Protocol: 1, RuleAction: allow, CidrBlock: 0.0.0.0/0"), "t.yaml:4: Resources.E.Properties.Icmp: missing: protocol icmp needs an ICMP type and code"},
		{"icmpv6 on IPv6 without Icmp", entry("RuleNumber: 1, Protocol: 58, RuleAction: allow, Ipv6CidrBlock: \"::/0\""), "Resources.E.Properties.Icmp: missing: protocol icmpv6 needs"},
		{"both blocks", entry("RuleNumber: 1, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0, Ipv6CidrBlock: \"::/0\""), "want exactly one"},
		{"protocol", entry("RuleNumber: 1, Protocol: 300, RuleAction: allow, CidrBlock: 0.0.0.0/0"), "want tcp, udp, icmp"},
		{"duplicate rule number", "Resources:\n  N: {Type: AWS::EC2::NetworkAcl, Properties: {}}\n" +
			"  A: {Type: AWS::EC2::NetworkAclEntry, Properties: {NetworkAclId: !Ref N, RuleNumber: 5, Protocol: -1, RuleAction: allow, CidrBlock: 0.0.0.0/0}}\n" +
			"  B: {Type: AWS::EC2::NetworkAclEntry, Properties: {NetworkAclId: !Ref N, RuleNumber: 5, Protocol: -1, RuleAction: deny, CidrBlock: 0.0.0.0/0}}\n",
			"rule number 5 used twice in the inbound direction"},
		{"bad address", "Resources:\n  I: {Type: AWS::EC2::Instance, Properties: {PrivateIpAddress: 10.0.0.1/24, SecurityGroupIds: []}}\n", "t.yaml:2: Resources.I.Properties.PrivateIpAddress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, tt.src)
			var ie *vpc.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want *vpc.InputError containing %q", err, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	fixture, err := os.ReadFile("../testdata/equivalent/cloudformation/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, doc string
		want      bool
	}{
		{"yaml fixture", string(fixture), true},
		{"json with version", `{"AWSTemplateFormatVersion": "2010-09-09"}`, true},
		{"json resources only", `{"Resources": {"X": {"Type": "AWS::EC2::VPC"}}}`, true},
		{"yaml resources only", "Resources:\n  X:\n    Type: AWS::SNS::Topic\n", true},
		{"terraform plan", `{"format_version": "1.2", "planned_values": {}}`, false},
		{"aws cli", `{"SecurityGroups": []}`, false},
		{"other resources", "Resources:\n  X:\n    Type: Custom::Thing\n", false},
		{"garbage", "::::", false},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.doc)); got != tt.want {
			t.Errorf("%s: Detect = %v, want %v", tt.name, got, tt.want)
		}
	}
}
