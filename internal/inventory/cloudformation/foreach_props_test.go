package cloudformation

import (
	"strings"
	"testing"
)

// Fn::ForEach inside Properties: the loop's output keys join the object
// that holds it, as the AWS::LanguageExtensions transform makes them.
func TestForEachInProperties(t *testing.T) {
	t.Parallel()
	inv := mustLoad(t, `
Transform: AWS::LanguageExtensions
Parameters:
  Ports: {Type: CommaDelimitedList, Default: "80,443"}
Resources:
  Both:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: both directions made by one loop
      Fn::ForEach::Directions:
        - Dir
        - [Ingress, Egress]
        - SecurityGroup${Dir}:
            - IpProtocol: tcp
              FromPort: 5432
              ToPort: 5432
              Fn::ForEach::Peer:
                - Key
                - [CidrIp]
                - ${Key}: 10.0.0.0/8
  Item:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: fields of a rule made by a loop over a parameter
      SecurityGroupEgress:
        - Fn::ForEach::Ports:
            - Field
            - [FromPort, ToPort]
            - ${Field}: 443
          IpProtocol: tcp
          CidrIp: 0.0.0.0/0
`)
	if got, want := rules(inv.Groups["Both"]), "egress tcp 5432 to 10.0.0.0/8; ingress tcp 5432 from 10.0.0.0/8"; got != want {
		t.Errorf("Both: rules %s\nwant %s", got, want)
	}
	if got, want := rules(inv.Groups["Item"]), "egress tcp 443 to 0.0.0.0/0"; got != want {
		t.Errorf("Item: rules %s\nwant %s", got, want)
	}
	if w := warnings(inv); strings.Contains(w, "ForEach") {
		t.Errorf("expanded loops must not warn:\n%s", w)
	}
}

// A loop in Properties over a collection that is not known is removed
// with a warning naming the resource and the loop; the rules it could
// make are not known, so no default egress is assumed in their place.
func TestForEachInPropertiesUnknown(t *testing.T) {
	t.Parallel()
	inv := mustLoad(t, `
Transform: AWS::LanguageExtensions
Parameters:
  Dirs: {Type: CommaDelimitedList}
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
      Fn::ForEach::Rules:
        - Dir
        - !Ref Dirs
        - SecurityGroup${Dir}:
            - {IpProtocol: "-1", CidrIp: 0.0.0.0/0}
`)
	g := inv.Groups["G"]
	if g == nil {
		t.Fatal("group G not read")
	}
	if got, want := rules(g), "ingress tcp 22 from 0.0.0.0/0"; got != want {
		t.Errorf("rules %s, want %s", got, want)
	}
	if g.RulesKnown {
		t.Error("a loop that may make SecurityGroupEgress was skipped: the rules are not all known")
	}
	w := warnings(inv)
	if !strings.Contains(w, "t.yaml:12 unknown-value G: Properties.Fn::ForEach::Rules: the collection is not known") ||
		!strings.Contains(w, "the properties the loop makes are skipped") {
		t.Errorf("warnings:\n%s", w)
	}
}

// Two loops making the same key: the second's copy is skipped, said.
func TestForEachInPropertiesDuplicateKey(t *testing.T) {
	t.Parallel()
	inv := mustLoad(t, `
Transform: AWS::LanguageExtensions
Resources:
  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]
      Fn::ForEach::Again:
        - X
        - [Egress]
        - SecurityGroup${X}: [{IpProtocol: "-1", CidrIp: 0.0.0.0/0}]
`)
	if got, want := rules(inv.Groups["G"]), "egress tcp 443 to 10.0.0.0/8"; got != want {
		t.Errorf("rules %s, want %s", got, want)
	}
	if w := warnings(inv); !strings.Contains(w, "the loop makes SecurityGroupEgress, which the object already has") {
		t.Errorf("warnings:\n%s", w)
	}
}
