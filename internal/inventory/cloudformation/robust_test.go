package cloudformation

import (
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func keepGoing(t *testing.T, src string) *vpc.Inventory {
	t.Helper()
	inv := vpc.New()
	inv.KeepGoing = true
	if err := LoadTemplate("t.yaml", []byte(src), inv); err != nil {
		t.Fatalf("load: %v", err)
	}
	return inv
}

// One resource AWS would reject is left out with a warning naming where
// and why; the template's other resources are still read. Without
// KeepGoing the same template is refused, as before.
func TestBadResourceIsSkippedNotFatal(t *testing.T) {
	t.Parallel()
	src := `
Resources:
  Bad:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: b
      SecurityGroupIngress:
        - {IpProtocol: tcp, CidrIp: 0.0.0.0/0}
  NoGroup:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  V6:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Good, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIpv6: 10.0.0.0/8}
  Good:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
`
	if _, err := load(t, src); err == nil {
		t.Fatal("strict load accepted a tcp rule without ports")
	}
	inv := keepGoing(t, src)
	if got := rules(inv.Groups["Good"]); !strings.Contains(got, "ingress tcp 22 from 0.0.0.0/0") {
		t.Errorf("Good rules %s", got)
	}
	if inv.Groups["Bad"] != nil {
		t.Error("the rejected group was loaded")
	}
	w := warnings(inv)
	for _, want := range []string{"t.yaml:8 skipped-resource", "Bad skipped", "NoGroup skipped", "missing GroupId", "V6 skipped", "IPv6"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	for _, x := range inv.Warnings {
		if x.Code == "skipped-resource" && x.Skipped != vpc.SkippedResource {
			t.Errorf("warning %+v not marked skipped", x)
		}
	}
}

// A rule of a group given by !ImportValue or by a parameter without
// Default belongs to an undeclared group named as written.
func TestImportedGroupIsUndeclared(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Parameters:
  AppSG: {Type: "AWS::EC2::SecurityGroup::Id"}
  Net: {Type: String, Default: net}
Resources:
  SSH:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !ImportValue shared-web-sg, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
  Sub:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !ImportValue {"Fn::Sub": "${Net}-db-sg"}, IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 0.0.0.0/0}
  Out:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref AppSG, IpProtocol: "-1", CidrIp: 0.0.0.0/0}
  Lost:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !GetAtt Nothing.GroupId, IpProtocol: "-1", CidrIp: 0.0.0.0/0}
`)
	for id, want := range map[string]string{
		"!ImportValue shared-web-sg": "ingress tcp 22 from 0.0.0.0/0",
		"!ImportValue net-db-sg":     "ingress tcp 5432 from 0.0.0.0/0",
		"!Ref AppSG":                 "egress all to 0.0.0.0/0",
	} {
		g := inv.Groups[id]
		if g == nil || !g.Undeclared || g.RulesKnown {
			t.Errorf("group %q = %+v, want an undeclared group", id, g)
			continue
		}
		if got := rules(g); got != want {
			t.Errorf("%s rules %q, want %q", id, got, want)
		}
	}
	if w := warnings(inv); !strings.Contains(w, "Lost: Properties.GroupId is unknown") {
		t.Errorf("an unresolvable GroupId was not warned about:\n%s", w)
	}
}

// Conditions decidable from the parameters' defaults choose the Fn::If
// branch and drop resources whose Condition is false.
func TestDecidableConditions(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Parameters:
  Env: {Type: String, Default: prod}
  Open: {Type: String, Default: "no"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsOpen: !Equals [!Ref Open, "yes"]
  ProdAndOpen: !And [!Condition IsProd, !Condition IsOpen]
  ProdOrOpen: !Or [!Condition IsProd, !Condition IsOpen]
  Closed: !Not [!Condition IsOpen]
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]}
        - !If [ProdAndOpen, {IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 0.0.0.0/0}, !Ref "AWS::NoValue"]
        - !If [ProdOrOpen, {IpProtocol: tcp, FromPort: 2, ToPort: 2, CidrIp: 0.0.0.0/0}, !Ref "AWS::NoValue"]
        - !If [Closed, {IpProtocol: tcp, FromPort: 3, ToPort: 3, CidrIp: 0.0.0.0/0}, !Ref "AWS::NoValue"]
      SecurityGroupEgress: []
  OnlyWhenOpen:
    Type: AWS::EC2::SecurityGroup
    Condition: IsOpen
    Properties: {GroupDescription: o}
`)
	if got := rules(inv.Groups["G"]); got != "egress all to 0.0.0.0/0; ingress tcp 2 from 0.0.0.0/0; ingress tcp 3 from 0.0.0.0/0; ingress tcp 443 from 10.0.0.0/8" {
		t.Errorf("rules %s", got)
	}
	for _, r := range inv.Groups["G"].Ingress {
		if r.When != "" {
			t.Errorf("decided rule %s carries a condition %q", r.String(), r.When)
		}
	}
	if inv.Groups["OnlyWhenOpen"] != nil {
		t.Error("a resource whose condition is false was loaded")
	}
	if w := warnings(inv); !strings.Contains(w, "condition IsOpen is false with the parameters' defaults") {
		t.Errorf("the dropped resource is not said:\n%s", w)
	}
}

// Fn::ForEach (AWS::LanguageExtensions) expands over a literal list or a
// list parameter's default; an unknown collection skips the loop with a
// warning, never the template.
func TestForEach(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Transform: AWS::LanguageExtensions
Parameters:
  Ports: {Type: CommaDelimitedList, Default: "22,3389"}
  Names: {Type: CommaDelimitedList}
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: g, SecurityGroupEgress: []}
  Fn::ForEach::Admin:
    - Port
    - !Ref Ports
    - Admin${Port}:
        Type: AWS::EC2::SecurityGroupIngress
        Properties: {GroupId: !Ref G, IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.0/0, Description: !Sub "admin ${Port}"}
  Fn::ForEach::Web:
    - Cidr
    - ["10.0.0.0/8", "192.168.0.0/16"]
    - Web&{Cidr}:
        Type: AWS::EC2::SecurityGroupIngress
        Properties: {GroupId: !Ref G, IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: !Ref Cidr}
  Fn::ForEach::Unknown:
    - N
    - !Ref Names
    - X${N}:
        Type: AWS::EC2::SecurityGroupIngress
        Properties: {GroupId: !Ref G, IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 0.0.0.0/0}
`)
	want := "egress all to 0.0.0.0/0; ingress tcp 22 from 0.0.0.0/0; ingress tcp 3389 from 0.0.0.0/0; ingress tcp 443 from 10.0.0.0/8; ingress tcp 443 from 192.168.0.0/16"
	if got := rules(inv.Groups["G"]); got != want {
		t.Errorf("rules %s\nwant  %s", got, want)
	}
	ids := map[string]bool{}
	for _, r := range inv.Groups["G"].Ingress {
		ids[r.ID] = true
	}
	if !ids["Admin22"] || !ids["Admin3389"] || !ids["Web100008"] || !ids["Web1921680016"] {
		t.Errorf("rule ids %v", ids)
	}
	if w := warnings(inv); !strings.Contains(w, "Fn::ForEach::Unknown: the collection is not known") {
		t.Errorf("the unknown loop is not said:\n%s", w)
	}
}

// A Rain module tag in Type is a warning, not "missing Type".
func TestRainModuleTag(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Resources:
  Bucket:
    Type: !Rain::Module "./bucket.yaml"
  G:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: g, SecurityGroupEgress: []}
`)
	if inv.Groups["G"] == nil {
		t.Fatal("the template's group was not read")
	}
	if w := warnings(inv); !strings.Contains(w, "Bucket: Type is !Rain::Module") {
		t.Errorf("warnings:\n%s", w)
	}
}

// Normal situations are notes, not warnings: an instance whose address AWS
// assigns, one without groups, a template's groups keeping the default
// egress (one note for the template).
func TestNormalSituationsAreNotes(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Resources:
  A: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: a}}
  B: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: b}}
  I: {Type: AWS::EC2::Instance, Properties: {ImageId: ami-1}}
`)
	notes := 0
	for _, w := range inv.Warnings {
		if !w.Note {
			t.Errorf("warning, want a note: %+v", w)
		}
		notes++
		if w.Code == "assumed-default-egress" && !strings.Contains(w.Message, "2 groups declare no SecurityGroupEgress (A, B)") {
			t.Errorf("default egress note %q", w.Message)
		}
	}
	if notes != 3 {
		t.Errorf("%d notes, want 3:\n%s", notes, warnings(inv))
	}
}

// A rule whose peer group comes from another stack is kept, the peer named
// as written.
func TestImportedPeerGroupKeepsTheRule(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !ImportValue app-sg}
      SecurityGroupEgress:
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, DestinationSecurityGroupId: !ImportValue {"Fn::Sub": "${AWS::StackName}-proxy"}}
`)
	if got := rules(inv.Groups["G"]); got != "egress tcp 443 to !ImportValue ${AWS::StackName}-proxy; ingress tcp 5432 from !ImportValue app-sg" {
		t.Errorf("rules %s\n%s", got, warnings(inv))
	}
}

// A resource whose Condition is undecidable is read with the condition
// holding, and its rules (the assumed default egress included) say so.
func TestUndecidableResourceCondition(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Conditions:
  East: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Condition: East
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !If [East, 0.0.0.0/0, 10.0.0.0/8]}
`)
	g := inv.Groups["G"]
	if got := rules(g); got != "egress all to 0.0.0.0/0; ingress tcp 22 from 0.0.0.0/0" {
		t.Errorf("rules %s", got)
	}
	for _, r := range append(append([]vpc.Rule{}, g.Ingress...), g.Egress...) {
		if r.When != "condition East is true" {
			t.Errorf("rule %s: condition %q", r.String(), r.When)
		}
	}
}

// A group that is an output of a nested stack is an undeclared group.
func TestNestedStackOutputGroup(t *testing.T) {
	t.Parallel()
	inv := keepGoing(t, `
Resources:
  Network:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: https://example.com/network.yaml}
  SSH:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt Network.Outputs.BastionSG, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
`)
	g := inv.Groups["!GetAtt Network.Outputs.BastionSG"]
	if g == nil || !g.Undeclared || rules(g) != "ingress tcp 22 from 0.0.0.0/0" {
		t.Errorf("group %+v\n%s", g, warnings(inv))
	}
}
