package equivalence_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/inventory/cloudformation"
	"github.com/walls-dev/walls/internal/inventory/terraform"
	"github.com/walls-dev/walls/internal/vpc"
)

// netCase is one VPC, with a subnet and a managed prefix list, written as
// a .tf folder, a terraform show -json plan and a CloudFormation template.
type netCase struct {
	name string
	// vpc4 is the primary IPv4 block, then secondary ones (associated by
	// separate resources); vpc6 an IPv6 block associated with the VPC.
	vpc4 []string
	vpc6 string
	// v6OnVPC writes vpc6 on Terraform's aws_vpc itself rather than as an
	// association (CloudFormation has only the association).
	v6OnVPC          bool
	subnet4, subnet6 string
	az               string
	// The prefix list: family, max entries (0: not written), entries.
	// "?" is an entry whose block is unknown; standalone writes the last
	// entry as aws_ec2_managed_prefix_list_entry in Terraform.
	family     string
	max        int
	entries    []string
	standalone bool
}

var netCases = []netCase{
	{name: "primary only", vpc4: []string{"10.0.0.0/16"}, subnet4: "10.0.1.0/24", az: "us-east-1a",
		family: "IPv4", max: 5, entries: []string{"192.0.2.0/24", "198.51.100.0/24"}},
	{name: "secondary and IPv6", vpc4: []string{"10.0.0.0/16", "10.1.0.0/16", "100.64.0.0/16"}, vpc6: "2600:1f18:1::/56",
		subnet4: "10.1.2.0/24", subnet6: "2600:1f18:1:1::/64", az: "eu-west-1b",
		family: "IPv6", max: 10, entries: []string{"2001:db8::/32", "2001:db8:1::/48"}},
	{name: "IPv6 on the VPC", vpc4: []string{"172.16.0.0/12"}, vpc6: "2600:1f18:2::/56", v6OnVPC: true,
		subnet4: "172.16.0.0/20", subnet6: "2600:1f18:2:ff::/64", az: "us-west-2c",
		family: "IPv4", entries: []string{"203.0.113.7/32"}, standalone: true},
	{name: "unknown entry", vpc4: []string{"10.9.0.0/16"}, subnet4: "10.9.0.0/28", az: "ap-south-1a",
		family: "IPv4", max: 3, entries: []string{"192.0.2.0/24", "?", "198.51.100.0/24"}},
	{name: "no entries", vpc4: []string{"10.0.0.0/8"}, subnet4: "10.255.255.0/24", az: "sa-east-1a",
		family: "IPv4", max: 1},
}

// want is the model every reader must give, rendered by netModel.
func (c netCase) want() string {
	var known []string
	complete := true
	for _, e := range c.entries {
		if e == "?" {
			complete = false
		} else {
			known = append(known, e)
		}
	}
	var v6 []string
	if c.vpc6 != "" {
		v6 = []string{c.vpc6}
	}
	var s6 []string
	if c.subnet6 != "" {
		s6 = []string{c.subnet6}
	}
	lines := []string{
		fmt.Sprintf("vpc main %v %v", c.vpc4, v6),
		fmt.Sprintf("subnet app vpc=main %s %v az=%s", c.subnet4, s6, c.az),
		fmt.Sprintf("pl corp %s max=%d complete=%v %v", c.family, c.max, complete, known),
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// netModel renders an inventory's VPCs, subnets and prefix lists by name.
func netModel(inv *vpc.Inventory) string {
	vpcName := map[string]string{}
	var lines []string
	strs := func(ps []string) string { return fmt.Sprint(ps) }
	for id, v := range inv.VPCs {
		vpcName[id] = v.Tags["Name"]
		var c4, c6 []string
		for _, p := range v.CIDRs {
			c4 = append(c4, p.String())
		}
		for _, p := range v.IPv6CIDRs {
			c6 = append(c6, p.String())
		}
		lines = append(lines, fmt.Sprintf("vpc %s %s %s", v.Tags["Name"], strs(c4), strs(c6)))
	}
	for _, s := range inv.Subnets {
		var c6 []string
		for _, p := range s.IPv6CIDRs {
			c6 = append(c6, p.String())
		}
		lines = append(lines, fmt.Sprintf("subnet %s vpc=%s %s %s az=%s", s.Tags["Name"], vpcName[s.VpcID], s.CIDR, strs(c6), s.AvailabilityZone))
	}
	for _, pl := range inv.PrefixLists {
		var es []string
		for _, p := range pl.Entries {
			es = append(es, p.String())
		}
		lines = append(lines, fmt.Sprintf("pl %s %s max=%d complete=%v %s", pl.Name, pl.AddressFamily, pl.MaxEntries, pl.EntriesKnown, strs(es)))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestNetworkReadersAgree(t *testing.T) {
	t.Parallel()
	for _, c := range netCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want := c.want()
			for _, rd := range []struct {
				name string
				load func(*testing.T, netCase) *vpc.Inventory
			}{{"terraform", loadNetTF}, {"terraform-show", loadNetShow}, {"cloudformation", loadNetCFN}} {
				inv := rd.load(t, c)
				if got := netModel(inv); got != want {
					t.Errorf("%s reads\n%s\nwant\n%s", rd.name, got, want)
				}
				// Only the unknown entry is worth a warning.
				var codes []string
				for _, w := range inv.Warnings {
					codes = append(codes, w.Code+": "+w.Message)
				}
				if wantWarn := strings.Contains(want, "complete=false"); wantWarn != (len(codes) > 0) {
					t.Errorf("%s warns %q; want a warning only for an unknown entry", rd.name, codes)
				}
			}
		})
	}
}

// netSpelling is how a source form writes each part of a netCase: format
// strings taking the values in the order netSource passes them.
type netSpelling struct {
	head         string // the unknown value's declaration, then the VPC with its primary block
	vpc6, vpcEnd string // an IPv6 block on the VPC itself ("" when the form has none); the VPC's end
	secondary    string // index, block
	assoc6       string // block
	subnet       string // block, zone
	subnet6      string // block
	subnetEnd    string
	list         string // family
	max          string // max entries
	entries      string // before the first entry ("" for none)
	entry        string // block
	unknownEntry string
	listEnd      string
	standalone   string // block, for the last entry written on its own ("" when the form has none)
}

var (
	tfSpelling = netSpelling{
		head:      "variable \"unknown_cidr\" {}\n\nresource \"aws_vpc\" \"main\" {\n  cidr_block = %q\n",
		vpc6:      "  ipv6_cidr_block = %q\n",
		vpcEnd:    "  tags = { Name = \"main\" }\n}\n",
		secondary: "resource \"aws_vpc_ipv4_cidr_block_association\" \"s%d\" {\n  vpc_id = aws_vpc.main.id\n  cidr_block = %q\n}\n",
		assoc6:    "resource \"aws_vpc_ipv6_cidr_block_association\" \"v6\" {\n  vpc_id = aws_vpc.main.id\n  ipv6_cidr_block = %q\n}\n",
		subnet:    "resource \"aws_subnet\" \"app\" {\n  vpc_id = aws_vpc.main.id\n  cidr_block = %q\n  availability_zone = %q\n",
		subnet6:   "  ipv6_cidr_block = %q\n",
		subnetEnd: "  tags = { Name = \"app\" }\n}\n",
		list:      "resource \"aws_ec2_managed_prefix_list\" \"corp\" {\n  name = \"corp\"\n  address_family = %q\n",
		max:       "  max_entries = %d\n",
		entry:     "  entry {\n    cidr = %q\n  }\n", unknownEntry: "  entry {\n    cidr = var.unknown_cidr\n  }\n",
		listEnd:    "}\n",
		standalone: "resource \"aws_ec2_managed_prefix_list_entry\" \"last\" {\n  prefix_list_id = aws_ec2_managed_prefix_list.corp.id\n  cidr = %q\n}\n",
	}
	cfnSpelling = netSpelling{
		head:      "Parameters:\n  UnknownCidr:\n    Type: String\nResources:\n  Main:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: %s\n",
		vpcEnd:    "      Tags:\n        - Key: Name\n          Value: main\n",
		secondary: "  Secondary%d:\n    Type: AWS::EC2::VPCCidrBlock\n    Properties:\n      VpcId: !Ref Main\n      CidrBlock: %s\n",
		assoc6:    "  V6:\n    Type: AWS::EC2::VPCCidrBlock\n    Properties:\n      VpcId: !Ref Main\n      Ipv6CidrBlock: %q\n",
		subnet:    "  App:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Main\n      CidrBlock: %s\n      AvailabilityZone: %s\n",
		subnet6:   "      Ipv6CidrBlock: %q\n",
		subnetEnd: "      Tags:\n        - Key: Name\n          Value: app\n",
		list:      "  Corp:\n    Type: AWS::EC2::PrefixList\n    Properties:\n      PrefixListName: corp\n      AddressFamily: %s\n",
		max:       "      MaxEntries: %d\n",
		entries:   "      Entries:\n",
		entry:     "        - Cidr: %q\n", unknownEntry: "        - Cidr: !Ref UnknownCidr\n",
	}
)

// netSource writes c as sp spells it.
func netSource(c netCase, sp netSpelling) string {
	var b strings.Builder
	fmt.Fprintf(&b, sp.head, c.vpc4[0])
	v6OnVPC := c.v6OnVPC && sp.vpc6 != ""
	if v6OnVPC {
		fmt.Fprintf(&b, sp.vpc6, c.vpc6)
	}
	b.WriteString(sp.vpcEnd)
	for i, s := range c.vpc4[1:] {
		fmt.Fprintf(&b, sp.secondary, i, s)
	}
	if c.vpc6 != "" && !v6OnVPC {
		fmt.Fprintf(&b, sp.assoc6, c.vpc6)
	}
	fmt.Fprintf(&b, sp.subnet, c.subnet4, c.az)
	if c.subnet6 != "" {
		fmt.Fprintf(&b, sp.subnet6, c.subnet6)
	}
	b.WriteString(sp.subnetEnd)
	fmt.Fprintf(&b, sp.list, c.family)
	if c.max > 0 {
		fmt.Fprintf(&b, sp.max, c.max)
	}
	entries, last := c.entries, ""
	if c.standalone && sp.standalone != "" {
		entries, last = entries[:len(entries)-1], entries[len(entries)-1]
	}
	if len(entries) > 0 {
		b.WriteString(sp.entries)
	}
	for _, e := range entries {
		if e == "?" {
			b.WriteString(sp.unknownEntry)
		} else {
			fmt.Fprintf(&b, sp.entry, e)
		}
	}
	b.WriteString(sp.listEnd)
	if last != "" {
		fmt.Fprintf(&b, sp.standalone, last)
	}
	return b.String()
}

func loadNetTF(t *testing.T, c netCase) *vpc.Inventory {
	src := netSource(c, tfSpelling)
	inv := vpc.New()
	if _, err := terraform.LoadHCLFiles(map[string][]byte{"main.tf": []byte(src)}, inv); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return inv
}

func loadNetShow(t *testing.T, c netCase) *vpc.Inventory {
	var rs, changes []any
	add := func(typ, name string, values map[string]any, unknown map[string]any) {
		addr := typ + "." + name
		rs = append(rs, map[string]any{"address": addr, "mode": "managed", "type": typ, "name": name, "values": values})
		if unknown != nil {
			changes = append(changes, map[string]any{"address": addr, "mode": "managed", "type": typ, "name": name,
				"change": map[string]any{"actions": []any{"create"}, "after": values, "after_unknown": unknown}})
		}
	}
	v6 := ""
	if c.v6OnVPC {
		v6 = c.vpc6
	}
	add("aws_vpc", "main", map[string]any{"id": "vpc-main", "cidr_block": c.vpc4[0], "ipv6_cidr_block": v6,
		"assign_generated_ipv6_cidr_block": false, "tags": map[string]any{"Name": "main"}}, nil)
	for i, s := range c.vpc4[1:] {
		add("aws_vpc_ipv4_cidr_block_association", fmt.Sprint("s", i), map[string]any{"vpc_id": "vpc-main", "cidr_block": s}, nil)
	}
	if c.vpc6 != "" && !c.v6OnVPC {
		add("aws_vpc_ipv6_cidr_block_association", "v6", map[string]any{"vpc_id": "vpc-main", "ipv6_cidr_block": c.vpc6}, nil)
	}
	add("aws_subnet", "app", map[string]any{"id": "subnet-app", "vpc_id": "vpc-main", "cidr_block": c.subnet4,
		"ipv6_cidr_block": c.subnet6, "availability_zone": c.az, "tags": map[string]any{"Name": "app"}}, nil)
	entries, last := c.entries, ""
	if c.standalone {
		entries, last = entries[:len(entries)-1], entries[len(entries)-1]
	}
	var es, unk []any
	for _, e := range entries {
		if e == "?" {
			es = append(es, map[string]any{"cidr": nil, "description": ""})
			unk = append(unk, map[string]any{"cidr": true})
		} else {
			es = append(es, map[string]any{"cidr": e, "description": ""})
			unk = append(unk, map[string]any{})
		}
	}
	pl := map[string]any{"id": "pl-corp", "name": "corp", "address_family": c.family, "entry": es}
	if c.max > 0 {
		pl["max_entries"] = json.Number(fmt.Sprint(c.max))
	}
	add("aws_ec2_managed_prefix_list", "corp", pl, map[string]any{"entry": unk})
	if last != "" {
		add("aws_ec2_managed_prefix_list_entry", "last", map[string]any{"prefix_list_id": "pl-corp", "cidr": last}, nil)
	}
	doc := map[string]any{"format_version": "1.2", "terraform_version": "1.9.0",
		"planned_values": map[string]any{"root_module": map[string]any{"resources": rs}}, "resource_changes": changes}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	inv := vpc.New()
	if err := terraform.LoadShowJSON("plan.json", data, inv); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return inv
}

func loadNetCFN(t *testing.T, c netCase) *vpc.Inventory {
	src := netSource(c, cfnSpelling)
	inv := vpc.New()
	if err := cloudformation.LoadTemplate("template.yaml", []byte(src), inv); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return inv
}
