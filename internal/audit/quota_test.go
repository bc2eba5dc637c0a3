package audit

import (
	"fmt"
	"math/rand"
	"net/netip"
	"regexp"
	"strconv"
	"testing"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// TestQuotaCountsAsPlan: WALLS-SG-012 and plan.Count (what learn
// --max-rules sizes a group by) count the same groups the same, over
// generated groups mixing CIDRs of both families, group references and
// prefix lists of every kind (AWS-managed with and without a published
// weight, customer-managed with and without MaxEntries, of either or no
// family, and missing from the input).
func TestQuotaCountsAsPlan(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	inv := vpc.New()
	inv.Loaded[vpc.KindSecurityGroups] = true
	lists := []*vpc.PrefixList{
		{ID: "pl-s3", Name: "com.amazonaws.us-east-1.s3", OwnerID: "AWS", MaxEntries: 40, AddressFamily: "IPv4"},
		{ID: "pl-s3x", Name: "com.amazonaws.us-east-1.s3express", OwnerID: "AWS", MaxEntries: 40},
		{ID: "pl-cf", Name: "com.amazonaws.global.cloudfront.origin-facing", OwnerID: "AWS", MaxEntries: 120},
		{ID: "pl-awsx", Name: "com.amazonaws.us-east-1.unknown", OwnerID: "AWS", MaxEntries: 7,
			Entries: []netip.Prefix{netip.MustParsePrefix("3.0.0.0/8")}},
		{ID: "pl-cust", Name: "office", MaxEntries: 25, AddressFamily: "IPv6"},
		{ID: "pl-cust4", Name: "vendors", MaxEntries: 9, AddressFamily: "ipv4"},
		{ID: "pl-nomax", Name: "partners", Entries: []netip.Prefix{
			netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")}},
	}
	for _, pl := range lists {
		inv.PrefixLists[pl.ID] = pl
	}
	peers := []vpc.Peer{cidr("10.0.0.0/8"), cidr("2001:db8::/32"), cidr("0.0.0.0/0"),
		{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-0"}},
		{Kind: vpc.PeerPrefixList, PrefixListID: "pl-missing"}}
	for _, pl := range lists {
		peers = append(peers, vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: pl.ID})
	}
	for g := 0; g < 40; g++ {
		id := fmt.Sprintf("sg-%02d", g)
		sg := &vpc.SecurityGroup{ID: id, Name: "g", RulesKnown: true}
		for i := 0; i < rng.Intn(12); i++ {
			r := rule(id, rng.Intn(2) == 0, vpc.ProtoTCP, 443, 443, peers[rng.Intn(len(peers))], i)
			if r.Egress {
				sg.Egress = append(sg.Egress, r)
			} else {
				sg.Ingress = append(sg.Ingress, r)
			}
		}
		inv.Groups[id] = sg
	}
	// A quota of 1 and a tiny warning fraction report every bucket with
	// its count.
	rep := Run(inv, Options{Now: now, Checks: []string{GroupNearQuota}, RuleQuota: 1, QuotaWarn: 0.001})
	got := map[string]int{}
	re := regexp.MustCompile(`counts (\d+) (IPv4|IPv6) (ingress|egress) rules`)
	for _, f := range rep.Findings {
		m := re.FindStringSubmatch(f.Message)
		if m == nil {
			t.Fatalf("unexpected message %q", f.Message)
		}
		n, _ := strconv.Atoi(m[1])
		got[f.ResourceID+" "+m[2]+" "+m[3]] = n
	}
	checked := 0
	for id, g := range inv.Groups {
		for _, egress := range []bool{false, true} {
			c := plan.Count(inv, g.Rules(egress))
			for fam, n := range map[string]int{"IPv4": c.IPv4, "IPv6": c.IPv6} {
				k := id + " " + fam + " " + dirWord(egress)
				if got[k] != n {
					t.Errorf("%s: audit counts %d, plan %d", k, got[k], n)
				}
				checked++
			}
		}
	}
	if checked == 0 || len(got) == 0 {
		t.Fatal("nothing compared")
	}
	// The weights themselves, once: published AWS weights; MaxEntries for
	// customer lists and unknown AWS ones; entries when MaxEntries is
	// unknown; a prefix list counts in both buckets whatever its family.
	one := func(id string) plan.RuleCount {
		return plan.Count(inv, []vpc.Rule{rule("sg-x", true, vpc.ProtoTCP, 1, 1, vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: id}, 0)})
	}
	for id, want := range map[string]plan.RuleCount{
		"pl-s3": {IPv4: 1, IPv6: 1}, "pl-s3x": {IPv4: 1, IPv6: 1}, "pl-cf": {IPv4: 55, IPv6: 55}, "pl-awsx": {IPv4: 7, IPv6: 7},
		"pl-cust": {IPv4: 25, IPv6: 25}, "pl-cust4": {IPv4: 9, IPv6: 9}, "pl-nomax": {IPv4: 2, IPv6: 2}, "pl-missing": {IPv4: 1, IPv6: 1},
	} {
		if got := one(id); got != want {
			t.Errorf("%s counts %+v, want %+v", id, got, want)
		}
	}
}
