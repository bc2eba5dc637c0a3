package plan

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

func testInv() *vpc.Inventory {
	inv := vpc.New()
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}
	all := vpc.Rule{GroupID: "sg-w", Egress: true, Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1,
		Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}}
	inv.Groups["sg-w"] = &vpc.SecurityGroup{ID: "sg-w", Name: "workers", VpcID: "vpc-1", RulesKnown: true, Egress: []vpc.Rule{all}}
	db := all
	db.GroupID = "sg-db"
	inv.Groups["sg-db"] = &vpc.SecurityGroup{ID: "sg-db", VpcID: "vpc-1", RulesKnown: true, Egress: []vpc.Rule{db}}
	inv.Groups["sg-none"] = &vpc.SecurityGroup{ID: "sg-none", VpcID: "vpc-1", RulesKnown: true}
	inv.Interfaces["eni-w"] = &vpc.Interface{ID: "eni-w", VpcID: "vpc-1", GroupIDs: []string{"sg-w"},
		PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.1.10")}}
	inv.Interfaces["eni-db"] = &vpc.Interface{ID: "eni-db", VpcID: "vpc-1", GroupIDs: []string{"sg-db"},
		PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.2.10")}}
	return inv
}

func tcpRule(port int32, cidr string) Rule {
	return Rule{IPProtocol: "tcp", FromPort: port, ToPort: port, CidrIPv4: cidr, IsEgress: true}
}

// testPlan proposes tcp 80, 443 and 21 to the world for sg-w, the seed
// article's answer.
func testPlan(inv *vpc.Inventory) *Plan {
	cur := []Rule{FromVPC(&inv.Groups["sg-w"].Egress[0])}
	return &Plan{Version: 1, Inventory: InventoryInfo{Fingerprint: Fingerprint(inv)}, SecurityGroups: []Group{
		{GroupID: "sg-db", Status: StatusUnchanged, CurrentEgress: []Rule{}, ProposedEgress: []Rule{}},
		{GroupID: "sg-w", Status: StatusProposed, CurrentEgress: cur,
			ProposedEgress: []Rule{tcpRule(21, "0.0.0.0/0"), tcpRule(80, "0.0.0.0/0"), tcpRule(443, "0.0.0.0/0")}},
	}}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	p := testPlan(testInv())
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	q, err := Parse("plan.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := q.Write(&again); err != nil {
		t.Fatal(err)
	}
	if buf.String() != again.String() {
		t.Fatalf("round trip changed the plan:\n%s\n%s", buf.String(), again.String())
	}
	for _, field := range []string{`"version": 1`, `"securityGroups"`, `"GroupId": "sg-w"`, `"currentEgress"`,
		`"proposedEgress"`, `"IpProtocol": "tcp"`, `"FromPort": 443`, `"CidrIpv4": "0.0.0.0/0"`, `"IsEgress": true`} {
		if !strings.Contains(buf.String(), field) {
			t.Errorf("plan JSON lacks %s", field)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"syntax", "{\n\"version\": 1,\n]", "p.json:3"},
		{"version", `{"version":2,"securityGroups":[]}`, "version 2"},
		{"no groups", `{"version":1}`, "securityGroups: missing"},
		{"no id", `{"version":1,"securityGroups":[{"status":"proposed"}]}`, "securityGroups[0].GroupId"},
		{"dup", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed"},{"GroupId":"sg-1","status":"proposed"}]}`, "appears twice"},
		{"status", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"maybe"}]}`, `"maybe"`},
		{"two peers", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed","proposedEgress":[{"IpProtocol":"tcp","FromPort":1,"ToPort":2,"CidrIpv4":"10.0.0.0/8","PrefixListId":"pl-1","IsEgress":true}]}]}`, "proposedEgress[0]: rule has 2 peers"},
		{"ports", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed","proposedEgress":[{"IpProtocol":"tcp","FromPort":9,"ToPort":2,"CidrIpv4":"10.0.0.0/8","IsEgress":true}]}]}`, "tcp ports 9-2: want the from port <= the to port"},
		{"cidr", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed","proposedEgress":[{"IpProtocol":"tcp","FromPort":1,"ToPort":2,"CidrIpv4":"::/0","IsEgress":true}]}]}`, "want an IPv4 CIDR"},
		{"ingress", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed","currentEgress":[{"IpProtocol":"-1","CidrIpv4":"0.0.0.0/0"}]}]}`, "IsEgress: want true"},
		{"type", `{"version":"1"}`, "version: got a JSON string"},
		{"trailing", `{"version":1,"securityGroups":[]} {}`, "trailing"},
		// A hand edit that misspells a key must not silently empty a group's egress.
		{"unknown key", "{\"version\":1,\"securityGroups\":[{\"GroupId\":\"sg-1\",\"status\":\"proposed\",\"currentEgress\":[],\n\"proposedEgres\":[]}]}", `p.json:2: not a walls plan file: unknown field "proposedEgres"`},
		{"no proposal", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed","currentEgress":[{"IpProtocol":"-1","CidrIpv4":"0.0.0.0/0","IsEgress":true}]}]}`, "securityGroups[0].proposedEgress: missing"},
		{"null proposal", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed","currentEgress":[],"proposedEgress":null}]}`, "securityGroups[0].proposedEgress: missing"},
		{"no current", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"proposed","proposedEgress":[]}]}`, "securityGroups[0].currentEgress: missing"},
		// diff would show a change that apply, check --plan and replay ignore.
		{"unchanged but edited", `{"version":1,"securityGroups":[{"GroupId":"sg-1","status":"unchanged","currentEgress":[{"IpProtocol":"-1","CidrIpv4":"0.0.0.0/0","IsEgress":true}],"proposedEgress":[]}]}`, "securityGroups[0].proposedEgress: status is unchanged"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("p.json", []byte(c.in))
			var ie *vpc.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want an InputError containing %q", err, c.want)
			}
		})
	}
}

func TestApplyAndDrift(t *testing.T) {
	t.Parallel()
	inv := testInv()
	p := testPlan(inv)
	out, err := Apply(inv, p)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Groups["sg-w"].Egress); n != 3 {
		t.Errorf("applied sg-w has %d rules, want 3", n)
	}
	if n := len(inv.Groups["sg-w"].Egress); n != 1 {
		t.Errorf("Apply modified the input inventory (%d rules)", n)
	}
	if out.Groups["sg-db"] != inv.Groups["sg-db"] {
		t.Error("unchanged group was copied")
	}
	if out.Index().Members["sg-w"] == nil {
		t.Error("applied inventory has no index")
	}
	// Someone added a rule since the plan was made.
	inv.Groups["sg-w"].Egress = append(inv.Groups["sg-w"].Egress, vpc.Rule{GroupID: "sg-w", Egress: true,
		Protocol: vpc.ProtoTCP, FromPort: 22, ToPort: 22, Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("10.0.0.0/8")}})
	_, err = Apply(inv, p)
	var de *DriftError
	if !errors.As(err, &de) || de.GroupID != "sg-w" || len(de.Extra) != 1 || !strings.Contains(err.Error(), "added since the plan: egress tcp 22 to 10.0.0.0/8") {
		t.Fatalf("err = %v, want drift on sg-w naming the added rule", err)
	}
	delete(inv.Groups, "sg-w")
	if _, err := Apply(inv, p); !errors.As(err, &de) || !de.Gone {
		t.Fatalf("err = %v, want the group gone", err)
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	inv := testInv()
	d, err := Compare(inv, testPlan(inv))
	if err != nil {
		t.Fatal(err)
	}
	w := d.SecurityGroups[1]
	if w.GroupID != "sg-w" || len(w.Added) != 0 {
		t.Fatalf("sg-w diff = %+v, want nothing added", w)
	}
	var got []string
	for _, r := range w.Removed {
		got = append(got, r.String())
	}
	want := []string{"protocols 0-5 (icmp, igmp, ipv4, …) to 0.0.0.0/0", "tcp 0-20 to 0.0.0.0/0", "tcp 22-79 to 0.0.0.0/0",
		"tcp 81-442 to 0.0.0.0/0", "tcp 444-65535 to 0.0.0.0/0", "protocols 7-255 (udp, icmpv6, gre, …) to 0.0.0.0/0"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("removed = %q\nwant      %q", got, want)
	}
	if d.SecurityGroups[0].Changed() {
		t.Errorf("unchanged group has a diff: %+v", d.SecurityGroups[0])
	}
}

func TestRuleWithinSymbols(t *testing.T) {
	t.Parallel()
	inv := testInv()
	ref := func(id string) vpc.Peer { return vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: id}} }
	cidr := func(s string) vpc.Peer { return vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(s)} }
	r := func(port int32, p vpc.Peer) vpc.Rule {
		return vpc.Rule{Egress: true, Protocol: vpc.ProtoTCP, FromPort: port, ToPort: port, Peer: p}
	}
	cases := []struct {
		name    string
		rule    vpc.Rule
		current []vpc.Rule
		want    bool
	}{
		{"same reference", r(3306, ref("sg-db")), []vpc.Rule{r(3306, ref("sg-db"))}, true},
		{"other reference", r(3306, ref("sg-db")), []vpc.Rule{r(3306, ref("sg-w"))}, false},
		// sg-none has no members: the address proof alone would accept it.
		{"memberless vs other reference", r(3306, ref("sg-none")), []vpc.Rule{r(3306, ref("sg-w"))}, false},
		{"VPC CIDR covers future members", r(3306, ref("sg-none")), []vpc.Rule{r(3306, cidr("10.0.0.0/8"))}, true},
		{"member CIDR does not", r(3306, ref("sg-db")), []vpc.Rule{r(3306, cidr("10.0.2.10/32"))}, false},
		{"wrong port", r(3306, ref("sg-db")), []vpc.Rule{r(5432, ref("sg-db"))}, false},
		{"cidr inside", r(443, cidr("203.0.113.0/24")), []vpc.Rule{r(443, cidr("0.0.0.0/0"))}, true},
		{"cidr outside", r(443, cidr("0.0.0.0/0")), []vpc.Rule{r(443, cidr("203.0.113.0/24"))}, false},
		// Entries unknown: the list may hold any address of its family, and
		// CIDRs that cover both families still cover all of them.
		{"unknown list under the world", r(443, vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-unknown"}),
			[]vpc.Rule{r(443, cidr("0.0.0.0/0")), r(443, cidr("::/0"))}, true},
		{"unknown list under half the world", r(443, vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-unknown"}),
			[]vpc.Rule{r(443, cidr("0.0.0.0/0"))}, false},
		{"unknown group under the world", r(443, ref("sg-elsewhere")),
			[]vpc.Rule{r(443, cidr("0.0.0.0/0")), r(443, cidr("::/0"))}, true},
	}
	for _, c := range cases {
		if got, why := RuleWithin(inv, &c.rule, c.current); got != c.want {
			t.Errorf("%s: within = %v (%s), want %v", c.name, got, why, c.want)
		}
	}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	inv := testInv()
	p := testPlan(inv)
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	o := func(eni string, dir traffic.Direction, port uint16, remote string, flows uint64) traffic.Observation {
		return traffic.Observation{InterfaceID: eni, Direction: dir, Protocol: 6, Port: port, Accepted: true,
			Remote: netip.MustParseAddr(remote), Flows: flows, FirstSeen: at, LastSeen: at, Confidence: traffic.Exact}
	}
	obs := []traffic.Observation{
		o("eni-w", traffic.Outbound, 443, "198.51.100.1", 5),
		o("eni-w", traffic.Inbound, 22, "198.51.100.9", 7), // SSH in: a reply needs no rule
		o("eni-w", traffic.Outbound, 3306, "10.0.2.10", 2), // the database: walled off
		o("eni-w", traffic.Outbound, 3306, "10.0.2.10", 1),
		o("eni-w", traffic.Outbound, 53, "10.0.0.2", 9), // the VPC resolver: never filtered
		o("eni-gone", traffic.Outbound, 443, "198.51.100.1", 1),
	}
	rep, err := Replay(inv, p, obs)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Blocked != 3 || rep.BlockedObservations != 2 || len(rep.BlockedBy) != 1 || rep.Unfiltered != 9 ||
		len(rep.UnknownInterfaces) != 1 {
		t.Fatalf("replay = %+v", rep)
	}
	if b := rep.BlockedBy[0]; b.Port != 3306 || b.Remote != "10.0.2.10" || b.Flows != 3 || len(b.Examples) != 2 {
		t.Errorf("blocked = %+v", b)
	}
}

func TestProveWithin(t *testing.T) {
	t.Parallel()
	inv := testInv()
	p := testPlan(inv)
	if pr := ProveWithin(inv, p); !pr.Holds || pr.Checked != 1 {
		t.Fatalf("proof = %+v", pr)
	}
	p.SecurityGroups[1].CurrentEgress = []Rule{tcpRule(443, "0.0.0.0/0")}
	if pr := ProveWithin(inv, p); pr.Holds || len(pr.Violations) != 1 || !strings.Contains(pr.Violations[0], "tcp 21") {
		t.Fatalf("proof = %+v, want a violation naming tcp 21", pr)
	}
}

func TestCompareReverseAndPeers(t *testing.T) {
	t.Parallel()
	inv := testInv()
	ref := vpc.Rule{GroupID: "sg-w", Egress: true, Protocol: vpc.ProtoTCP, FromPort: 3306, ToPort: 3306,
		Peer: vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-db"}}}
	empty := vpc.Rule{GroupID: "sg-w", Egress: true, Protocol: vpc.ProtoTCP, FromPort: 5432, ToPort: 5432,
		Peer: vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-none"}}}
	wide := vpc.Rule{GroupID: "sg-w", Egress: true, Protocol: vpc.ProtoUDP, FromPort: 53, ToPort: 53,
		Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("10.0.0.0/16")}}
	// Current: 3306 to the database's group and 5432 to a group with no
	// members. Proposed: udp 53 to the VPC, which current does not allow.
	d := CompareRules(inv, "sg-w", []vpc.Rule{ref, empty}, []vpc.Rule{wide})
	if len(d.Removed) != 1 || d.Removed[0].String() != "tcp 3306 to 10.0.2.10/32" {
		t.Errorf("removed = %v, want tcp 3306 to the database's address", d.Removed)
	}
	if len(d.Added) != 1 || d.Added[0].String() != "udp 53 to 10.0.0.0/16" {
		t.Errorf("added = %v, want the reverse difference udp 53", d.Added)
	}
	// The memberless reference removes no address today, but it is gone.
	want := []string{"tcp 3306 to sg-db", "tcp 5432 to sg-none"}
	if strings.Join(d.RemovedPeers, "|") != strings.Join(want, "|") {
		t.Errorf("removed peers = %q, want %q", d.RemovedPeers, want)
	}
	if !d.Changed() {
		t.Error("not changed")
	}
}

// In a dual-stack VPC whose groups allow only 0.0.0.0/0, a reference to a
// group of IPv4 members is within current; once a member has IPv6, it is not.
func TestRuleWithinDualStack(t *testing.T) {
	t.Parallel()
	inv := testInv()
	inv.VPCs["vpc-1"].IPv6CIDRs = []netip.Prefix{netip.MustParsePrefix("2600:1f18:aaaa::/56")}
	v4all := []vpc.Rule{{Egress: true, Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1,
		Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}}}
	ref := vpc.Rule{Egress: true, Protocol: vpc.ProtoTCP, FromPort: 3306, ToPort: 3306,
		Peer: vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-db"}}}
	if ok, why := RuleWithin(inv, &ref, v4all); !ok {
		t.Errorf("IPv4-only members: not within (%s)", why)
	}
	inv2 := testInv()
	inv2.VPCs["vpc-1"].IPv6CIDRs = []netip.Prefix{netip.MustParsePrefix("2600:1f18:aaaa::/56")}
	inv2.Interfaces["eni-db"].IPv6s = []netip.Addr{netip.MustParseAddr("2600:1f18:aaaa::5")}
	if ok, _ := RuleWithin(inv2, &ref, v4all); ok {
		t.Error("a member with IPv6: within, want not")
	}
	// A memberless group may get members of either family.
	none := ref
	none.Peer.Group.GroupID = "sg-none"
	if ok, _ := RuleWithin(inv, &none, v4all); ok {
		t.Error("memberless group in a dual-stack VPC: within, want not")
	}
}

// A reference follows membership. When the group's VPC blocks are not
// loaded, what it can stand for tomorrow is unknown: covering today's
// members' addresses proves nothing, covering both whole families does.
func TestRuleWithinReferenceWithoutVPC(t *testing.T) {
	t.Parallel()
	inv := testInv()
	delete(inv.VPCs, "vpc-1")
	ref := vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-db"}}
	r := vpc.Rule{Egress: true, Protocol: vpc.ProtoTCP, FromPort: 3306, ToPort: 3306, Peer: ref}
	cur := func(cidrs ...string) []vpc.Rule {
		var out []vpc.Rule
		for _, c := range cidrs {
			out = append(out, vpc.Rule{Egress: true, Protocol: vpc.ProtoTCP, FromPort: 3306, ToPort: 3306,
				Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(c)}})
		}
		return out
	}
	if ok, _ := RuleWithin(inv, &r, cur("10.0.2.10/32")); ok {
		t.Error("today's member /32 proves a reference within the current rules")
	}
	if ok, why := RuleWithin(inv, &r, cur("0.0.0.0/0", "::/0")); !ok {
		t.Errorf("both whole families do not prove it: %s", why)
	}
}
