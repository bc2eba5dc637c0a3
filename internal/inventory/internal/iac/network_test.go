package iac

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

var testBlocks = BlockFields{CIDR4: "c4", CIDR6: "c6", Owner: "owner", AmazonIPv6: "amazon", IPv6Pool: "pool"}

// errorCase checks err against want ("": no error) and reports whether
// the case ends there (an error was wanted).
func errorCase(t *testing.T, err error, want string) bool {
	t.Helper()
	switch {
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("err = %v, want %q", err, want)
	case want == "" && err != nil:
		t.Fatal(err)
	}
	return want != ""
}

func TestVPCBlocks(t *testing.T) {
	t.Parallel()
	computed := testBlocks
	computed.IPv6Computed = true
	for _, tt := range []struct {
		name     string
		f        BlockFields
		fields   map[string]any
		c4, c6   string
		warnings string
		err      string
	}{
		{name: "both known", f: testBlocks, fields: map[string]any{"c4": "10.0.0.0/16", "c6": "2001:db8::/56", "owner": "111122223333"},
			c4: "[10.0.0.0/16]", c6: "[2001:db8::/56]"},
		{name: "masked", f: testBlocks, fields: map[string]any{"c4": "10.0.0.9/16"}, c4: "[10.0.0.0/16]", c6: "[]"},
		{name: "unknown IPv4", f: testBlocks, fields: map[string]any{"c4": unknownVal{}}, c4: "[]", c6: "[]",
			warnings: "c4: the VPC has no known IPv4 block"},
		{name: "unknown IPv6 declared", f: testBlocks, fields: map[string]any{"c6": unknownVal{}}, c4: "[]", c6: "[]",
			warnings: "c6: the VPC's IPv6 block is not known"},
		{name: "unknown IPv6 computed", f: computed, fields: map[string]any{"c6": unknownVal{}}, c4: "[]", c6: "[]"},
		{name: "amazon assigns", f: computed, fields: map[string]any{"amazon": true}, c4: "[]", c6: "[]",
			warnings: "c6: the VPC's IPv6 block is assigned by AWS and not known"},
		{name: "from a pool", f: computed, fields: map[string]any{"pool": unknownVal{}, "c6": unknownVal{}}, c4: "[]", c6: "[]",
			warnings: "c6: the VPC's IPv6 block is assigned by AWS and not known"},
		{name: "family", f: testBlocks, fields: map[string]any{"c4": "2001:db8::/56"}, err: "c4: CIDR \"2001:db8::/56\": want an IPv4 block"},
		{name: "empty is absent", f: testBlocks, fields: map[string]any{"c4": "", "c6": ""}, c4: "[]", c6: "[]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := &mapBody{f: tt.fields}
			v := &vpc.VPC{}
			if errorCase(t, VPCBlocks(b, tt.f, v), tt.err) {
				return
			}
			if got := fmt.Sprint(v.CIDRs); got != tt.c4 {
				t.Errorf("IPv4 %s, want %s", got, tt.c4)
			}
			if got := fmt.Sprint(v.IPv6CIDRs); got != tt.c6 {
				t.Errorf("IPv6 %s, want %s", got, tt.c6)
			}
			if got := strings.Join(b.warnings, "; "); got != tt.warnings {
				t.Errorf("warnings %q, want %q", got, tt.warnings)
			}
		})
	}
}

func TestVPCAssociationAddsToTheVPC(t *testing.T) {
	t.Parallel()
	inv := vpc.New()
	PutVPC(inv, &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}})
	b := &mapBody{f: map[string]any{"vpc": "vpc-1", "c4": unknownVal{}}}
	if err := VPCAssociation(inv, b, "vpc", testBlocks, vpc.Location{}); err != nil {
		t.Fatal(err)
	}
	b2 := &mapBody{f: map[string]any{"vpc": "vpc-1", "c4": "10.1.0.0/16", "c6": "2001:db8::/56"}}
	if err := VPCAssociation(inv, b2, "vpc", testBlocks, vpc.Location{}); err != nil {
		t.Fatal(err)
	}
	v := inv.VPCs["vpc-1"]
	if got := fmt.Sprint(v.CIDRs, v.IPv6CIDRs); got != "[10.0.0.0/16 10.1.0.0/16] [2001:db8::/56]" {
		t.Errorf("VPC blocks %s", got)
	}
	if got := strings.Join(b.warnings, ";"); got != "c4: one of the VPC's IPv4 blocks is not known" {
		t.Errorf("warnings %q", got)
	}
	// An association read before its VPC (another load order) is kept.
	inv = vpc.New()
	if err := VPCAssociation(inv, b2, "vpc", testBlocks, vpc.Location{}); err != nil {
		t.Fatal(err)
	}
	PutVPC(inv, &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}})
	if got := fmt.Sprint(inv.VPCs["vpc-1"].CIDRs); got != "[10.0.0.0/16 10.1.0.0/16]" {
		t.Errorf("VPC blocks %s", got)
	}
}

func TestPrefixList(t *testing.T) {
	t.Parallel()
	f := PrefixListFields{Name: "name", Family: "fam", Owner: "owner", MaxEntries: "max", Entries: "entries", Entry: "cidr"}
	for _, tt := range []struct {
		name     string
		fields   map[string]any
		want     string
		warnings string
		err      string
	}{
		{name: "entries", fields: map[string]any{"name": "corp", "fam": "IPv4", "max": 3, "owner": "111122223333",
			"entries": []any{map[string]any{"cidr": "192.0.2.0/24"}, map[string]any{"cidr": "198.51.100.0/24"}}},
			want: "corp IPv4 111122223333 max=3 [192.0.2.0/24 198.51.100.0/24] known=true"},
		{name: "unknown entry", fields: map[string]any{"fam": "IPv4",
			"entries": []any{map[string]any{"cidr": unknownVal{}}, map[string]any{"cidr": "192.0.2.0/24"}}},
			want: " IPv4  max=0 [192.0.2.0/24] known=false", warnings: "entries[0].cidr: entry skipped"},
		{name: "unknown item", fields: map[string]any{"fam": "IPv6", "entries": []any{unknownVal{}, map[string]any{"cidr": "2001:db8::/32"}}},
			want: " IPv6  max=0 [2001:db8::/32] known=false", warnings: "entries: the list's entries are not known"},
		{name: "unknown list", fields: map[string]any{"entries": unknownVal{}},
			want: "   max=0 [] known=false", warnings: "entries: the list's entries are not known"},
		{name: "family", fields: map[string]any{"fam": "IPv6", "entries": []any{map[string]any{"cidr": "192.0.2.0/24"}}},
			err: "entries[0].cidr: CIDR \"192.0.2.0/24\": want an IPv6 block"},
		{name: "missing", fields: map[string]any{"entries": []any{map[string]any{"description": "x"}}},
			err: "entries[0]: missing cidr: want a CIDR block"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := &mapBody{f: tt.fields}
			inv := vpc.New()
			if errorCase(t, PrefixList(inv, b, f, &vpc.PrefixList{ID: "pl-1"}), tt.err) {
				return
			}
			pl := inv.PrefixLists["pl-1"]
			got := fmt.Sprintf("%s %s %s max=%d %v known=%v", pl.Name, pl.AddressFamily, pl.OwnerID, pl.MaxEntries, pl.Entries, pl.EntriesKnown)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !inv.Loaded[vpc.KindPrefixLists] {
				t.Error("prefix lists not marked loaded")
			}
			if got := strings.Join(b.warnings, "; "); got != tt.warnings {
				t.Errorf("warnings %q, want %q", got, tt.warnings)
			}
		})
	}
}

func TestFinish(t *testing.T) {
	t.Parallel()
	entry := func(n int) vpc.NACLEntry {
		return vpc.NACLEntry{RuleNumber: n, Allow: true, Protocol: vpc.ProtoAll, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
	}
	setup := func() (*vpc.Inventory, *Pending, *vpc.Interface) {
		inv := vpc.New()
		inv.Subnets["subnet-a"] = &vpc.Subnet{ID: "subnet-a", VpcID: "vpc-1", AvailabilityZone: "eu-west-1a"}
		a := &vpc.NACL{ID: "acl-a", SubnetIDs: []string{"subnet-a"}, Inbound: []vpc.NACLEntry{entry(200), entry(100)}}
		b := &vpc.NACL{ID: "acl-b"}
		inv.NACLs["acl-a"], inv.NACLs["acl-b"] = a, b
		eni := &vpc.Interface{ID: "eni-1", SubnetID: "subnet-a"}
		return inv, &Pending{NACLs: []*vpc.NACL{a, b}, ENIs: []*vpc.Interface{eni}, Input: "input"}, eni
	}
	inv, p, eni := setup()
	p.Assocs = []NACLAssoc{{NACL: "acl-b", Subnet: "subnet-a"}, {NACL: "Main.DefaultNetworkAcl", Subnet: "subnet-x", Res: "Assoc"}}
	if err := p.Finish(inv); err != nil {
		t.Fatal(err)
	}
	if a, b := inv.NACLs["acl-a"], inv.NACLs["acl-b"]; len(a.SubnetIDs) != 0 || !reflect.DeepEqual(b.SubnetIDs, []string{"subnet-a"}) || b.VpcID != "vpc-1" {
		t.Errorf("a later association does not replace the earlier one: a %v, b %v in %q", a.SubnetIDs, b.SubnetIDs, b.VpcID)
	}
	if got := inv.NACLs["acl-a"].Inbound; got[0].RuleNumber != 100 {
		t.Errorf("entries not sorted: %v", got)
	}
	if eni.VpcID != "vpc-1" || eni.AvailabilityZone != "eu-west-1a" {
		t.Errorf("interface not given its subnet's VPC and zone: %+v", eni)
	}
	if inv.NACLs["Main.DefaultNetworkAcl"] != nil || len(inv.Warnings) != 1 ||
		inv.Warnings[0].Message != "Assoc: network ACL Main.DefaultNetworkAcl is not declared in this input; association with subnet-x skipped" {
		t.Errorf("undeclared NACL: %+v", inv.Warnings)
	}

	// A template's VPC.DefaultNetworkAcl is the VPC's default NACL.
	inv, p, _ = setup()
	p.DefaultNACLs = true
	p.Assocs = []NACLAssoc{{NACL: "Main.DefaultNetworkAcl", Subnet: "subnet-x"}}
	if err := p.Finish(inv); err != nil {
		t.Fatal(err)
	}
	if n := inv.NACLs["Main.DefaultNetworkAcl"]; n == nil || !n.IsDefault || n.VpcID != "Main" || len(inv.Warnings) != 0 {
		t.Errorf("default NACL: %+v, warnings %v", n, inv.Warnings)
	}

	inv, p, _ = setup()
	inv.NACLs["acl-b"].Outbound = []vpc.NACLEntry{entry(7), entry(7)}
	for i := range inv.NACLs["acl-b"].Outbound {
		inv.NACLs["acl-b"].Outbound[i].Egress = true
	}
	if err := p.Finish(inv); err == nil || !strings.Contains(err.Error(), "network ACL acl-b: rule number 7 used twice in the outbound direction") {
		t.Errorf("err = %v", err)
	}
}
