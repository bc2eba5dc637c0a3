package inventory

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func TestLoadSpecExamples(t *testing.T) {
	inv, err := Load([]string{"testdata/spec", "testdata/prefixlists"})
	if err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["sg-0a1b2c3d4e5f60718"]
	if g == nil || g.Name != "jobs-workers" || g.VpcID != "vpc-0123456789abcdef0" {
		t.Fatalf("group not loaded: %+v", g)
	}
	// describe-security-group-rules output replaces the legacy rules of the
	// same group: rule ids are kept.
	if len(g.Egress) != 3 || len(g.Ingress) != 1 {
		t.Fatalf("egress %d ingress %d, want 3 and 1", len(g.Egress), len(g.Ingress))
	}
	if g.Egress[0].ID != "sgr-0aaaaaaaaaaaaaaa2" || g.Egress[0].Protocol != vpc.ProtoAll {
		t.Errorf("egress[0] = %+v", g.Egress[0])
	}
	if p := g.Egress[1].Peer; p.Kind != vpc.PeerPrefixList || p.PrefixListID != "pl-63a5400a" {
		t.Errorf("egress[1] peer = %+v", p)
	}
	if p := g.Egress[2].Peer; p.Kind != vpc.PeerGroup || p.Group.GroupID != "sg-0fedcba9876543210" || p.Group.UserID != "111122223333" {
		t.Errorf("egress[2] peer = %+v", p)
	}
	n := inv.NACLs["acl-0b1c2d3e4f5061728"]
	if n == nil || len(n.Inbound) != 5 || len(n.Outbound) != 4 {
		t.Fatalf("nacl = %+v", n)
	}
	if n.Inbound[0].RuleNumber != 90 || n.Inbound[0].Allow || n.Inbound[0].FromPort != 3389 {
		t.Errorf("inbound not sorted by rule number: %+v", n.Inbound[0])
	}
	if e := n.Inbound[2]; e.RuleNumber != 120 || e.Protocol != vpc.ProtoICMP || e.ICMPType != 3 || e.ICMPCode != 4 {
		t.Errorf("icmp entry = %+v", e)
	}
	if !n.Inbound[4].IsDefaultDeny() || n.Inbound[4].Prefix != netip.MustParsePrefix("::/0") {
		t.Errorf("last inbound = %+v", n.Inbound[4])
	}
	eni := inv.Interfaces["eni-0123456789abcdef0"]
	if eni == nil || len(eni.PrivateIPs) != 2 || eni.PrivateIPs[0].String() != "10.0.1.5" || eni.PrivateIPs[1].String() != "10.0.1.77" {
		t.Fatalf("eni = %+v", eni)
	}
	if len(eni.PublicIPs) != 1 || eni.PublicIPs[0].String() != "203.0.113.25" || eni.InstanceID != "i-01234567890123456" {
		t.Errorf("eni public/instance = %v %s", eni.PublicIPs, eni.InstanceID)
	}
	if len(eni.IPv6s) != 1 || eni.IPv6s[0].String() != "2001:db8:1234:1a00::123" {
		t.Errorf("eni ipv6 = %v", eni.IPv6s)
	}
	nat := inv.Interfaces["eni-0fedcba9876543210"]
	if nat == nil || !nat.RequesterManaged || nat.Type != "natGateway" || len(nat.GroupIDs) != 0 {
		t.Errorf("requester-managed interface must load like any other: %+v", nat)
	}
	ix := inv.Index()
	if ix.ByPrivateIP[netip.MustParseAddr("10.0.1.77")] != eni || ix.ByPublicIP[netip.MustParseAddr("203.0.113.25")] != eni {
		t.Error("index by IP misses the secondary or public address")
	}
	if got := ix.Members["sg-0a1b2c3d4e5f60718"]; len(got) != 1 || got[0] != eni {
		t.Errorf("members = %v", got)
	}
	if got := ix.ByInstance["i-01234567890123456"]; len(got) != 1 {
		t.Errorf("by instance = %v", got)
	}
	s := inv.Subnets["subnet-0aa11bb22cc33dd44"]
	if s == nil || s.CIDR.String() != "10.0.1.0/24" || len(s.IPv6CIDRs) != 1 {
		t.Fatalf("subnet = %+v", s)
	}
	if ix.SubnetNACL["subnet-0aa11bb22cc33dd44"] != n {
		t.Error("subnet -> NACL association missing")
	}
	pl := inv.PrefixLists["pl-0123456789abcdef0"]
	if pl == nil || !pl.EntriesKnown || len(pl.Entries) != 2 || pl.MaxEntries != 10 || pl.Name != "partner-apis" {
		t.Fatalf("prefix list with entries from pl-….json = %+v", pl)
	}
	if s3 := inv.PrefixLists["pl-63a5400a"]; s3 == nil || !s3.AWSManaged() || s3.EntriesKnown {
		t.Errorf("AWS-managed list = %+v", s3)
	}
	// Warnings: the S3 list's entries are unknown; the referenced db group is not loaded.
	codes := map[string]int{}
	for _, w := range inv.Warnings {
		codes[w.Code]++
	}
	if codes["prefix-list-entries-missing"] == 0 || codes["unknown-group-reference"] == 0 {
		t.Errorf("warnings = %+v", inv.Warnings)
	}
	if !inv.Has(vpc.KindNetworkACLs) || inv.Has(vpc.KindVPCs) {
		t.Errorf("loaded kinds = %v", inv.Loaded)
	}
	if got := MissingKinds(inv); len(got) != 1 || got[0] != vpc.KindVPCs {
		t.Errorf("missing kinds = %v", got)
	}
	if g.Egress[0].Source.File == "" || n.Source.Line != 3 {
		t.Errorf("locations: rule %v, nacl %v", g.Egress[0].Source, n.Source)
	}
}

func TestLoadPagesMerge(t *testing.T) {
	inv, err := Load([]string{"testdata/pages"})
	if err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["sg-01"]
	if g == nil || g.Name != "web" {
		t.Fatalf("group = %+v", g)
	}
	// The rule sgr-02 appears on both pages; it counts once. Modern rules
	// replace the legacy ones.
	if len(g.Ingress) != 1 || len(g.Egress) != 2 {
		t.Fatalf("ingress %d egress %d, want 1 and 2", len(g.Ingress), len(g.Egress))
	}
	if g.Egress[1].Protocol != vpc.ProtoTCP || g.Egress[1].Peer.Prefix.String() != "::/0" {
		t.Errorf("protocol number 6 should normalise to tcp: %+v", g.Egress[1])
	}
	if inv.Has(vpc.KindNetworkInterfaces) {
		t.Error("no interfaces were given")
	}
	if inv.Index().NACLForSubnet("subnet-1", "vpc-1") != nil {
		t.Error("no NACL was loaded")
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		file string
		want []string // substrings of the error
	}{
		{"bad-cidr.json", []string{"bad-cidr.json:4:", "SecurityGroups[0].IpPermissionsEgress[0].IpRanges[0].CidrIp", `"10.0.0.300/8" is not a valid CIDR block; expected an IPv4 CIDR block`}},
		{"port-range.json", []string{"port-range.json:2:", "SecurityGroupRules[0].FromPort", "tcp port 70000 out of range: want a port 0-65535"}},
		{"missing-groupid.json", []string{"SecurityGroups[0].GroupId", "missing required field; expected a security group id"}},
		{"two-peers.json", []string{"exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo; found CidrIpv4 and CidrIpv6"}},
		{"wrong-type.json", []string{"wrong-type.json:3:", "NetworkAcls[0].Entries.RuleNumber", "expected a number, got JSON string"}},
		{"nacl-action.json", []string{"NetworkAcls[0].Entries[0].RuleAction", `"permit" is not a rule action`}},
		{"nacl-noports.json", []string{"NetworkAcls[0].Entries[0].PortRange.From", "needs a port range"}},
		{"v6-in-v4.json", []string{"SecurityGroupRules[0].CidrIpv4", "wrong address family"}},
		{"syntax.json", []string{"syntax.json:3:", "invalid JSON"}},
		{"not-inventory.json", []string{"not-inventory.json", "no top-level key of `aws ec2 describe-*` output"}},
		{"eni-badip.json", []string{"NetworkInterfaces[0].PrivateIpAddress", `"10.0.1.999" is not a valid IP address`}},
		{"icmp-type.json", []string{"SecurityGroupRules[0].FromPort", "icmp type 300 out of range: want -1 (all) or 0-255"}},
		{"protocol.json", []string{"SecurityGroupRules[0].IpProtocol", `protocol "tcpp"`}},
		{"from-above-to.json", []string{"SecurityGroupRules[0].FromPort", "udp ports 100-10: want the from port <= the to port"}},
		{"entries-orphan.json", []string{"entries-orphan.json", "prefix-list entries lack their list id"}},
		{"array-top.json", []string{"array-top.json", "not AWS CLI JSON"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load([]string{filepath.Join("testdata/errors", tc.file)})
			if err == nil {
				t.Fatal("no error")
			}
			var ie *vpc.InputError
			if !errors.As(err, &ie) {
				t.Errorf("error %v is not an *vpc.InputError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadFolderSkipsNonInventory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"x"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "vpcs.json"), []byte(`{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16"}]}`), 0o644)
	os.MkdirAll(filepath.Join(dir, ".terraform"), 0o755)
	os.WriteFile(filepath.Join(dir, ".terraform", "junk.json"), []byte(`not json`), 0o644)
	inv, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if inv.VPCs["vpc-1"] == nil {
		t.Fatal("vpc not loaded")
	}
	found := false
	for _, w := range inv.Warnings {
		if w.Code == "skipped-file" && strings.HasSuffix(w.Source.File, "package.json") {
			found = true
		}
	}
	if !found {
		t.Errorf("package.json should be skipped with a warning: %+v", inv.Warnings)
	}
}

func TestLoadMissingPath(t *testing.T) {
	_, err := Load([]string{"testdata/does-not-exist"})
	if err == nil || !strings.Contains(err.Error(), "testdata/does-not-exist") {
		t.Fatalf("err = %v", err)
	}
}

func TestNonCanonicalCIDRIsMasked(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "r.json")
	os.WriteFile(f, []byte(`{"SecurityGroupRules":[{"GroupId":"sg-1","IsEgress":true,"IpProtocol":"tcp","FromPort":1,"ToPort":2,"CidrIpv4":"100.68.0.18/18"}]}`), 0o644)
	inv, err := Load([]string{f})
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.Groups["sg-1"].Egress[0].Peer.Prefix.String(); got != "100.68.0.0/18" {
		t.Fatalf("prefix = %s, want the canonical 100.68.0.0/18 (docs/semantics.md#sg-peers)", got)
	}
}

func TestLoadEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	_, err := Load([]string{dir})
	if err == nil || !strings.Contains(err.Error(), "no inventory files in "+dir) {
		t.Fatalf("err = %v", err)
	}
}

// TestLegacyRuleLines: each rule of describe-security-groups output points
// at the line of its own peer entry, not at its group's first line.
func TestLegacyRuleLines(t *testing.T) {
	inv, err := Load([]string{"testdata/spec/security-groups.json"})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile("testdata/spec/security-groups.json")
	lineOf := func(needle string) int {
		i := strings.Index(string(data), needle)
		if i < 0 {
			t.Fatalf("%q not in the fixture", needle)
		}
		return 1 + strings.Count(string(data[:i]), "\n")
	}
	g := inv.Groups["sg-0a1b2c3d4e5f60718"]
	want := []struct {
		rule   *vpc.Rule
		needle string
	}{
		{&g.Ingress[0], `{"CidrIp": "198.51.100.0/24"`},
		{&g.Egress[0], `{"CidrIp": "0.0.0.0/0"}`},
		{&g.Egress[1], `{"PrefixListId": "pl-63a5400a"`},
		{&g.Egress[2], `{"GroupId": "sg-0fedcba9876543210"`},
	}
	for _, w := range want {
		if got := w.rule.Source.Line; got != lineOf(w.needle) {
			t.Errorf("%s: line %d, want %d (%s)", w.rule, got, lineOf(w.needle), w.rule.Source.Path)
		}
	}
	if g.Source.Line != lineOf(`"GroupId": "sg-0a1b2c3d4e5f60718"`)-1 {
		t.Errorf("group line %d", g.Source.Line)
	}
}
