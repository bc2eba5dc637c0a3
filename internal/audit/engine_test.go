package audit

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/vpc"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func cidr(s string) vpc.Peer { return vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(s)} }

func rule(g string, egress bool, p vpc.Protocol, from, to int32, peer vpc.Peer, i int) vpc.Rule {
	if p == vpc.ProtoAll {
		from, to = -1, -1
	}
	return vpc.Rule{GroupID: g, Egress: egress, Protocol: p, FromPort: from, ToPort: to, Peer: peer, Index: i}
}

// small builds a one-group inventory: workers open to everything, one ENI.
func small() *vpc.Inventory {
	inv := vpc.New()
	inv.Loaded[vpc.KindSecurityGroups] = true
	inv.Loaded[vpc.KindNetworkInterfaces] = true
	inv.Groups["sg-w"] = &vpc.SecurityGroup{ID: "sg-w", Name: "workers", RulesKnown: true,
		Egress: []vpc.Rule{
			rule("sg-w", true, vpc.ProtoAll, 0, 0, cidr("0.0.0.0/0"), 0),
			rule("sg-w", true, vpc.ProtoTCP, 5432, 5432, cidr("10.0.3.0/24"), 1),
		},
		Ingress: []vpc.Rule{rule("sg-w", false, vpc.ProtoTCP, 22, 22, cidr("198.51.100.0/24"), 0)},
	}
	inv.Interfaces["eni-1"] = &vpc.Interface{ID: "eni-1", SubnetID: "subnet-1", GroupIDs: []string{"sg-w"},
		PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.2.10")}}
	return inv
}

func ids(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.CheckID+":"+f.ResourceID)
	}
	return strings.Join(out, " ")
}

func TestCatalogueIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Catalog() {
		switch {
		case seen[c.ID]:
			t.Errorf("duplicate id %s", c.ID)
		case !strings.HasPrefix(c.ID, "WALLS-"):
			t.Errorf("%s: id must start with WALLS-", c.ID)
		case c.Title == "" || c.Rationale == "" || c.Remediation == "" || c.Severity == 0 || c.Resource == "":
			t.Errorf("%s: title, rationale, remediation, severity and resource are required", c.ID)
		case c.run == nil && c.ID != ExpiredSuppression:
			t.Errorf("%s: no function", c.ID)
		}
		seen[c.ID] = true
	}
}

func TestSeverityOrderAndParse(t *testing.T) {
	if !(Critical > High && High > Medium && Medium > Low) {
		t.Fatal("severity order")
	}
	for _, s := range []Severity{Low, Medium, High, Critical} {
		got, err := ParseSeverity(strings.ToUpper(s.String()))
		if err != nil || got != s {
			t.Errorf("%s: %v %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("want an error for an unknown severity")
	}
}

func TestFindingsSortedAndDeterministic(t *testing.T) {
	a := Run(small(), Options{Now: now, Parallelism: 1})
	b := Run(small(), Options{Now: now, Parallelism: 8})
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("output depends on parallelism:\n%s\n%s", ja, jb)
	}
	for i := 1; i < len(a.Findings); i++ {
		if a.Findings[i].Severity > a.Findings[i-1].Severity {
			t.Errorf("not sorted by severity: %s", ids(a.Findings))
		}
	}
	if len(a.Findings) == 0 || a.Findings[0].CheckID != OpenEgress {
		t.Errorf("open egress should come first: %s", ids(a.Findings))
	}
}

func TestNotEvaluatedWithoutInterfaces(t *testing.T) {
	inv := small()
	delete(inv.Loaded, vpc.KindNetworkInterfaces)
	inv.Interfaces = map[string]*vpc.Interface{}
	rep := Run(inv, Options{Now: now, Checks: []string{UnattachedGroup}})
	if len(rep.Findings) != 0 {
		t.Errorf("claimed unattached without interfaces: %s", ids(rep.Findings))
	}
	if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0].Message, "network interfaces") {
		t.Errorf("want a note naming the missing kind, got %+v", rep.Notes)
	}
}

func TestSuppressionsFile(t *testing.T) {
	good := `suppressions:
  - check: WALLS-SG-001
    resource: sg-w*
    reason: batch workers fetch from anywhere, ticket SEC-1
  - check: WALLS-SG-003
    resource: sg-w
    reason: temporary
    expires: 2026-01-31
`
	sups, err := ParseSuppressions("s.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 2 || sups[0].Source.Line != 2 {
		t.Fatalf("parsed %+v", sups)
	}
	rep := Run(small(), Options{Now: now, Suppressions: sups})
	for _, f := range rep.Findings {
		if f.CheckID == OpenEgress {
			t.Errorf("suppressed finding still reported: %s", f.Message)
		}
	}
	if len(rep.Suppressed) == 0 || rep.Suppressed[0].Suppression.Reason == "" {
		t.Errorf("want the suppressed finding with its reason, got %+v", rep.Suppressed)
	}
	var expired bool
	for _, f := range rep.Findings {
		if f.CheckID == ExpiredSuppression {
			expired = true
			if f.Location == nil || f.Location.Line != 5 {
				t.Errorf("expired suppression should point at its line: %+v", f.Location)
			}
		}
	}
	if !expired {
		t.Errorf("an expired suppression must be a finding: %s", ids(rep.Findings))
	}
	// The day it expires it still holds.
	rep = Run(small(), Options{Now: time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC), Suppressions: sups})
	for _, f := range rep.Findings {
		if f.CheckID == ExpiredSuppression {
			t.Error("expired a day early")
		}
	}

	for name, bad := range map[string]string{
		"no reason":     "suppressions:\n  - check: WALLS-SG-001\n    resource: sg-1\n",
		"blank reason":  "suppressions:\n  - check: WALLS-SG-001\n    resource: sg-1\n    reason: \"  \"\n",
		"no resource":   "suppressions:\n  - check: WALLS-SG-001\n    reason: x\n",
		"unknown check": "suppressions:\n  - check: WALLS-XX-999\n    resource: sg-1\n    reason: x\n",
		"bad date":      "suppressions:\n  - check: WALLS-SG-001\n    resource: sg-1\n    reason: x\n    expires: next week\n",
		"unknown field": "suppressions:\n  - check: WALLS-SG-001\n    resource: sg-1\n    reason: x\n    until: 2026-01-01\n",
		"not a list":    "suppressions: 3\n",
		"bad pattern":   "suppressions:\n  - check: WALLS-SG-001\n    resource: \"sg-[\"\n    reason: x\n",
	} {
		if _, err := ParseSuppressions("s.yaml", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "s.yaml:") {
			t.Errorf("%s: want a located error, got %v", name, err)
		}
	}
	if s, err := ParseSuppressions("empty.yaml", nil); err != nil || s != nil {
		t.Errorf("empty file: %v %v", s, err)
	}
}

func TestSuppressionAtLocation(t *testing.T) {
	inv := small()
	inv.Groups["sg-w"].Egress[0].Source = vpc.Location{File: "main.tf", Line: 12}
	sup := Suppression{CheckID: OpenEgress, Resource: "aws_security_group.w", Reason: "r", At: &Location{File: "main.tf", Line: 12}}
	rep := Run(inv, Options{Now: now, Suppressions: []Suppression{sup}, Checks: []string{OpenEgress}})
	if len(rep.Findings) != 0 || len(rep.Suppressed) != 1 {
		t.Errorf("rule-level suppression did not apply: %s / %s", ids(rep.Findings), ids(rep.Suppressed))
	}
}

func TestFlowChecks(t *testing.T) {
	inv := small()
	seen := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	obs := []flowlog.Observation{
		{InterfaceID: "eni-1", Direction: flowlog.Outbound, Protocol: 6, Port: 443, Remote: netip.MustParseAddr("203.0.113.7"),
			Accepted: true, Flows: 3, FirstSeen: seen, LastSeen: seen.Add(time.Hour)},
		{InterfaceID: "eni-1", Direction: flowlog.Inbound, Protocol: 6, Port: 22, Remote: netip.MustParseAddr("198.51.100.9"),
			Accepted: true, Flows: 1, FirstSeen: seen, LastSeen: seen},
	}
	rep := Run(inv, Options{Now: now, Flows: &Flows{Observations: obs}, Checks: []string{UnusedRule, LearnWouldTighten}})
	var unused []string
	tighten := false
	for _, f := range rep.Findings {
		switch f.CheckID {
		case UnusedRule:
			unused = append(unused, f.RuleRef)
		case LearnWouldTighten:
			tighten = true
			if !strings.Contains(f.Message, "egress tcp 443 to 0.0.0.0/0") || !strings.Contains(f.Message, "from 2 rules to 1 rule") {
				t.Errorf("message should name what was seen: %s", f.Message)
			}
		}
	}
	if strings.Join(unused, ",") != "sg-w/egress[1]" {
		t.Errorf("unused rules = %v, want the 5432 rule only", unused)
	}
	if !tighten {
		t.Errorf("want a tightening finding: %s", ids(rep.Findings))
	}
	// Without flows, the checks say so instead of guessing.
	rep = Run(inv, Options{Now: now, Checks: []string{UnusedRule}})
	if len(rep.Findings) != 0 || len(rep.Notes) != 1 {
		t.Errorf("without flows: %s %+v", ids(rep.Findings), rep.Notes)
	}
	// An interface with no records at all is not evidence of idleness.
	rep = Run(inv, Options{Now: now, Flows: &Flows{}, Checks: []string{UnusedRule, LearnWouldTighten}})
	if len(rep.Findings) != 0 {
		t.Errorf("findings from no observations: %s", ids(rep.Findings))
	}
}

// TestNeverPanics runs every check over random, partly nonsensical
// inventories: no panic, no internal-error note.
func TestNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	protos := []vpc.Protocol{vpc.ProtoAll, vpc.ProtoTCP, vpc.ProtoUDP, vpc.ProtoICMP, vpc.ProtoICMPv6, 47, 0, 255}
	prefixes := []string{"0.0.0.0/0", "::/0", "10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1", "2001:db8::/32", "203.0.113.7/32", "127.0.0.1/32"}
	randPeer := func() vpc.Peer {
		switch rng.Intn(5) {
		case 0:
			return vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: fmt.Sprintf("sg-%d", rng.Intn(5))}}
		case 1:
			return vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-1"}
		case 2:
			return vpc.Peer{} // invalid
		}
		return cidr(prefixes[rng.Intn(len(prefixes))])
	}
	for iter := 0; iter < 200; iter++ {
		inv := vpc.New()
		for _, k := range vpc.AllKinds {
			inv.Loaded[k] = rng.Intn(2) == 0
		}
		inv.PrefixLists["pl-1"] = &vpc.PrefixList{ID: "pl-1", EntriesKnown: rng.Intn(2) == 0, MaxEntries: rng.Intn(100),
			Entries: []netip.Prefix{netip.MustParsePrefix(prefixes[rng.Intn(len(prefixes))])}}
		for g := 0; g < 5; g++ {
			id := fmt.Sprintf("sg-%d", g)
			sg := &vpc.SecurityGroup{ID: id, Name: []string{"default", "x", ""}[rng.Intn(3)], RulesKnown: rng.Intn(4) > 0}
			for i := 0; i < rng.Intn(8); i++ {
				from := int32(rng.Intn(70000) - 2)
				r := rule(id, rng.Intn(2) == 0, protos[rng.Intn(len(protos))], from, from+int32(rng.Intn(100)), randPeer(), i)
				if r.Egress {
					sg.Egress = append(sg.Egress, r)
				} else {
					sg.Ingress = append(sg.Ingress, r)
				}
			}
			inv.Groups[id] = sg
		}
		n := &vpc.NACL{ID: "acl-1", IsDefault: true, VpcID: "vpc-1"}
		for i := 0; i < rng.Intn(10); i++ {
			from := int32(rng.Intn(65536))
			e := vpc.NACLEntry{RuleNumber: rng.Intn(40000), Egress: rng.Intn(2) == 0, Allow: rng.Intn(2) == 0,
				Protocol: protos[rng.Intn(len(protos))], FromPort: from, ToPort: from + int32(rng.Intn(1000)),
				ICMPType: int32(rng.Intn(3) - 1), ICMPCode: int32(rng.Intn(3) - 1)}
			if rng.Intn(6) > 0 {
				e.Prefix = netip.MustParsePrefix(prefixes[rng.Intn(len(prefixes))])
			}
			if e.Egress {
				n.Outbound = append(n.Outbound, e)
			} else {
				n.Inbound = append(n.Inbound, e)
			}
		}
		n.SortEntries()
		inv.NACLs[n.ID] = n
		for e := 0; e < 4; e++ {
			id := fmt.Sprintf("eni-%d", e)
			inv.Interfaces[id] = &vpc.Interface{ID: id, SubnetID: "subnet-1", VpcID: "vpc-1",
				GroupIDs:   []string{fmt.Sprintf("sg-%d", rng.Intn(6))},
				PrivateIPs: []netip.Addr{netip.AddrFrom4([4]byte{10, 0, 0, byte(e)})}}
		}
		obs := []flowlog.Observation{{InterfaceID: "eni-0", Direction: flowlog.Outbound, Protocol: 6, Port: 443,
			Remote: netip.MustParseAddr("203.0.113.1"), Accepted: true}, {InterfaceID: "eni-1", Direction: flowlog.Inbound, Protocol: 1, Accepted: true}}
		rep := Run(inv, Options{Now: now, Flows: &Flows{Observations: obs}})
		for _, nt := range rep.Notes {
			if strings.Contains(nt.Message, "internal error") {
				t.Fatalf("iteration %d: %s", iter, nt.Message)
			}
		}
	}
}

func TestShadowedExact(t *testing.T) {
	p := netip.MustParsePrefix
	e := func(n int, proto vpc.Protocol, from, to int32, pfx string, allow bool) vpc.NACLEntry {
		x := vpc.NACLEntry{RuleNumber: n, Protocol: proto, Prefix: p(pfx), Allow: allow, FromPort: from, ToPort: to}
		if proto.IsICMP() {
			x.ICMPType, x.ICMPCode, x.FromPort, x.ToPort = from, to, 0, 0
		}
		return x
	}
	for _, c := range []struct {
		name  string
		prior []vpc.NACLEntry
		e     vpc.NACLEntry
		want  bool
	}{
		{"two halves of the ports", []vpc.NACLEntry{e(100, vpc.ProtoTCP, 0, 1023, "0.0.0.0/0", true), e(110, vpc.ProtoTCP, 1024, 65535, "0.0.0.0/0", true)},
			e(200, vpc.ProtoTCP, 22, 2000, "10.0.0.0/8", false), true},
		{"two halves of the addresses", []vpc.NACLEntry{e(100, vpc.ProtoAll, -1, -1, "0.0.0.0/1", false), e(110, vpc.ProtoAll, -1, -1, "128.0.0.0/1", false)},
			e(200, vpc.ProtoUDP, 53, 53, "8.8.8.0/24", true), true},
		{"tcp and udp are not all protocols", []vpc.NACLEntry{e(100, vpc.ProtoTCP, 0, 65535, "0.0.0.0/0", true), e(110, vpc.ProtoUDP, 0, 65535, "0.0.0.0/0", true)},
			e(200, vpc.ProtoAll, -1, -1, "0.0.0.0/0", false), false},
		{"all ICMP types cover one", []vpc.NACLEntry{e(100, vpc.ProtoICMP, -1, -1, "0.0.0.0/0", true)},
			e(200, vpc.ProtoICMP, 8, 0, "0.0.0.0/0", false), true},
		{"one ICMP type does not cover all", []vpc.NACLEntry{e(100, vpc.ProtoICMP, 8, -1, "0.0.0.0/0", true)},
			e(200, vpc.ProtoICMP, -1, -1, "0.0.0.0/0", false), false},
		{"IPv4 entries never shadow IPv6", []vpc.NACLEntry{e(100, vpc.ProtoAll, -1, -1, "0.0.0.0/0", true)},
			e(200, vpc.ProtoAll, -1, -1, "::/0", false), false},
		{"a partial port overlap", []vpc.NACLEntry{e(100, vpc.ProtoTCP, 0, 442, "0.0.0.0/0", true)},
			e(200, vpc.ProtoTCP, 440, 445, "0.0.0.0/0", false), false},
	} {
		_, got := shadowedBy(c.prior, &c.e)
		if got != c.want {
			t.Errorf("%s: shadowed = %v, want %v", c.name, got, c.want)
		}
	}
}
