package equivalence_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/inventory/cloudformation"
	"github.com/walls-dev/walls/internal/inventory/terraform"
	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// ruleCase is one egress rule of group a, written in every input form.
// Ports are text as written ("" leaves the field out). peer is a CIDR,
// "pl" (a prefix list) or "sg" (group b). field is "" when every reader
// must accept the rule, else the field (EC2 API name) every reader must
// name when it refuses it.
type ruleCase struct {
	proto, from, to, peer, field string
}

// One line a case. The readers: AWS CLI describe-security-groups
// (IpPermissionsEgress) and describe-security-group-rules, a Terraform .tf
// folder, terraform show -json, a CloudFormation template and a walls plan.
var ruleCases = []ruleCase{
	{"tcp", "443", "443", "10.0.0.0/8", ""},
	{"tcp", "0", "65535", "2001:db8::/32", ""},
	{"tcp", "-1", "-1", "0.0.0.0/0", "FromPort"},
	{"udp", "-1", "-1", "::/0", "FromPort"},
	{"udp", "53", "-1", "10.0.0.2/32", "ToPort"},
	{"tcp", "22", "21", "10.0.0.0/8", "FromPort"},
	{"tcp", "1", "65536", "10.0.0.0/8", "ToPort"},
	{"tcp", "", "", "10.0.0.0/8", "FromPort"},
	{"udp", "53", "53", "sg", ""},
	{"UDP", "1024", "65535", "pl", ""},
	{"icmp", "-1", "-1", "0.0.0.0/0", ""},
	{"icmp", "-1", "-1", "::/0", ""},
	{"icmp", "8", "-1", "10.0.0.0/8", ""},
	{"icmp", "8", "0", "sg", ""},
	{"icmp", "-1", "4", "0.0.0.0/0", "ToPort"},
	{"icmp", "256", "0", "0.0.0.0/0", "FromPort"},
	{"icmp", "3", "-2", "0.0.0.0/0", "ToPort"},
	{"icmpv6", "-1", "-1", "::/0", ""},
	{"icmpv6", "", "", "::/0", ""},
	{"icmpv6", "128", "0", "pl", ""},
	{"icmpv6", "-1", "-1", "10.0.0.0/8", ""},
	{"icmpv6", "-1", "0", "::/0", "ToPort"},
	{"-1", "-1", "-1", "sg", ""},
	{"-1", "0", "0", "0.0.0.0/0", ""},
	{"-1", "", "", "::/0", ""},
	{"all", "-1", "-1", "pl", ""},
	{"6", "80", "80", "10.0.0.0/8", ""},
	{"17", "-1", "-1", "10.0.0.0/8", "FromPort"},
	{"1", "3", "-1", "10.0.0.0/8", ""},
	{"58", "", "", "2001:db8::/32", ""},
	{"0", "", "", "10.0.0.0/8", ""},
	{"50", "80", "90", "10.0.0.0/8", ""},
	{"47", "-1", "-1", "::/0", ""},
	{"255", "-5", "70000", "sg", ""},
	{"256", "-1", "-1", "10.0.0.0/8", "IpProtocol"},
	{"-2", "", "", "10.0.0.0/8", "IpProtocol"},
}

// A reader writes a case in its form, loads it, and returns group a's
// egress rules in the model.
type reader struct {
	name string
	// spell is the reader's name for an EC2 API field in its errors.
	spell map[string]string
	load  func(t *testing.T, c ruleCase) ([]vpc.Rule, error)
}

var readers = []reader{
	{"awscli-groups", map[string]string{"FromPort": "IpPermissionsEgress[0].FromPort", "ToPort": "IpPermissionsEgress[0].ToPort", "IpProtocol": "IpPermissionsEgress[0].IpProtocol"}, loadAWSGroups},
	{"awscli-rules", map[string]string{"FromPort": "SecurityGroupRules[0].FromPort", "ToPort": "SecurityGroupRules[0].ToPort", "IpProtocol": "SecurityGroupRules[0].IpProtocol"}, loadAWSRules},
	{"terraform", map[string]string{"FromPort": "from_port", "ToPort": "to_port", "IpProtocol": "main.tf:12: aws_vpc_security_group_egress_rule.r: ip_protocol: protocol"}, loadTF},
	{"terraform-show", map[string]string{"FromPort": "from_port", "ToPort": "to_port", "IpProtocol": "aws_vpc_security_group_egress_rule.r: ip_protocol: protocol"}, loadShow},
	{"cloudformation", map[string]string{"FromPort": "SecurityGroupEgress[0].FromPort", "ToPort": "SecurityGroupEgress[0].ToPort", "IpProtocol": "SecurityGroupEgress[0].IpProtocol"}, loadCFN},
	{"plan", map[string]string{"FromPort": "proposedEgress[0].FromPort", "ToPort": "proposedEgress[0].ToPort", "IpProtocol": "proposedEgress[0].IpProtocol"}, loadPlan},
}

// TestRuleReadersAgree feeds every case through every reader: all accept
// it and compile it to the same netspace.Set, or all refuse it with an
// input error naming the same field.
func TestRuleReadersAgree(t *testing.T) {
	t.Parallel()
	for _, c := range ruleCases {
		name := strings.Join([]string{c.proto, c.from, c.to, c.peer}, "/")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want netspace.Set
			wantFrom := ""
			for _, rd := range readers {
				rules, err := rd.load(t, c)
				if c.field != "" {
					var ie *vpc.InputError
					switch {
					case err == nil:
						t.Errorf("%s accepts it as %v; want an error at %s", rd.name, rules, c.field)
					case !errors.As(err, &ie):
						t.Errorf("%s: %v is not an input error (exit 2)", rd.name, err)
					case !strings.Contains(err.Error(), rd.spell[c.field]):
						t.Errorf("%s: %v does not name %s", rd.name, err, rd.spell[c.field])
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", rd.name, err)
					continue
				}
				got := compile(t, rules)
				if wantFrom == "" {
					want, wantFrom = got, rd.name
					continue
				}
				if !got.Equal(want) {
					t.Errorf("%s reads %v, %s reads %v", rd.name, got, wantFrom, want)
				}
			}
			if c.field != "" {
				return
			}
			// The readers agree with the one rule, and netspace with them.
			p, err := vpc.ParseProtocol(strings.ToLower(c.proto))
			if err != nil {
				t.Fatal(err)
			}
			from, to, err := vpc.RulePorts(p, intOf(c.from), intOf(c.to))
			if err != nil {
				t.Fatal(err)
			}
			r := vpc.Rule{Protocol: p, FromPort: from, ToPort: to, Peer: peerOf(c.peer)}
			if got := compile(t, []vpc.Rule{r}); !got.Equal(want) {
				t.Errorf("vpc.RulePorts gives %v, readers %v", got, want)
			}
		})
	}
}

// TestRuleSetAgreesWithRulePorts: for raw values as a file may hold them,
// netspace.RuleSet refuses exactly what vpc.RulePorts refuses, and where
// both accept, the raw values and the stored ones give the same set.
func TestRuleSetAgreesWithRulePorts(t *testing.T) {
	t.Parallel()
	vals := []int64{-2, -1, 0, 1, 8, 53, 255, 256, 65535, 65536}
	addrs := ipset("0.0.0.0/0", "::/0")
	for _, proto := range []int{-1, 0, 1, 6, 17, 47, 58, 255} {
		for _, f := range vals {
			for _, to := range vals {
				p := vpc.Protocol(proto)
				sf, st, verr := vpc.RulePorts(p, vpc.SomeInt(f), vpc.SomeInt(to))
				raw, nerr := netspace.RuleSet(proto, int32(f), int32(to), addrs)
				if (verr == nil) != (nerr == nil) {
					t.Errorf("protocol %d ports %d %d: vpc.RulePorts %v, netspace.RuleSet %v", proto, f, to, verr, nerr)
					continue
				}
				if verr != nil {
					continue
				}
				stored, err := netspace.RuleSet(proto, sf, st, addrs)
				if err != nil || !stored.Equal(raw) {
					t.Errorf("protocol %d ports %d %d: stored %d %d gives %v (%v), raw %v", proto, f, to, sf, st, stored, err, raw)
				}
			}
		}
	}
}

func intOf(s string) vpc.Int {
	if s == "" {
		return vpc.Int{}
	}
	var n int64
	fmt.Sscan(s, &n)
	return vpc.SomeInt(n)
}

// The addresses a prefix list or a group reference stands for, the same
// whatever id a reader gives them.
var (
	plAddrs = []string{"192.0.2.0/24", "2001:db8:2::/48"}
	sgAddrs = []string{"198.51.100.7/32", "2001:db8:5::7/128"}
)

func peerOf(peer string) vpc.Peer {
	switch peer {
	case "pl":
		return vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-0123"}
	case "sg":
		return vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-b"}}
	}
	return vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(peer)}
}

func ipset(prefixes ...string) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range prefixes {
		b.AddPrefix(netip.MustParsePrefix(p))
	}
	s, _ := b.IPSet()
	return s
}

// compile is the one helper every reader's rules go through.
func compile(t *testing.T, rules []vpc.Rule) netspace.Set {
	t.Helper()
	var out netspace.Set
	for _, r := range rules {
		var addrs *netipx.IPSet
		switch r.Peer.Kind {
		case vpc.PeerCIDR:
			addrs = ipset(r.Peer.Prefix.String())
		case vpc.PeerPrefixList:
			addrs = ipset(plAddrs...)
		case vpc.PeerGroup:
			addrs = ipset(sgAddrs...)
		}
		s, err := netspace.RuleSet(int(r.Protocol), r.FromPort, r.ToPort, addrs)
		if err != nil {
			t.Fatalf("%v: a reader accepted a rule netspace refuses: %v", r.String(), err)
		}
		out = out.Union(s)
	}
	return out
}

// egressOf returns the stated (not assumed) egress rules of every group.
func egressOf(inv *vpc.Inventory) []vpc.Rule {
	var out []vpc.Rule
	for _, g := range inv.Groups {
		for _, r := range g.Egress {
			if !r.Assumed {
				out = append(out, r)
			}
		}
	}
	return out
}

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// jsonPorts renders the ports as JSON members, leaving out absent ones.
func jsonPorts(c ruleCase, from, to string) string {
	s := ""
	if c.from != "" {
		s += fmt.Sprintf(", %q: %s", from, c.from)
	}
	if c.to != "" {
		s += fmt.Sprintf(", %q: %s", to, c.to)
	}
	return s
}

func loadAWSGroups(t *testing.T, c ruleCase) ([]vpc.Rule, error) {
	peer := ""
	switch {
	case c.peer == "pl":
		peer = `"PrefixListIds": [{"PrefixListId": "pl-0123"}]`
	case c.peer == "sg":
		peer = `"UserIdGroupPairs": [{"GroupId": "sg-b"}]`
	case strings.Contains(c.peer, ":"):
		peer = fmt.Sprintf(`"Ipv6Ranges": [{"CidrIpv6": %q}]`, c.peer)
	default:
		peer = fmt.Sprintf(`"IpRanges": [{"CidrIp": %q}]`, c.peer)
	}
	doc := fmt.Sprintf(`{"SecurityGroups": [{"GroupId": "sg-a", "GroupName": "a", "VpcId": "vpc-1", "IpPermissions": [],
"IpPermissionsEgress": [{"IpProtocol": %q%s, %s}]}]}`, c.proto, jsonPorts(c, "FromPort", "ToPort"), peer)
	inv, err := inventory.Load([]string{write(t, "groups.json", doc)})
	if err != nil {
		return nil, err
	}
	return egressOf(inv), nil
}

func loadAWSRules(t *testing.T, c ruleCase) ([]vpc.Rule, error) {
	peer := ""
	switch {
	case c.peer == "pl":
		peer = `"PrefixListId": "pl-0123"`
	case c.peer == "sg":
		peer = `"ReferencedGroupInfo": {"GroupId": "sg-b"}`
	case strings.Contains(c.peer, ":"):
		peer = fmt.Sprintf(`"CidrIpv6": %q`, c.peer)
	default:
		peer = fmt.Sprintf(`"CidrIpv4": %q`, c.peer)
	}
	doc := fmt.Sprintf(`{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-a", "IsEgress": true,
"IpProtocol": %q%s, %s}]}`, c.proto, jsonPorts(c, "FromPort", "ToPort"), peer)
	inv, err := inventory.Load([]string{write(t, "rules.json", doc)})
	if err != nil {
		return nil, err
	}
	return egressOf(inv), nil
}

// tfPeer is the peer as aws_vpc_security_group_egress_rule writes it.
func tfPeer(c ruleCase, groupB string) (string, string) {
	switch {
	case c.peer == "pl":
		return "prefix_list_id", `"pl-0123"`
	case c.peer == "sg":
		return "referenced_security_group_id", groupB
	case strings.Contains(c.peer, ":"):
		return "cidr_ipv6", fmt.Sprintf("%q", c.peer)
	}
	return "cidr_ipv4", fmt.Sprintf("%q", c.peer)
}

func loadTF(t *testing.T, c ruleCase) ([]vpc.Rule, error) {
	field, value := tfPeer(c, "aws_security_group.b.id")
	ports := ""
	if c.from != "" {
		ports += "\n  from_port = " + c.from
	}
	if c.to != "" {
		ports += "\n  to_port = " + c.to
	}
	src := fmt.Sprintf(`resource "aws_security_group" "a" {
  name   = "a"
  vpc_id = "vpc-1"
}

resource "aws_security_group" "b" {
  name   = "b"
  vpc_id = "vpc-1"
}

resource "aws_vpc_security_group_egress_rule" "r" {
  ip_protocol = %q
  security_group_id = aws_security_group.a.id%s
  %s = %s
}
`, c.proto, ports, field, value)
	inv := vpc.New()
	if _, err := terraform.LoadHCLFiles(map[string][]byte{"main.tf": []byte(src)}, inv); err != nil {
		return nil, err
	}
	return egressOf(inv), nil
}

func loadShow(t *testing.T, c ruleCase) ([]vpc.Rule, error) {
	field, value := tfPeer(c, `"sg-b"`)
	values := map[string]any{"security_group_id": "sg-a", "ip_protocol": c.proto,
		"cidr_ipv4": nil, "cidr_ipv6": nil, "prefix_list_id": nil, "referenced_security_group_id": nil, "from_port": nil, "to_port": nil}
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		t.Fatal(err)
	}
	values[field] = v
	if c.from != "" {
		values["from_port"] = json.Number(c.from)
	}
	if c.to != "" {
		values["to_port"] = json.Number(c.to)
	}
	group := func(name string) map[string]any {
		return map[string]any{"address": "aws_security_group." + name, "mode": "managed", "type": "aws_security_group", "name": name,
			"values": map[string]any{"id": "sg-" + name, "name": name, "vpc_id": "vpc-1", "egress": []any{}, "ingress": []any{}}}
	}
	doc := map[string]any{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": map[string]any{"root_module": map[string]any{
		"resources": []any{group("a"), group("b"), map[string]any{"address": "aws_vpc_security_group_egress_rule.r", "mode": "managed",
			"type": "aws_vpc_security_group_egress_rule", "name": "r", "values": values}}}}}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	inv := vpc.New()
	if err := terraform.LoadShowJSON("plan.json", data, inv); err != nil {
		return nil, err
	}
	return egressOf(inv), nil
}

func loadCFN(t *testing.T, c ruleCase) ([]vpc.Rule, error) {
	peer := ""
	switch {
	case c.peer == "pl":
		peer = "DestinationPrefixListId: pl-0123"
	case c.peer == "sg":
		peer = "DestinationSecurityGroupId: !GetAtt B.GroupId"
	case strings.Contains(c.peer, ":"):
		peer = "CidrIpv6: " + c.peer
	default:
		peer = "CidrIp: " + c.peer
	}
	ports := ""
	if c.from != "" {
		ports += "\n          FromPort: " + c.from
	}
	if c.to != "" {
		ports += "\n          ToPort: " + c.to
	}
	src := fmt.Sprintf(`Resources:
  A:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: a
      VpcId: vpc-1
      SecurityGroupEgress:
        - IpProtocol: "%s"%s
          %s
  B:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: b
      VpcId: vpc-1
`, c.proto, ports, peer)
	inv := vpc.New()
	if err := cloudformation.LoadTemplate("template.yaml", []byte(src), inv); err != nil {
		return nil, err
	}
	return egressOf(inv), nil
}

func loadPlan(t *testing.T, c ruleCase) ([]vpc.Rule, error) {
	peer := ""
	switch {
	case c.peer == "pl":
		peer = `"PrefixListId": "pl-0123"`
	case c.peer == "sg":
		peer = `"ReferencedGroupInfo": {"GroupId": "sg-b"}`
	case strings.Contains(c.peer, ":"):
		peer = fmt.Sprintf(`"CidrIpv6": %q`, c.peer)
	default:
		peer = fmt.Sprintf(`"CidrIpv4": %q`, c.peer)
	}
	doc := fmt.Sprintf(`{"version": %d, "securityGroups": [{"GroupId": "sg-a", "status": "proposed", "members": 1, "observedMembers": 1,
"currentEgress": [], "proposedEgress": [{"IpProtocol": %q%s, %s, "IsEgress": true}]}]}`,
		plan.Version, c.proto, jsonPorts(c, "FromPort", "ToPort"), peer)
	p, err := plan.Parse("plan.json", []byte(doc))
	if err != nil {
		return nil, err
	}
	return plan.Rules("sg-a", p.SecurityGroups[0].ProposedEgress)
}
