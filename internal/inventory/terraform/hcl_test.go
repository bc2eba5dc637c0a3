package terraform

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func loadHCL(t *testing.T, src string) (*vpc.Inventory, []Suppression, error) {
	t.Helper()
	inv := vpc.New()
	sups, err := LoadHCLFiles(map[string][]byte{"main.tf": []byte(src)}, inv)
	return inv, sups, err
}

func mustHCL(t *testing.T, src string) *vpc.Inventory {
	t.Helper()
	inv, _, err := loadHCL(t, src)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return inv
}

// rules renders a group's rules as sorted one-liners.
func rules(g *vpc.SecurityGroup) []string {
	if g == nil {
		return []string{"<no group>"}
	}
	var out []string
	for _, r := range append(append([]vpc.Rule{}, g.Ingress...), g.Egress...) {
		out = append(out, r.String())
	}
	sort.Strings(out)
	return out
}

func warningsText(inv *vpc.Inventory) string {
	var b strings.Builder
	for _, w := range inv.Warnings {
		b.WriteString(w.Source.String() + " " + w.Code + " " + w.Message + "\n")
	}
	return b.String()
}

func TestHCLSecurityGroupRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		group string
		want  []string
	}{
		{
			name: "inline blocks, every peer kind, one rule per peer",
			src: `resource "aws_security_group" "a" {
  name = "a"
  ingress {
    from_port = 443
    to_port = 443
    protocol = "tcp"
    cidr_blocks = ["10.0.0.0/8", "192.168.1.7/24"]
    ipv6_cidr_blocks = ["2001:db8::/32"]
    prefix_list_ids = ["pl-123"]
    security_groups = ["sg-1", "111122223333/sg-2"]
    self = true
  }
}`,
			group: "aws_security_group.a",
			want: []string{
				"ingress tcp 443 from 10.0.0.0/8", "ingress tcp 443 from 192.168.1.0/24",
				"ingress tcp 443 from 2001:db8::/32", "ingress tcp 443 from aws_security_group.a",
				"ingress tcp 443 from pl-123", "ingress tcp 443 from sg-1", "ingress tcp 443 from sg-2",
			},
		},
		{
			name: "no egress block means no egress (the provider removes the default)",
			src: `resource "aws_security_group" "a" {
  ingress {
    from_port = 22
    to_port = 22
    protocol = "tcp"
    cidr_blocks = ["198.51.100.0/24"]
  }
}`,
			group: "aws_security_group.a",
			want:  []string{"ingress tcp 22 from 198.51.100.0/24"},
		},
		{
			name: "protocol -1 ignores ports; numbers and names; icmp type and code",
			src: `resource "aws_security_group" "a" {
  egress {
    from_port = 0
    to_port = 0
    protocol = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port = 53
    to_port = 53
    protocol = "17"
    cidr_blocks = ["10.0.0.2/32"]
  }
  egress {
    from_port = 8
    to_port = 0
    protocol = "icmp"
    cidr_blocks = ["10.0.0.0/16"]
  }
  egress {
    from_port = 0
    to_port = 0
    protocol = "50"
    cidr_blocks = ["10.0.0.0/16"]
  }
}`,
			group: "aws_security_group.a",
			want: []string{
				"egress 50 to 10.0.0.0/16", "egress all to 0.0.0.0/0",
				"egress icmp type 8 code 0 to 10.0.0.0/16", "egress udp 53 to 10.0.0.2/32",
			},
		},
		{
			name: "aws_security_group_rule: many peers, self, source group, protocol all",
			src: `resource "aws_security_group" "a" { name = "a" }
resource "aws_security_group" "b" { name = "b" }
resource "aws_security_group_rule" "r1" {
  type = "ingress"
  security_group_id = aws_security_group.a.id
  protocol = "tcp"
  from_port = 80
  to_port = 81
  cidr_blocks = ["10.0.0.0/16", "10.1.0.0/16"]
}
resource "aws_security_group_rule" "r2" {
  type = "ingress"
  security_group_id = aws_security_group.a.id
  protocol = "all"
  from_port = 0
  to_port = 65535
  self = true
}
resource "aws_security_group_rule" "r3" {
  type = "egress"
  security_group_id = aws_security_group.a.id
  protocol = "tcp"
  from_port = 5432
  to_port = 5432
  source_security_group_id = aws_security_group.b.id
}`,
			group: "aws_security_group.a",
			want: []string{
				"egress tcp 5432 to aws_security_group.b", "ingress all from aws_security_group.a",
				"ingress tcp 80-81 from 10.0.0.0/16", "ingress tcp 80-81 from 10.1.0.0/16",
			},
		},
		{
			name: "aws_vpc_security_group_*_rule: one peer each, -1 without ports, icmpv6 without ports",
			src: `resource "aws_security_group" "a" {}
resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.a.id
  ip_protocol = "-1"
  cidr_ipv6 = "::/0"
}
resource "aws_vpc_security_group_ingress_rule" "v6" {
  security_group_id = aws_security_group.a.id
  ip_protocol = "icmpv6"
  cidr_ipv6 = "2001:db8::/64"
}
resource "aws_vpc_security_group_ingress_rule" "pl" {
  security_group_id = aws_security_group.a.id
  ip_protocol = "tcp"
  from_port = 443
  to_port = 443
  prefix_list_id = aws_ec2_managed_prefix_list.office.id
}
resource "aws_ec2_managed_prefix_list" "office" {
  name = "office"
  address_family = "IPv4"
  max_entries = 5
  entry {
    cidr = "198.51.100.0/24"
  }
}`,
			group: "aws_security_group.a",
			want: []string{
				"egress all to ::/0", "ingress icmpv6 all types from 2001:db8::/64",
				"ingress tcp 443 from aws_ec2_managed_prefix_list.office",
			},
		},
		{
			name: "aws_default_security_group keeps only the declared rules",
			src: `resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_default_security_group" "d" {
  vpc_id = aws_vpc.main.id
}`,
			group: "aws_default_security_group.d",
			want:  nil,
		},
		{
			name: "dynamic block over a local list, string templates, locals chain",
			src: `locals {
  base  = "10.20"
  cidr  = "${local.base}.0.0/16"
  ports = [80, 443]
}
variable "extra" { default = ["172.16.0.0/12"] }
resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port = ingress.value
      to_port = ingress.value
      protocol = "tcp"
      cidr_blocks = concat([local.cidr], var.extra)
    }
  }
}`,
			group: "aws_security_group.a",
			want: []string{
				"ingress tcp 443 from 10.20.0.0/16", "ingress tcp 443 from 172.16.0.0/12",
				"ingress tcp 80 from 10.20.0.0/16", "ingress tcp 80 from 172.16.0.0/12",
			},
		},
		{
			name: "count and for_each instances",
			src: `resource "aws_security_group" "c" {
  count = 2
  name = "c${count.index}"
  egress {
    from_port = 443
    to_port = 443
    protocol = "tcp"
    cidr_blocks = ["10.${count.index}.0.0/16"]
  }
}`,
			group: "aws_security_group.c[1]",
			want:  []string{"egress tcp 443 to 10.1.0.0/16"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := mustHCL(t, tt.src)
			got := rules(inv.Groups[tt.group])
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rules:\n%s\nwant:\n%s\nwarnings:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), warningsText(inv))
			}
		})
	}
}

func TestHCLForEachMap(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `resource "aws_security_group" "g" {
  for_each = { web = 443, ssh = 22 }
  name = each.key
  ingress {
    from_port = each.value
    to_port = each.value
    protocol = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "i" {
  subnet_id = "subnet-1"
  private_ip = "10.0.0.5"
  vpc_security_group_ids = [aws_security_group.g["web"].id]
}`)
	if g := inv.Groups[`aws_security_group.g["ssh"]`]; g == nil || g.Name != "ssh" || rules(g)[0] != "ingress tcp 22 from 0.0.0.0/0" {
		t.Fatalf("for_each instance: %+v", inv.Groups)
	}
	eni := inv.Interfaces["aws_instance.i"]
	if eni == nil || len(eni.GroupIDs) != 1 || eni.GroupIDs[0] != `aws_security_group.g["web"]` {
		t.Fatalf("instance groups: %+v", eni)
	}
}

func TestHCLUnknownsAreWarnedNeverGuessed(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `variable "office" {}
data "aws_vpc" "shared" { id = "vpc-1" }
resource "aws_security_group" "a" {
  vpc_id = data.aws_vpc.shared.id
  ingress {
    from_port = 22
    to_port = 22
    protocol = "tcp"
    cidr_blocks = [var.office]
  }
  ingress {
    from_port = 443
    to_port = 443
    protocol = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  dynamic "egress" {
    for_each = data.aws_vpc.shared.cidr_block_associations
    content {
      from_port = 0
      to_port = 0
      protocol = "-1"
      cidr_blocks = [egress.value.cidr_block]
    }
  }
}
resource "aws_security_group_rule" "r" {
  type = "egress"
  security_group_id = aws_security_group.a.id
  protocol = "tcp"
  from_port = module.ports.https
  to_port = 443
  cidr_blocks = ["0.0.0.0/0"]
}`)
	g := inv.Groups["aws_security_group.a"]
	if got := rules(g); strings.Join(got, ";") != "ingress tcp 443 from 0.0.0.0/0" {
		t.Errorf("rules = %v, want only the literal one", got)
	}
	w := warningsText(inv)
	for _, want := range []string{
		"main.tf:4 unknown-value aws_security_group.a: vpc_id is unknown: not resolvable statically",
		"main.tf:9 unknown-value aws_security_group.a: ingress[0].cidr_blocks is unknown",
		"aws_security_group.a: egress (dynamic) is unknown",
		"main.tf:31 unknown-value aws_security_group_rule.r: from_port is unknown",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

func TestHCLNetworkACLs(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  assign_generated_ipv6_cidr_block = true
}
resource "aws_subnet" "a" {
  vpc_id = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_subnet" "b" {
  vpc_id = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}
resource "aws_network_acl" "n" {
  vpc_id = aws_vpc.main.id
  ingress {
    rule_no = 200
    action = "deny"
    protocol = "icmp"
    icmp_type = 8
    icmp_code = -1
    cidr_block = "0.0.0.0/0"
  }
  ingress {
    rule_no = 100
    action = "allow"
    protocol = "udp"
    from_port = 1024
    to_port = 65535
    ipv6_cidr_block = "::/0"
  }
}
resource "aws_network_acl_rule" "out" {
  network_acl_id = aws_network_acl.n.id
  rule_number = 50
  egress = true
  protocol = "all"
  rule_action = "allow"
  cidr_block = "0.0.0.0/0"
  from_port = 22
  to_port = 22
}
resource "aws_network_acl_association" "a" {
  network_acl_id = aws_network_acl.n.id
  subnet_id = aws_subnet.a.id
}
resource "aws_default_network_acl" "d" {
  default_network_acl_id = aws_vpc.main.default_network_acl_id
  subnet_ids = [aws_subnet.b.id]
  ingress {
    rule_no = 100
    action = "allow"
    protocol = -1
    from_port = 0
    to_port = 0
    cidr_block = "0.0.0.0/0"
  }
}`)
	n := inv.NACLs["aws_network_acl.n"]
	if n == nil {
		t.Fatal("no NACL")
	}
	var got []string
	for _, e := range append(append([]vpc.NACLEntry{}, n.Inbound...), n.Outbound...) {
		got = append(got, e.String())
	}
	want := "100 allow udp 1024-65535 ::/0;200 deny icmp type 8 10.0.0.0/16"
	want = "100 allow udp 1024-65535 ::/0;200 deny icmp type 8 0.0.0.0/0;50 allow all 0.0.0.0/0"
	if strings.Join(got, ";") != want {
		t.Errorf("entries %q, want %q", strings.Join(got, ";"), want)
	}
	if len(n.SubnetIDs) != 1 || n.SubnetIDs[0] != "aws_subnet.a" || n.VpcID != "aws_vpc.main" {
		t.Errorf("association: subnets %v vpc %q", n.SubnetIDs, n.VpcID)
	}
	d := inv.NACLs["aws_default_network_acl.d"]
	if d == nil || !d.IsDefault || d.VpcID != "aws_vpc.main" || len(d.SubnetIDs) != 1 || len(d.Inbound) != 1 {
		t.Errorf("default NACL: %+v", d)
	}
	if nacl := inv.Index().NACLForSubnet("aws_subnet.b", "aws_vpc.main"); nacl != d {
		t.Errorf("subnet b governed by %v", nacl)
	}
	if !strings.Contains(warningsText(inv), "aws_vpc.main: ipv6_cidr_block is unknown") {
		t.Errorf("want a warning for the generated IPv6 block:\n%s", warningsText(inv))
	}
}

func TestHCLInterfaces(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "s" {
  vpc_id = aws_vpc.v.id
  cidr_block = cidrsubnet(aws_vpc.v.cidr_block, 8, 3)
  ipv6_cidr_block = cidrsubnet("2001:db8:1234:1a00::/56", 8, 3)
}
resource "aws_security_group" "g" {}
resource "aws_instance" "i" {
  subnet_id = aws_subnet.s.id
  vpc_security_group_ids = [aws_security_group.g.id]
  private_ip = "10.0.3.10"
  secondary_private_ips = ["10.0.3.11"]
  tags = { Name = "i" }
}
resource "aws_network_interface" "e" {
  subnet_id = aws_subnet.s.id
  private_ips = ["10.0.3.20", "10.0.3.21"]
  security_groups = [aws_security_group.g.id]
  attachment {
    instance = aws_instance.i.id
    device_index = 1
  }
}`)
	s := inv.Subnets["aws_subnet.s"]
	if s.CIDR.String() != "10.0.3.0/24" || s.IPv6CIDRs[0].String() != "2001:db8:1234:1a03::/64" {
		t.Errorf("cidrsubnet: %v %v", s.CIDR, s.IPv6CIDRs)
	}
	i := inv.Interfaces["aws_instance.i"]
	if i.InstanceID != "aws_instance.i" || i.VpcID != "aws_vpc.v" || len(i.PrivateIPs) != 2 || i.Name() != "i" {
		t.Errorf("instance: %+v", i)
	}
	e := inv.Interfaces["aws_network_interface.e"]
	if e.InstanceID != "aws_instance.i" || len(e.PrivateIPs) != 2 || e.GroupIDs[0] != "aws_security_group.g" {
		t.Errorf("eni: %+v", e)
	}
	ix := inv.Index()
	if len(ix.Members["aws_security_group.g"]) != 2 {
		t.Errorf("members: %v", ix.Members)
	}
}

func TestHCLInputErrors(t *testing.T) {
	t.Parallel()
	sg := func(block string) string {
		return "resource \"aws_security_group\" \"a\" {\n  ingress {\n" + block + "\n  }\n}\n"
	}
	tests := []struct {
		name, src, want string
	}{
		{"syntax", "resource \"aws_vpc\" \"v\" {\n  cidr_block = \n}", "main.tf:2: invalid Terraform (HCL)"},
		{"bad CIDR", sg(`from_port = 1
to_port = 1
protocol = "tcp"
cidr_blocks = ["10.0.0.300/8"]`), "main.tf:6: aws_security_group.a: ingress[0].cidr_blocks: CIDR \"10.0.0.300/8\": want"},
		{"IPv6 in cidr_blocks", sg(`from_port = 1
to_port = 1
protocol = "tcp"
cidr_blocks = ["::/0"]`), "want an IPv4 block"},
		{"port out of range", sg(`from_port = 1
to_port = 70000
protocol = "tcp"
cidr_blocks = ["0.0.0.0/0"]`), "main.tf:4: aws_security_group.a: ingress[0].to_port: tcp port 70000 out of range: want a port 0-65535"},
		{"from after to", sg(`from_port = 90
to_port = 80
protocol = "tcp"
cidr_blocks = ["0.0.0.0/0"]`), "from_port: tcp ports 90-80: want the from port <= the to port"},
		{"missing protocol", sg(`from_port = 1
to_port = 1
cidr_blocks = ["0.0.0.0/0"]`), "main.tf:2: aws_security_group.a: ingress[0].protocol: missing: want tcp, udp"},
		{"bad protocol", sg(`from_port = 1
to_port = 1
protocol = "tpc"
cidr_blocks = ["0.0.0.0/0"]`), "protocol \"tpc\": want"},
		{"no peer", sg(`from_port = 1
to_port = 1
protocol = "tcp"`), "the rule has no peer"},
		{"two peers on a vpc rule", `resource "aws_vpc_security_group_ingress_rule" "r" {
  security_group_id = "sg-1"
  ip_protocol = "tcp"
  from_port = 1
  to_port = 1
  cidr_ipv4 = "10.0.0.0/8"
  cidr_ipv6 = "::/0"
}`, "main.tf:1: aws_vpc_security_group_ingress_rule.r: want exactly one of cidr_ipv4"},
		{"missing security_group_id", `resource "aws_security_group_rule" "r" {
  type = "ingress"
  protocol = "tcp"
  from_port = 1
  to_port = 1
  cidr_blocks = ["0.0.0.0/0"]
}`, "missing security_group_id"},
		{"bad rule type", `resource "aws_security_group_rule" "r" {
  type = "inbound"
  security_group_id = "sg-1"
}`, "type \"inbound\": want ingress or egress"},
		{"rule number", `resource "aws_network_acl" "n" {
  ingress {
    rule_no = 0
    action = "allow"
    protocol = "-1"
    cidr_block = "0.0.0.0/0"
  }
}`, "main.tf:3: aws_network_acl.n: ingress[0].rule_no: rule number 0: want 1-32766"},
		{"action", `resource "aws_network_acl" "n" {
  egress {
    rule_no = 1
    action = "permit"
    protocol = "-1"
    cidr_block = "0.0.0.0/0"
  }
}`, "rule action \"permit\": want allow or deny"},
		{"duplicate rule number", `resource "aws_network_acl" "n" {
  egress {
    rule_no = 1
    action = "allow"
    protocol = "-1"
    cidr_block = "0.0.0.0/0"
  }
  egress {
    rule_no = 1
    action = "deny"
    protocol = "-1"
    cidr_block = "0.0.0.0/0"
  }
}`, "rule number 1 used twice in the outbound direction"},
		{"nacl without cidr", `resource "aws_network_acl_rule" "r" {
  network_acl_id = "acl-1"
  rule_number = 10
  protocol = "tcp"
  rule_action = "allow"
  from_port = 1
  to_port = 2
}`, "missing cidr_block or ipv6_cidr_block"},
		{"bad private ip", `resource "aws_instance" "i" {
  private_ip = "10.0.0"
  vpc_security_group_ids = []
}`, "main.tf:2: aws_instance.i: private_ip: address \"10.0.0\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := loadHCL(t, tt.src)
			var ie *vpc.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *vpc.InputError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSuppressionForms(t *testing.T) {
	t.Parallel()
	inv, sups, err := loadHCL(t, `# walls:ignore WALLS-SG-001 whole group, reviewed
resource "aws_security_group" "a" {
  egress {
    from_port = 0
    to_port = 0
    protocol = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  // walls:ignore WALLS-SG-003
  dynamic "egress" {
    for_each = [3389]
    content {
      from_port = egress.value
      to_port = egress.value
      protocol = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
resource "aws_network_acl_rule" "r" { # walls:ignore WALLS-NACL-002 on purpose
  network_acl_id = "acl-1"
  rule_number = 10
  protocol = "-1"
  rule_action = "allow"
  cidr_block = "0.0.0.0/0"
}
# walls:ignore not-a-check-id
# walls:ignore WALLS-X-1 dangling at the end
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Suppression{
		{CheckID: "WALLS-SG-001", Resource: "aws_security_group.a", Reason: "whole group, reviewed", Loc: vpc.Location{File: "main.tf", Line: 2}},
		{CheckID: "WALLS-SG-003", Resource: "aws_security_group.a", Loc: vpc.Location{File: "main.tf", Line: 11}, Rule: true},
		{CheckID: "WALLS-NACL-002", Resource: "aws_network_acl_rule.r", Reason: "on purpose", Loc: vpc.Location{File: "main.tf", Line: 21}, Rule: true},
	}
	if len(sups) != len(want) {
		t.Fatalf("got %+v", sups)
	}
	for i := range want {
		if sups[i] != want[i] {
			t.Errorf("suppression %d = %+v, want %+v", i, sups[i], want[i])
		}
	}
	// The dynamic block's rule carries the Loc the suppression names.
	for _, r := range inv.Groups["aws_security_group.a"].Egress {
		if r.FromPort == 3389 && r.Source != want[1].Loc {
			t.Errorf("dynamic rule source %v, suppression %v", r.Source, want[1].Loc)
		}
	}
	if w := warningsText(inv); strings.Count(w, "bad-suppression") != 2 {
		t.Errorf("want two bad-suppression warnings:\n%s", w)
	}
}

func TestHCLModulesAreNamedNotRead(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, "module \"net\" {\n  source = \"./net\"\n}\n")
	if w := warningsText(inv); !strings.Contains(w, "main.tf:1 module-not-read module.net") {
		t.Errorf("warnings:\n%s", w)
	}
}

func TestHCLAttachmentsAndTFVars(t *testing.T) {
	t.Parallel()
	inv := vpc.New()
	_, err := LoadHCLFiles(map[string][]byte{
		"main.tf": []byte(`variable "cidr" { default = "10.9.0.0/16" }
resource "aws_vpc" "v" { cidr_block = var.cidr }
resource "aws_security_group" "a" {}
resource "aws_security_group" "b" {}
resource "aws_network_interface" "e" {
  subnet_id = "subnet-1"
  private_ip = "10.9.0.5"
  security_groups = [aws_security_group.a.id]
}
resource "aws_network_interface_sg_attachment" "x" {
  security_group_id = aws_security_group.b.id
  network_interface_id = aws_network_interface.e.id
}
resource "aws_instance" "i" {
  network_interface {
    network_interface_id = aws_network_interface.e.id
    device_index = 0
  }
}`),
		"terraform.tfvars": []byte(`cidr = "10.7.0.0/16"`),
		"x.auto.tfvars":    []byte(`cidr = "10.8.0.0/16"`),
	}, inv)
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.VPCs["aws_vpc.v"].CIDRs[0].String(); got != "10.8.0.0/16" {
		t.Errorf("tfvars: cidr %s, want the .auto.tfvars value", got)
	}
	e := inv.Interfaces["aws_network_interface.e"]
	if strings.Join(e.GroupIDs, ",") != "aws_security_group.a,aws_security_group.b" || e.InstanceID != "aws_instance.i" {
		t.Errorf("eni %+v", e)
	}
	if len(inv.Interfaces) != 1 {
		t.Errorf("an instance attaching an existing interface is that interface: %v", inv.Interfaces)
	}
}
