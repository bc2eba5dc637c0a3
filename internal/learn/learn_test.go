package learn

import (
	"fmt"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// seedInv is the seed article's scenario: background workers SSHed into,
// installing packages with yum; a database they have no business with.
func seedInv() *vpc.Inventory {
	inv := newInv()
	addGroup(inv, "sg-workers", allOut()...)
	addGroup(inv, "sg-db", allOut()...)
	addENI(inv, "eni-w1", "10.0.1.10", "sg-workers")
	addENI(inv, "eni-w2", "10.0.1.11", "sg-workers")
	addENI(inv, "eni-db", "10.0.2.10", "sg-db")
	return inv
}

func seedObs() []flowlog.Observation {
	return []flowlog.Observation{
		in("eni-w1", tcp, 22, "198.51.100.200", 4), // engineers SSH in: a reply, no rule
		in("eni-w2", tcp, 22, "198.51.100.201", 2),
		out("eni-w1", tcp, 80, "203.0.113.10", 30), // yum mirrors
		out("eni-w1", tcp, 443, "198.51.100.7", 12),
		out("eni-w2", tcp, 443, "192.0.2.80", 9),
		out("eni-w2", tcp, 21, "192.0.2.33", 3),
	}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	p := mustLearn(t, seedInv(), seedObs(), Options{})
	want := []string{"egress tcp 21 to 0.0.0.0/0", "egress tcp 443 to 0.0.0.0/0", "egress tcp 80 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-workers"); !equal(got, want) {
		t.Errorf("sg-workers = %q, want %q", got, want)
	}
	db := p.Group("sg-db")
	if db.Status != plan.StatusUnchanged || len(db.ProposedEgress) != 2 {
		t.Errorf("sg-db = %s %q with %d rules, want unchanged with its 2 rules", db.Status, db.Reason, len(db.ProposedEgress))
	}
	ev := p.Group("sg-workers").ProposedEgress
	for _, r := range ev {
		if r.Evidence == nil || r.Evidence.Observations == 0 || r.Evidence.Confidence != "exact" || r.Evidence.FirstSeen == nil {
			t.Errorf("rule %+v lacks evidence", r)
		}
	}
	// 443 is needed by both workers.
	for _, r := range ev {
		if r.FromPort == 443 && (r.Evidence.Flows != 21 || len(r.Evidence.Interfaces) != 2) {
			t.Errorf("443 evidence = %+v, want 21 flows from 2 interfaces", r.Evidence)
		}
	}
}

func TestThreeTier(t *testing.T) {
	t.Parallel()
	inv := newInv()
	for _, g := range []string{"sg-web", "sg-app", "sg-db", "sg-cache", "sg-common"} {
		addGroup(inv, g, allOut()...)
	}
	addENI(inv, "eni-web1", "10.0.1.10", "sg-web", "sg-common")
	addENI(inv, "eni-web2", "10.0.1.11", "sg-web", "sg-common")
	addENI(inv, "eni-app1", "10.0.2.10", "sg-app", "sg-common")
	addENI(inv, "eni-app2", "10.0.2.11", "sg-app", "sg-common")
	addENI(inv, "eni-db", "10.0.3.10", "sg-db", "sg-common")
	addENI(inv, "eni-cache", "10.0.4.10", "sg-cache", "sg-common")
	var obs []flowlog.Observation
	for i := 0; i < 20; i++ { // internet clients of the web tier: inbound, need nothing
		obs = append(obs, in("eni-web1", tcp, 443, fmt.Sprintf("198.51.100.%d", i+1), 5),
			in("eni-web2", tcp, 443, fmt.Sprintf("203.0.113.%d", i+1), 5))
	}
	obs = append(obs,
		out("eni-web1", tcp, 8080, "10.0.2.10", 50), out("eni-web1", tcp, 8080, "10.0.2.11", 40),
		out("eni-web2", tcp, 8080, "10.0.2.10", 45),
		in("eni-app1", tcp, 8080, "10.0.1.10", 50), in("eni-app2", tcp, 8080, "10.0.1.10", 40),
		in("eni-app1", tcp, 8080, "10.0.1.11", 45),
		out("eni-app1", tcp, 3306, "10.0.3.10", 70), out("eni-app2", tcp, 3306, "10.0.3.10", 60),
		out("eni-app1", tcp, 6379, "10.0.4.10", 90),
		in("eni-db", tcp, 3306, "10.0.2.10", 70), in("eni-db", tcp, 3306, "10.0.2.11", 60),
		in("eni-cache", tcp, 6379, "10.0.2.10", 90),
	)
	p := mustLearn(t, inv, obs, Options{})
	cases := map[string][]string{
		"sg-web":    {"egress tcp 8080 to sg-app"},
		"sg-app":    {"egress tcp 3306 to sg-db", "egress tcp 6379 to sg-cache"},
		"sg-db":     {},
		"sg-cache":  {},
		"sg-common": {},
	}
	for g, want := range cases {
		if got := proposed(t, p, g); !equal(got, want) {
			t.Errorf("%s = %q, want %q", g, got, want)
		}
		if st := p.Group(g).Status; st != plan.StatusProposed {
			t.Errorf("%s status %s", g, st)
		}
	}
}

func TestPassiveFTP(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	obs := []flowlog.Observation{out("eni-w1", tcp, 21, "203.0.113.5", 2)}
	for port := uint16(30001); port <= 30010; port++ {
		obs = append(obs, out("eni-w1", tcp, port, "203.0.113.5", 1))
	}
	p := mustLearn(t, inv, obs, Options{})
	want := []string{"egress tcp 21 to 0.0.0.0/0", "egress tcp 30001-30010 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-workers"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, r := range p.Group("sg-workers").ProposedEgress {
		if r.FromPort == 30001 {
			if len(r.Evidence.Ports) != 10 || !strings.Contains(strings.Join(r.Evidence.Why, ";"), "passive FTP") {
				t.Errorf("range evidence = %+v, want the 10 ports and the passive FTP explanation", r.Evidence)
			}
		}
	}
	// Another mirror seen once on a port inside the range adds no rule.
	p = mustLearn(t, seedInv(), append(obs, out("eni-w2", tcp, 30005, "198.51.100.9", 1)), Options{})
	if got := proposed(t, p, "sg-workers"); !equal(got, want) {
		t.Fatalf("with a port inside the range: got %q, want %q", got, want)
	}
	// Below the threshold, ports stay separate.
	p = mustLearn(t, seedInv(), obs[:3], Options{})
	want = []string{"egress tcp 21 to 0.0.0.0/0", "egress tcp 30001 to 0.0.0.0/0", "egress tcp 30002 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-workers"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestPrefixList(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	inv.PrefixLists["pl-63a5400a"] = &vpc.PrefixList{ID: "pl-63a5400a", Name: "com.amazonaws.us-east-1.s3",
		AddressFamily: "IPv4", OwnerID: "AWS", EntriesKnown: true,
		Entries: []netipPrefix{mp("52.216.0.0/15"), mp("54.231.0.0/16")}}
	obs := []flowlog.Observation{out("eni-w1", tcp, 443, "52.216.10.1", 8), out("eni-w2", tcp, 443, "54.231.3.3", 2),
		out("eni-w1", tcp, 80, "198.51.100.7", 1)}
	p := mustLearn(t, inv, obs, Options{})
	want := []string{"egress tcp 443 to pl-63a5400a", "egress tcp 80 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-workers"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if c := p.Group("sg-workers").RuleCount; c.IPv4 != 2 || c.IPv6 != 1 {
		t.Errorf("rule count %+v, want 2 IPv4 (CIDR + list weight 1) and 1 IPv6 (the list)", c)
	}
}

// No proposed rule is covered by the group's other proposed rules: with
// tcp 443 open to the whole internet, tcp 443 to the S3 prefix list adds
// nothing, so it is dropped and its evidence moves to the rule covering it.
func TestCoveredRuleDropped(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	inv.PrefixLists["pl-63a5400a"] = &vpc.PrefixList{ID: "pl-63a5400a", Name: "com.amazonaws.us-east-1.s3",
		AddressFamily: "IPv4", OwnerID: "AWS", EntriesKnown: true,
		Entries: []netipPrefix{mp("52.216.0.0/15"), mp("54.231.0.0/16")}}
	obs := []flowlog.Observation{out("eni-w1", tcp, 443, "52.216.10.1", 8), out("eni-w2", tcp, 443, "54.231.3.3", 2),
		out("eni-w1", tcp, 443, "198.51.100.7", 1)}
	p := mustLearn(t, inv, obs, Options{})
	want := []string{"egress tcp 443 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-workers"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	ev := p.Group("sg-workers").ProposedEgress[0].Evidence
	if ev.Flows != 11 || ev.Observations != 3 || len(ev.Interfaces) != 2 {
		t.Errorf("evidence %+v, want all 11 flow records of 3 observations from 2 interfaces", ev)
	}
	if notes := strings.Join(p.Group("sg-workers").Notes, "\n"); !strings.Contains(notes, "tcp 443 to pl-63a5400a is covered") {
		t.Errorf("notes %q do not say the prefix-list rule was dropped as covered", notes)
	}
}

func TestTwoGroups(t *testing.T) {
	t.Parallel()
	inv := newInv()
	addGroup(inv, "sg-a", allOut()...)
	addGroup(inv, "sg-b", allOut()...)
	addENI(inv, "eni-ab", "10.0.1.1", "sg-a", "sg-b")
	addENI(inv, "eni-b", "10.0.1.2", "sg-b")
	obs := []flowlog.Observation{out("eni-ab", tcp, 443, "198.51.100.1", 3), out("eni-b", tcp, 443, "198.51.100.2", 3),
		out("eni-ab", tcp, 5432, "198.51.100.9", 1)}
	p := mustLearn(t, inv, obs, Options{})
	// 443 is needed on sg-b anyway (eni-b has no other group), so eni-ab's
	// need rides on it; 5432 goes to sg-a, the group with fewer members.
	if got, want := proposed(t, p, "sg-b"), []string{"egress tcp 443 to 0.0.0.0/0"}; !equal(got, want) {
		t.Errorf("sg-b = %q, want %q", got, want)
	}
	if got, want := proposed(t, p, "sg-a"), []string{"egress tcp 5432 to 0.0.0.0/0"}; !equal(got, want) {
		t.Errorf("sg-a = %q, want %q", got, want)
	}
	if pl := p.Group("sg-b").Placement; len(pl) != 1 || !strings.Contains(pl[0], "eni-ab") {
		t.Errorf("sg-b placement = %q, want one explanation naming eni-ab", pl)
	}
	// Two different peers of one group: one reference, on the group that
	// needs it anyway.
	inv = newInv() // a fresh one: the index of the first is built
	addGroup(inv, "sg-a", allOut()...)
	addGroup(inv, "sg-b", allOut()...)
	addENI(inv, "eni-ab", "10.0.1.1", "sg-a", "sg-b")
	addENI(inv, "eni-b", "10.0.1.2", "sg-b")
	addGroup(inv, "sg-app", allOut()...)
	addENI(inv, "eni-app1", "10.0.2.1", "sg-app")
	addENI(inv, "eni-app2", "10.0.2.2", "sg-app")
	p = mustLearn(t, inv, append(obs, out("eni-ab", tcp, 8080, "10.0.2.1", 1), out("eni-b", tcp, 8080, "10.0.2.2", 1)), Options{})
	if got, want := proposed(t, p, "sg-b"), []string{"egress tcp 443 to 0.0.0.0/0", "egress tcp 8080 to sg-app"}; !equal(got, want) {
		t.Errorf("sg-b = %q, want %q", got, want)
	}
	if got, want := proposed(t, p, "sg-a"), []string{"egress tcp 5432 to 0.0.0.0/0"}; !equal(got, want) {
		t.Errorf("sg-a = %q, want %q", got, want)
	}
}

func TestIPv6(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	addENI(inv, "eni-v6peer", "2600:1f18:aaaa::99", "sg-db")
	obs := []flowlog.Observation{out("eni-w1", tcp, 443, "2a05:d018::1", 4), out("eni-w1", tcp, 443, "198.51.100.1", 4),
		out("eni-w1", tcp, 80, "198.51.100.1", 1), out("eni-w2", tcp, 5432, "2600:1f18:aaaa::99", 2)}
	p := mustLearn(t, inv, obs, Options{})
	want := []string{"egress tcp 443 to 0.0.0.0/0", "egress tcp 443 to ::/0", "egress tcp 5432 to sg-db", "egress tcp 80 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-workers"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestClippedToCurrent(t *testing.T) {
	t.Parallel()
	inv := newInv()
	addGroup(inv, "sg-x", rule(vpc.ProtoTCP, 443, 443, cidrPeer("203.0.113.0/24")), rule(vpc.ProtoTCP, 80, 80, cidrPeer("0.0.0.0/0")))
	addENI(inv, "eni-x", "10.0.1.1", "sg-x")
	obs := []flowlog.Observation{out("eni-x", tcp, 443, "203.0.113.7", 1), out("eni-x", tcp, 443, "203.0.113.9", 1),
		out("eni-x", tcp, 80, "198.51.100.1", 1), out("eni-x", tcp, 25, "198.51.100.1", 1)}
	p := mustLearn(t, inv, obs, Options{})
	// 443 to the world would exceed current: the observed addresses stay,
	// aggregated losslessly where possible; 25 is denied now and stays so.
	want := []string{"egress tcp 443 to 203.0.113.7/32", "egress tcp 443 to 203.0.113.9/32", "egress tcp 80 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-x"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if len(p.Warnings) == 0 || !strings.Contains(p.Warnings[0], "denied") {
		t.Errorf("warnings = %q, want the denied port 25 reported", p.Warnings)
	}
}

func TestOverBudget(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	var obs []flowlog.Observation
	for i := 0; i < 100; i++ {
		obs = append(obs, out("eni-w1", tcp, 443, fmt.Sprintf("198.51.%d.%d", 100+i%3, 7+i*2), 1))
	}
	for port := uint16(8000); port < 8070; port += 7 {
		obs = append(obs, out("eni-w2", tcp, port, "203.0.113.5", 1))
	}
	p := mustLearn(t, inv, obs, Options{Pin: true, MaxRules: 8, HighPortRange: -1})
	g := p.Group("sg-workers")
	if g.RuleCount.Max() > 8 || len(g.ProposedEgress) > 8 {
		t.Fatalf("%d rules (%+v), want at most 8: %q", len(g.ProposedEgress), g.RuleCount, proposed(t, p, "sg-workers"))
	}
	if len(g.Widened) == 0 {
		t.Error("no widening reported")
	}
	// The default budget fits them all without widening.
	p = mustLearn(t, seedInv(), obs[:50], Options{Pin: true, HighPortRange: -1})
	if g := p.Group("sg-workers"); len(g.Widened) != 0 || g.RuleCount.Max() > 60 {
		t.Errorf("default budget: widened %q, count %+v", g.Widened, g.RuleCount)
	}
}

func TestUnchangedGroups(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	addGroup(inv, "sg-empty", allOut()...)
	inv.Groups["sg-unknown"] = &vpc.SecurityGroup{ID: "sg-unknown"}
	addENI(inv, "eni-u", "10.0.9.9", "sg-unknown")
	p := mustLearn(t, inv, seedObs(), Options{})
	for id, reason := range map[string]string{"sg-db": "no observed member traffic", "sg-empty": "no member",
		"sg-unknown": "not loaded"} {
		g := p.Group(id)
		if g.Status != plan.StatusUnchanged || !strings.Contains(g.Reason, reason) {
			t.Errorf("%s: %s %q, want unchanged because %s", id, g.Status, g.Reason, reason)
		}
		if len(g.ProposedEgress) != len(g.CurrentEgress) {
			t.Errorf("%s: proposal differs from current", id)
		}
	}
}

func TestHoldout(t *testing.T) {
	t.Parallel()
	obs := seedObs()
	late := out("eni-w1", tcp, 8443, "198.51.100.50", 3)
	late.FirstSeen, late.LastSeen = t0.Add(20*hour), t0.Add(21*hour)
	early := out("eni-w1", tcp, 443, "198.51.100.7", 1)
	early.FirstSeen, early.LastSeen = t0, t0.Add(24*hour) // spans the whole window
	obs = append(obs, late, early)
	p := mustLearn(t, seedInv(), obs, Options{HoldoutPercent: 25})
	if p.Replay == nil || p.Replay.Blocked != 3 || len(p.Replay.BlockedBy) != 1 || p.Replay.BlockedBy[0].Port != 8443 {
		t.Fatalf("holdout replay = %+v, want the 3 connections to 8443 blocked", p.Replay)
	}
	if p.Window.HoldoutFrom == nil || !p.Window.HoldoutFrom.Equal(t0.Add(18*hour)) {
		t.Errorf("holdout from %v, want %v", p.Window.HoldoutFrom, t0.Add(18*hour))
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	var first []byte
	for i := 0; i < 5; i++ {
		obs := seedObs()
		obs[0], obs[len(obs)-1] = obs[len(obs)-1], obs[0]
		if i%2 == 1 {
			for a, b := 0, len(obs)-1; a < b; a, b = a+1, b-1 {
				obs[a], obs[b] = obs[b], obs[a]
			}
		}
		p := mustLearn(t, seedInv(), obs, Options{})
		var sb strings.Builder
		if err := p.Write(&sb); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = []byte(sb.String())
		} else if sb.String() != string(first) {
			t.Fatal("plan differs between runs with reordered observations")
		}
	}
}

func TestUntrackedNote(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	inv.Groups["sg-workers"].Ingress = []vpc.Rule{{GroupID: "sg-workers", Protocol: vpc.ProtoTCP, FromPort: 22, ToPort: 22,
		Peer: cidrPeer("0.0.0.0/0")}}
	p := mustLearn(t, inv, seedObs(), Options{})
	if notes := strings.Join(p.Group("sg-workers").Notes, "\n"); !strings.Contains(notes, "tcp 22 from 0.0.0.0/0") ||
		!strings.Contains(notes, "tracked") {
		t.Errorf("notes = %q, want the untracked-connections warning naming tcp 22", notes)
	}
	// With the SSH source narrowed, nothing is untracked today.
	p = mustLearn(t, seedInv(), seedObs(), Options{})
	if notes := strings.Join(p.Group("sg-workers").Notes, "\n"); strings.Contains(notes, "tracked") {
		t.Errorf("unexpected note %q", notes)
	}
}

// A flow log that records only rejected traffic (TrafficType REJECT) says
// nothing about what a member needs: a group whose members were seen only
// in rejected records is left unchanged, never emptied.
func TestRejectedOnlyIsNoEvidence(t *testing.T) {
	t.Parallel()
	rej := out("eni-db", tcp, 443, "203.0.113.5", 3)
	rej.Accepted = false
	rejIn := in("eni-w1", tcp, 3389, "203.0.113.200", 2)
	rejIn.Accepted = false
	p, err := Learn(seedInv(), []flowlog.Observation{rej, rejIn}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing was replayed, so the replay proves nothing and says so.
	if lr := p.Guarantees.LearningReplay; lr.Holds || !strings.Contains(strings.Join(lr.Violations, ";"), "nothing was evaluated") {
		t.Errorf("learning replay %+v, want not holding: it evaluated nothing", lr)
	}
	for _, id := range []string{"sg-db", "sg-workers"} {
		g := p.Group(id)
		if g.Status != plan.StatusUnchanged || len(g.ProposedEgress) != len(g.CurrentEgress) {
			t.Errorf("%s: %s with %d rules (%q), want unchanged: rejected records are no evidence of need",
				id, g.Status, len(g.ProposedEgress), g.Reason)
		}
	}
}

// A current rule whose peer walls cannot resolve (a prefix list whose
// entries were not loaded, a group of another account) may be what let an
// observed connection out. The group is left unchanged rather than given a
// proposal that drops the rule and breaks the connection.
func TestOpaquePeerKeepsTheGroup(t *testing.T) {
	t.Parallel()
	inv := newInv()
	addGroup(inv, "sg-pl", rule(vpc.ProtoTCP, 443, 443, vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-partners"}),
		rule(vpc.ProtoTCP, 80, 80, cidrPeer("0.0.0.0/0")))
	inv.PrefixLists["pl-partners"] = &vpc.PrefixList{ID: "pl-partners", AddressFamily: "IPv4", MaxEntries: 10}
	addGroup(inv, "sg-x", rule(vpc.ProtoTCP, 8443, 8443, vpc.Peer{Kind: vpc.PeerGroup,
		Group: vpc.GroupRef{GroupID: "sg-0999", UserID: "999999999999"}}))
	addENI(inv, "eni-a", "10.0.1.10", "sg-pl")
	addENI(inv, "eni-b", "10.0.1.11", "sg-x")
	obs := []flowlog.Observation{out("eni-a", tcp, 443, "203.0.113.9", 4), out("eni-a", tcp, 80, "198.51.100.1", 2),
		out("eni-b", tcp, 8443, "10.20.0.5", 3)}
	p := mustLearn(t, inv, obs, Options{})
	for id, peer := range map[string]string{"sg-pl": "pl-partners", "sg-x": "sg-0999"} {
		g := p.Group(id)
		if g.Status != plan.StatusUnchanged || len(g.ProposedEgress) != len(g.CurrentEgress) || !strings.Contains(g.Reason, peer) {
			t.Errorf("%s: %s %q with %d rules, want unchanged, naming %s", id, g.Status, g.Reason, len(g.ProposedEgress), peer)
		}
	}
}

// The rule that may have let a connection out is found by the rule's
// compiled sets (policy.Rules.FlowMatch), and the reason names protocols as
// every human rendering does: "esp (50)", not "50 0".
func TestOpaquePeerReadsRulesAsPolicy(t *testing.T) {
	t.Parallel()
	inv := newInv()
	unloaded := vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-partners"}
	addGroup(inv, "sg-wild", rule(vpc.ProtoTCP, 5000, 6000, unloaded))
	addGroup(inv, "sg-esp", rule(vpc.Protocol(50), -1, -1, unloaded))
	addENI(inv, "eni-a", "10.0.1.10", "sg-wild")
	addENI(inv, "eni-b", "10.0.1.11", "sg-esp")
	obs := []flowlog.Observation{out("eni-a", tcp, 5432, "203.0.113.9", 4), out("eni-b", 50, 0, "198.51.100.1", 2)}
	p := mustLearn(t, inv, obs, Options{})
	for id, want := range map[string]string{"sg-wild": "observed tcp 5432 to 203.0.113.9", "sg-esp": "observed esp (50) to 198.51.100.1 may be allowed by sg-esp/egress[0] (egress esp (50) to pl-partners)"} {
		g := p.Group(id)
		if g.Status != plan.StatusUnchanged || !strings.Contains(g.Reason, want) {
			t.Errorf("%s: %s %q, want unchanged, saying %q", id, g.Status, g.Reason, want)
		}
	}
}
