package plan

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

func replayObs(eni string, port uint16, remote string, flows uint64, c traffic.Confidence) traffic.Observation {
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	return traffic.Observation{InterfaceID: eni, Direction: traffic.Outbound, Protocol: 6, Port: port, Accepted: true,
		Remote: netip.MustParseAddr(remote), Flows: flows, FirstSeen: at, LastSeen: at, Confidence: c}
}

// A replay passes only when it blocked nothing, evaluated something, and
// met no connection it could not attribute to loaded rules; NAT gateways,
// which carry no group, are shown but do not fail it.
func TestReplayVerdict(t *testing.T) {
	t.Parallel()
	inv := testInv()
	inv.Interfaces["eni-nat"] = &vpc.Interface{ID: "eni-nat", Type: "nat_gateway", VpcID: "vpc-1",
		PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.0.50")}}
	inv.Groups["sg-lost"] = &vpc.SecurityGroup{ID: "sg-lost", VpcID: "vpc-1"} // rules not loaded
	inv.Interfaces["eni-lost"] = &vpc.Interface{ID: "eni-lost", VpcID: "vpc-1", GroupIDs: []string{"sg-lost"},
		PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.1.99")}}
	p := testPlan(inv)
	ok := replayObs("eni-w", 443, "198.51.100.1", 5, traffic.Exact)
	nat := replayObs("eni-nat", 443, "198.51.100.1", 40, traffic.Exact)

	rep, err := Replay(inv, p, []traffic.Observation{ok, nat})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Pass || rep.NotEvaluated != 40 || len(rep.NotEvaluatedInterfaces) != 1 || rep.Evaluated != 1 {
		t.Errorf("with a NAT gateway: %+v, want a pass with eni-nat not evaluated", rep)
	}

	rep, _ = Replay(inv, p, []traffic.Observation{ok, nat, replayObs("eni-gone", 443, "198.51.100.1", 3, traffic.Exact),
		replayObs("eni-lost", 80, "198.51.100.1", 2, traffic.Heuristic)})
	if rep.Pass || rep.Unattributed != 5 || rep.UnattributedObservations != 2 || rep.UnattributedInterfaceCount != 2 {
		t.Fatalf("unattributed: %+v, want a failure counting 5 flow records of 2 interfaces", rep)
	}
	f := strings.Join(rep.Failures, ";")
	if !strings.Contains(f, "eni-gone (not in the inventory, 3 flow records)") || !strings.Contains(f, "eni-lost (none of its security groups") {
		t.Errorf("failures %q do not name both interfaces and why", f)
	}
	rep.Judge(true)
	if !rep.Pass || !rep.AllowedUnattributed {
		t.Errorf("allowed: %+v, want a pass", rep)
	}

	for name, obs := range map[string][]traffic.Observation{"no observations": nil, "NAT only": {nat},
		"unfiltered only": {replayObs("eni-w", 53, "10.0.0.2", 9, traffic.Exact)}} {
		rep, _ = Replay(inv, p, obs)
		if rep.Pass || !strings.Contains(strings.Join(rep.Failures, ";"), "nothing was evaluated") {
			t.Errorf("%s: %+v, want a failure: nothing was checked", name, rep)
		}
	}
}

// Every outbound row is replayed whatever its confidence: an ambiguous
// connection counts as blocked when either direction is, and blocked flow
// records are split by confidence.
func TestReplayAmbiguous(t *testing.T) {
	t.Parallel()
	inv := testInv()
	p := testPlan(inv)
	a := replayObs("eni-w", 3306, "10.0.2.10", 4, traffic.Ambiguous)
	b := replayObs("eni-db", 45000, "10.0.1.10", 4, traffic.Ambiguous) // the other direction: sg-db is unchanged
	rep, err := Replay(inv, p, []traffic.Observation{a, b, replayObs("eni-w", 3306, "10.0.2.10", 1, traffic.ByRules)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pass || rep.Blocked != 5 || rep.BlockedByConfidence["ambiguous"] != 4 || rep.BlockedByConfidence["by-rules"] != 1 {
		t.Errorf("replay %+v, want 5 blocked: 4 ambiguous, 1 by-rules", rep)
	}
}

// Plan.Failures names the group and the reason for every broken promise.
func TestPlanFailures(t *testing.T) {
	t.Parallel()
	p := testPlan(testInv())
	p.Options.MaxRules = 2
	p.SecurityGroups[1].RuleCount = RuleCount{IPv4: 3}
	p.Guarantees = &Guarantees{ProposedWithinCurrent: Proof{Holds: false, Violations: []string{"sg-w: proposal allows tcp 25"}},
		LearningReplay: Proof{Holds: true}}
	p.Replay = &ReplayReport{Blocked: 2, Failures: []string{"2 flow records blocked"}, BlockedBy: []Blocked{{GroupIDs: []string{"sg-w"},
		Protocol: "tcp", Port: 3306, Remote: "10.0.2.10", Flows: 2}}}
	f := strings.Join(p.Failures(), "\n")
	for _, want := range []string{"proposed ⊆ current does not hold: sg-w: proposal allows tcp 25", "sg-w: 3 egress rules",
		"over --max-rules 2", "holdout replay: [sg-w] tcp 3306 to 10.0.2.10"} {
		if !strings.Contains(f, want) {
			t.Errorf("failures %q lack %q", f, want)
		}
	}
	p.SecurityGroups[1].RuleCount = RuleCount{IPv4: 2}
	p.Guarantees.ProposedWithinCurrent = Proof{Holds: true}
	p.Replay = &ReplayReport{Pass: true}
	if f := p.Failures(); len(f) != 0 {
		t.Errorf("a plan that holds: failures %q", f)
	}
}
