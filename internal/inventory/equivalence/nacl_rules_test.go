package equivalence_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/inventory/cloudformation"
	"github.com/walls-dev/walls/internal/inventory/terraform"
	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// entryCase is one inbound NACL entry, allow, written in every input form
// that can state every field: AWS CLI describe-network-acls, an
// aws_network_acl ingress block and an AWS::EC2::NetworkAclEntry. Ports
// and ICMP values are text ("" leaves them out); field is "" when all
// must accept it, else the field (EC2 API name) all must name.
type entryCase struct {
	num, proto, from, to, typ, code, cidr, field string
}

var entryCases = []entryCase{
	{"100", "6", "1024", "65535", "", "", "0.0.0.0/0", ""},
	{"100", "17", "53", "53", "", "", "2001:db8::/32", ""},
	{"100", "6", "-1", "-1", "", "", "0.0.0.0/0", "PortRange.From"},
	{"100", "6", "22", "21", "", "", "0.0.0.0/0", "PortRange.From"},
	{"100", "17", "1", "65536", "", "", "0.0.0.0/0", "PortRange.To"},
	{"100", "1", "", "", "-1", "-1", "0.0.0.0/0", ""},
	{"100", "1", "", "", "8", "0", "::/0", ""},
	{"100", "1", "", "", "3", "-1", "10.0.0.0/8", ""},
	{"100", "1", "", "", "-1", "4", "10.0.0.0/8", ""},
	{"100", "1", "", "", "3", "256", "10.0.0.0/8", "IcmpTypeCode.Code"},
	{"100", "58", "", "", "128", "0", "::/0", ""},
	{"100", "58", "", "", "128", "0", "10.0.0.0/8", ""},
	{"100", "-1", "", "", "", "", "::/0", ""},
	{"100", "50", "", "", "", "", "10.0.0.0/8", ""},
	{"1", "-1", "", "", "", "", "0.0.0.0/0", ""},
	{"32766", "-1", "", "", "", "", "0.0.0.0/0", ""},
	{"0", "-1", "", "", "", "", "0.0.0.0/0", "RuleNumber"},
	{"32767", "-1", "", "", "", "", "0.0.0.0/0", "RuleNumber"},
	{"32769", "-1", "", "", "", "", "0.0.0.0/0", "RuleNumber"},
}

type entryReader struct {
	name  string
	spell map[string]string
	load  func(t *testing.T, c entryCase) (*vpc.NACL, error)
}

var entryReaders = []entryReader{
	{"awscli", map[string]string{"PortRange.From": "Entries[0].PortRange.From", "PortRange.To": "Entries[0].PortRange.To",
		"IcmpTypeCode.Code": "Entries[0].IcmpTypeCode.Code", "RuleNumber": "Entries[0].RuleNumber"}, loadAWSNACL},
	{"terraform", map[string]string{"PortRange.From": "from_port", "PortRange.To": "to_port",
		"IcmpTypeCode.Code": "icmp_code", "RuleNumber": "ingress[0].rule_no: rule number"}, loadTFNACL},
	{"cloudformation", map[string]string{"PortRange.From": "Properties.PortRange.From: ", "PortRange.To": "Properties.PortRange.To: ",
		"IcmpTypeCode.Code": "Properties.Icmp.Code: ", "RuleNumber": "Properties.RuleNumber: "}, loadCFNNACL},
}

// TestNACLEntryReadersAgree: every reader compiles an entry to the same
// netspace.NACLEntrySet, or all refuse it naming the same field.
func TestNACLEntryReadersAgree(t *testing.T) {
	t.Parallel()
	for _, c := range entryCases {
		t.Run(strings.Join([]string{c.num, c.proto, c.from, c.to, c.typ, c.code, c.cidr}, "/"), func(t *testing.T) {
			t.Parallel()
			var want netspace.Set
			wantFrom := ""
			for _, rd := range entryReaders {
				n, err := rd.load(t, c)
				if c.field != "" {
					var ie *vpc.InputError
					switch {
					case err == nil:
						t.Errorf("%s accepts it: %v", rd.name, n.Inbound)
					case !errors.As(err, &ie):
						t.Errorf("%s: %v is not an input error", rd.name, err)
					case !strings.Contains(err.Error(), rd.spell[c.field]):
						t.Errorf("%s: %v does not name %s", rd.name, err, rd.spell[c.field])
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", rd.name, err)
					continue
				}
				if len(n.Inbound) != 1 {
					t.Fatalf("%s: entries %v, want one", rd.name, n.Inbound)
				}
				got := compileEntry(t, &n.Inbound[0])
				if wantFrom == "" {
					want, wantFrom = got, rd.name
				} else if !got.Equal(want) {
					t.Errorf("%s reads %v, %s reads %v", rd.name, got, wantFrom, want)
				}
			}
		})
	}
}

// compileEntry turns an entry into its packets as the audit does.
func compileEntry(t *testing.T, e *vpc.NACLEntry) netspace.Set {
	t.Helper()
	if err := e.Validate(); err != nil {
		t.Fatalf("%v: a reader built an entry the model refuses: %v", e.String(), err)
	}
	var b netipx.IPSetBuilder
	b.AddPrefix(e.Prefix)
	addrs, _ := b.IPSet()
	from, to := e.FromPort, e.ToPort
	switch {
	case e.Protocol.IsICMP():
		from, to = e.ICMPType, e.ICMPCode
	case !e.Protocol.HasPorts():
		from, to = -1, -1
	}
	s, err := netspace.NACLEntrySet(int(e.Protocol), from, to, addrs)
	if err != nil {
		t.Fatalf("%v: netspace refuses it: %v", e.String(), err)
	}
	return s
}

func loadAWSNACL(t *testing.T, c entryCase) (*vpc.NACL, error) {
	block := "CidrBlock"
	if strings.Contains(c.cidr, ":") {
		block = "Ipv6CidrBlock"
	}
	extra := ""
	if c.from != "" || c.to != "" {
		extra += `, "PortRange": {` + strings.TrimPrefix(jsonPorts(ruleCase{from: c.from, to: c.to}, "From", "To"), ", ") + "}"
	}
	if c.typ != "" || c.code != "" {
		extra += `, "IcmpTypeCode": {` + strings.TrimPrefix(jsonPorts(ruleCase{from: c.typ, to: c.code}, "Type", "Code"), ", ") + "}"
	}
	doc := fmt.Sprintf(`{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false,
"Entries": [{"RuleNumber": %s, "Egress": false, "RuleAction": "allow", "Protocol": %q, %q: %q%s}]}]}`,
		c.num, c.proto, block, c.cidr, extra)
	inv, err := inventory.Load([]string{write(t, "nacls.json", doc)})
	if err != nil {
		return nil, err
	}
	return inv.NACLs["acl-1"], nil
}

func loadTFNACL(t *testing.T, c entryCase) (*vpc.NACL, error) {
	block := "cidr_block"
	if strings.Contains(c.cidr, ":") {
		block = "ipv6_cidr_block"
	}
	lines := ""
	for _, f := range [][2]string{{"from_port", c.from}, {"to_port", c.to}, {"icmp_type", c.typ}, {"icmp_code", c.code}} {
		if f[1] != "" {
			lines += fmt.Sprintf("\n    %s = %s", f[0], f[1])
		}
	}
	src := fmt.Sprintf(`resource "aws_network_acl" "n" {
  vpc_id = "vpc-1"
  ingress {
    rule_no = %s
    action = "allow"
    protocol = %q
    %s = %q%s
  }
}
`, c.num, c.proto, block, c.cidr, lines)
	inv := vpc.New()
	if _, err := terraform.LoadHCLFiles(map[string][]byte{"main.tf": []byte(src)}, inv); err != nil {
		return nil, err
	}
	return inv.NACLs["aws_network_acl.n"], nil
}

func loadCFNNACL(t *testing.T, c entryCase) (*vpc.NACL, error) {
	block := "CidrBlock"
	if strings.Contains(c.cidr, ":") {
		block = "Ipv6CidrBlock"
	}
	extra := ""
	if c.from != "" || c.to != "" {
		extra += fmt.Sprintf("\n      PortRange: {From: %s, To: %s}", c.from, c.to)
	}
	if c.typ != "" || c.code != "" {
		extra += fmt.Sprintf("\n      Icmp: {Type: %s, Code: %s}", c.typ, c.code)
	}
	src := fmt.Sprintf(`Resources:
  N:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: vpc-1
  E:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref N
      RuleNumber: %s
      Protocol: %s
      RuleAction: allow
      %s: "%s"%s
`, c.num, c.proto, block, c.cidr, extra)
	inv := vpc.New()
	if err := cloudformation.LoadTemplate("template.yaml", []byte(src), inv); err != nil {
		return nil, err
	}
	return inv.NACLs["N"], nil
}
