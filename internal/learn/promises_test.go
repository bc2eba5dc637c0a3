package learn

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// An SG reference that current rules do not cover for future members is
// narrowed to the observed addresses and ports: every one of them, not one
// per peer interface. The database answers on its secondary address too,
// and the FTP server on its passive data ports.
func TestNarrowingKeepsEveryPoint(t *testing.T) {
	t.Parallel()
	inv := newInv()
	addGroup(inv, "sg-app",
		rule(vpc.ProtoTCP, 5432, 5432, cidrPeer("10.0.2.10/32")), rule(vpc.ProtoTCP, 5432, 5432, cidrPeer("10.0.2.11/32")),
		rule(vpc.ProtoTCP, 21, 21, cidrPeer("10.0.3.10/32")), rule(vpc.ProtoTCP, 50000, 51000, cidrPeer("10.0.3.10/32")))
	addGroup(inv, "sg-db", allOut()...)
	addGroup(inv, "sg-ftp", allOut()...)
	addENI(inv, "eni-app", "10.0.1.10", "sg-app")
	addENI(inv, "eni-db", "10.0.2.10", "sg-db")
	inv.Interfaces["eni-db"].PrivateIPs = append(inv.Interfaces["eni-db"].PrivateIPs, netip.MustParseAddr("10.0.2.11"))
	addENI(inv, "eni-ftp", "10.0.3.10", "sg-ftp")
	obs := []flowlog.Observation{out("eni-app", tcp, 5432, "10.0.2.10", 4), out("eni-app", tcp, 5432, "10.0.2.11", 3),
		out("eni-app", tcp, 21, "10.0.3.10", 1)}
	for port := uint16(50001); port <= 50006; port++ {
		obs = append(obs, out("eni-app", tcp, port, "10.0.3.10", 1))
	}
	p := mustLearn(t, inv, obs, Options{}) // fails unless the learning replay holds
	want := []string{"egress tcp 21 to 10.0.3.10/32", "egress tcp 50001-50006 to 10.0.3.10/32",
		"egress tcp 5432 to 10.0.2.10/31"}
	if got := proposed(t, p, "sg-app"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	var flows uint64
	for _, r := range p.Group("sg-app").ProposedEgress {
		flows += r.Evidence.Flows
	}
	if flows != 14 {
		t.Errorf("evidence carries %d flow records, want all 14", flows)
	}
}

// Evidence names every member interface behind a rule: many workers
// reaching one database all appear, not the first five, not the first one.
func TestEvidenceListsEveryInterface(t *testing.T) {
	t.Parallel()
	inv := newInv()
	addGroup(inv, "sg-app", allOut()...)
	addGroup(inv, "sg-db", allOut()...)
	addENI(inv, "eni-db", "10.0.2.10", "sg-db")
	var obs []flowlog.Observation
	for i := 0; i < 7; i++ {
		id := fmt.Sprintf("eni-app%d", i)
		addENI(inv, id, fmt.Sprintf("10.0.1.%d", 10+i), "sg-app")
		obs = append(obs, out(id, tcp, 5432, "10.0.2.10", 1))
	}
	p := mustLearn(t, inv, obs, Options{})
	rules := p.Group("sg-app").ProposedEgress
	if len(rules) != 1 {
		t.Fatalf("got %q, want one reference", proposed(t, p, "sg-app"))
	}
	ev := rules[0].Evidence
	if len(ev.Interfaces) != 7 || ev.Flows != 7 || ev.Interfaces[6] != "eni-app6" {
		t.Errorf("evidence %+v, want the 7 interfaces and 7 flow records", ev)
	}
}

// Where the current rules allow only echo requests, an observed ping gets
// exactly that rule; where they allow every ICMP type, the proposal keeps
// every type and says flow logs cannot tell types apart.
func TestICMPEchoOnly(t *testing.T) {
	t.Parallel()
	inv := newInv()
	addGroup(inv, "sg-x", rule(vpc.ProtoICMP, 8, 0, cidrPeer("0.0.0.0/0")), rule(vpc.ProtoTCP, 443, 443, cidrPeer("0.0.0.0/0")))
	addENI(inv, "eni-x", "10.0.1.10", "sg-x")
	obs := []flowlog.Observation{out("eni-x", 1, 0, "198.51.100.1", 2), out("eni-x", tcp, 443, "198.51.100.1", 1)}
	p := mustLearn(t, inv, obs, Options{})
	want := []string{"egress icmp type 8 code 0 to 0.0.0.0/0", "egress tcp 443 to 0.0.0.0/0"}
	if got := proposed(t, p, "sg-x"); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if why := strings.Join(p.Group("sg-x").ProposedEgress[0].Evidence.Why, ";"); !strings.Contains(why, "cannot tell ICMP types apart") {
		t.Errorf("why %q", why)
	}
	// ICMPv6 echo request only, to an in-VPC peer address.
	inv = newInv()
	addGroup(inv, "sg-y", rule(vpc.ProtoICMPv6, 128, 0, cidrPeer("::/0")))
	addENI(inv, "eni-y", "2600:1f18:aaaa::10", "sg-y")
	p = mustLearn(t, inv, []flowlog.Observation{out("eni-y", 58, 0, "2600:1f18:aaaa::99", 1)}, Options{})
	if got, want := proposed(t, p, "sg-y"), []string{"egress icmpv6 type 128 code 0 to 2600:1f18:aaaa::99/128"}; !equal(got, want) {
		t.Errorf("icmpv6: got %q, want %q", got, want)
	}
	// Every type allowed today: every type proposed, with the caveat.
	p = mustLearn(t, seedInv(), []flowlog.Observation{out("eni-w1", 1, 0, "198.51.100.1", 1)}, Options{})
	if got, want := proposed(t, p, "sg-workers"), []string{"egress icmp all types to 0.0.0.0/0"}; !equal(got, want) {
		t.Fatalf("all types: got %q, want %q", got, want)
	}
	if why := strings.Join(p.Group("sg-workers").ProposedEgress[0].Evidence.Why, ";"); !strings.Contains(why, "cannot tell ICMP types apart") {
		t.Errorf("all types: why %q does not say flow logs cannot tell ICMP types apart", why)
	}
}

func ambiguous(o flowlog.Observation) flowlog.Observation {
	o.Confidence = flowlog.Ambiguous
	return o
}

// A connection whose initiator is unknown arrives as one ambiguous row per
// possible direction. Learn proposes what each side needs if it started
// it, and sets those rules apart, counted per group and for the plan.
func TestAmbiguousKeptApart(t *testing.T) {
	t.Parallel()
	inv := seedInv()
	obs := append(seedObs(),
		ambiguous(out("eni-w1", tcp, 50000, "10.0.2.10", 4)), ambiguous(in("eni-w1", tcp, 45000, "10.0.2.10", 4)),
		ambiguous(out("eni-db", tcp, 45000, "10.0.1.10", 4)), ambiguous(in("eni-db", tcp, 50000, "10.0.1.10", 4)),
		ambiguous(out("eni-w2", tcp, 80, "203.0.113.10", 5)), // beside w1's exact tcp 80
	)
	p := mustLearn(t, inv, obs, Options{})
	if got, want := proposed(t, p, "sg-db"), []string{"egress tcp 45000 to sg-workers"}; !equal(got, want) {
		t.Errorf("sg-db = %q, want %q", got, want)
	}
	byPort := map[int32]*plan.Evidence{}
	for _, r := range p.Group("sg-workers").ProposedEgress {
		byPort[r.FromPort] = r.Evidence
	}
	if ev := byPort[50000]; ev == nil || ev.Direction != plan.DirectionNotProven || ev.Confidence != "ambiguous" {
		t.Errorf("tcp 50000 evidence %+v, want direction not proven, confidence ambiguous", ev)
	}
	if ev := byPort[80]; ev == nil || ev.Direction != "" || ev.Confidence != "ambiguous" {
		t.Errorf("tcp 80 evidence %+v: an exact observation proves the rule is needed (no direction), its weakest confidence is ambiguous", ev)
	}
	if ev := byPort[443]; ev == nil || ev.Confidence != "exact" {
		t.Errorf("tcp 443 evidence %+v, want exact", ev)
	}
	if g := p.Group("sg-workers"); g.NotProvenRules != 1 || g.NotProvenFlows != 4 {
		t.Errorf("sg-workers not proven %d rules %d flows, want 1 and 4", g.NotProvenRules, g.NotProvenFlows)
	}
	if np := p.NotProven; np == nil || np.Rules != 2 || np.Flows != 8 || np.ProposedRules != 5 {
		t.Errorf("plan not proven %+v, want 2 of 5 rules, 8 flow records", np)
	}
}

// A connection whose interface's own side is undetermined arrives as two
// rows, one with each end as the interface, both marked: learn keeps what
// the interface needs if it started it, as not proven, whatever the
// confidence of the direction.
func TestUndeterminedLocalKeptApart(t *testing.T) {
	t.Parallel()
	o := out("eni-w1", tcp, 50000, "10.0.2.10", 4)
	o.LocalUndetermined = true
	i := in("eni-w1", tcp, 50000, "10.0.2.10", 4)
	i.LocalUndetermined = true
	p := mustLearn(t, seedInv(), append(seedObs(), o, i), Options{})
	var ev *plan.Evidence
	for _, r := range p.Group("sg-workers").ProposedEgress {
		if r.FromPort == 50000 {
			ev = r.Evidence
		}
	}
	if ev == nil || ev.Direction != plan.DirectionNotProven || ev.Confidence != "ambiguous" {
		t.Errorf("tcp 50000 evidence %+v, want kept, direction not proven, confidence ambiguous", ev)
	}
}

// Accepted outbound rows the current rules deny are blamed on a rules
// change only when their direction was proved; otherwise the warning says
// the other direction may be the true one.
func TestDeniedWarningBlamesOnlyProven(t *testing.T) {
	t.Parallel()
	inv := newInv()
	addGroup(inv, "sg-x", rule(vpc.ProtoTCP, 443, 443, cidrPeer("0.0.0.0/0")))
	addENI(inv, "eni-x", "10.0.1.1", "sg-x")
	h := out("eni-x", tcp, 25, "198.51.100.1", 3)
	h.Confidence = flowlog.Heuristic
	a := ambiguous(out("eni-x", tcp, 8080, "198.51.100.2", 2))
	for _, o := range []flowlog.Observation{h, a} {
		p := mustLearn(t, inv, []flowlog.Observation{o, out("eni-x", tcp, 443, "198.51.100.3", 1)}, Options{})
		w := strings.Join(p.Warnings, "\n")
		if strings.Contains(w, "rules changed") || !strings.Contains(w, "not proven") || !strings.Contains(w, "other direction") {
			t.Errorf("%s: warnings %q, want the unproven direction named, not a rules change", o.Confidence, w)
		}
	}
	p := mustLearn(t, inv, []flowlog.Observation{out("eni-x", tcp, 25, "198.51.100.1", 3), out("eni-x", tcp, 443, "198.51.100.3", 1)}, Options{})
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "rules changed") {
		t.Errorf("exact: warnings %q, want the rules-changed wording", w)
	}
}

// Replays in learn do not pass on nothing or on what they cannot
// attribute: an interface missing from the inventory fails the learning
// window's proof unless AllowUnattributed.
func TestLearnReplayUnattributed(t *testing.T) {
	t.Parallel()
	obs := append(seedObs(), out("eni-gone", tcp, 443, "198.51.100.9", 6))
	p, err := Learn(seedInv(), obs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lr := p.Guarantees.LearningReplay
	if lr.Holds || !strings.Contains(strings.Join(lr.Violations, ";"), "eni-gone") {
		t.Errorf("learning replay %+v, want not holding, naming eni-gone", lr)
	}
	if f := strings.Join(p.Failures(), ";"); !strings.Contains(f, "eni-gone") {
		t.Errorf("plan failures %q do not name eni-gone", f)
	}
	p = mustLearn(t, seedInv(), obs, Options{AllowUnattributed: true})
	if len(p.Failures()) != 0 || !p.Options.AllowUnattributed {
		t.Errorf("allowed: failures %q", p.Failures())
	}
}
