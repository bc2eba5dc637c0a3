package plan

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

// widenedPlan is testPlan against workers whose current egress is tcp
// 0-1023 to the world, with "tcp 3306 to 10.0.0.0/16" added by hand to the
// proposal while the guarantees still say proposed ⊆ current holds.
func widenedPlan() (*vpc.Inventory, *Plan) {
	inv := testInv()
	w := inv.Groups["sg-w"]
	w.Egress = []vpc.Rule{{GroupID: "sg-w", Egress: true, Protocol: vpc.ProtoTCP, FromPort: 0, ToPort: 1023,
		Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}}}
	p := testPlan(inv)
	g := &p.SecurityGroups[1]
	g.ProposedEgress = append(g.ProposedEgress, tcpRule(3306, "10.0.0.0/16"))
	p.Guarantees = &Guarantees{ProposedWithinCurrent: Proof{Holds: true}, LearningReplay: Proof{Holds: true}}
	return inv, p
}

func TestRecheckDoesNotTrustGuarantees(t *testing.T) {
	t.Parallel()
	inv, p := widenedPlan()
	pr, lines := Recheck(inv, p)
	if pr.Holds || len(lines) != 2 {
		t.Fatalf("proof %+v, lines %q: want it not to hold", pr, lines)
	}
	if !strings.Contains(lines[0], "guarantees say it holds") {
		t.Errorf("the first line does not say the plan claimed otherwise: %q", lines[0])
	}
	if want := "sg-w: proposal allows tcp 3306 to 10.0.0.0/16, which current rules deny; widening rules: proposedEgress[3] egress tcp 3306 to 10.0.0.0/16"; lines[1] != want {
		t.Errorf("violation %q, want %q", lines[1], want)
	}
	// Without the claim, the first line does not invent one.
	p.Guarantees = nil
	if _, lines := Recheck(inv, p); len(lines) == 0 || strings.Contains(lines[0], "guarantees") {
		t.Errorf("lines %q", lines)
	}
	// The plan as learned holds, with no lines.
	inv, p = widenedPlan()
	g := &p.SecurityGroups[1]
	g.ProposedEgress = g.ProposedEgress[:3]
	if pr, lines := Recheck(inv, p); !pr.Holds || lines != nil {
		t.Errorf("the learned plan: proof %+v, lines %q", pr, lines)
	}
}

// A widening rule blocks nothing, so a replay of flows alone passes it;
// with the recomputed proof recorded, the replay does not pass.
func TestReplayFailsAWideningPlan(t *testing.T) {
	t.Parallel()
	inv, p := widenedPlan()
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	obs := []traffic.Observation{{InterfaceID: "eni-w", Direction: traffic.Outbound, Protocol: 6, Port: 443, Accepted: true,
		Remote: netip.MustParseAddr("198.51.100.1"), Flows: 5, FirstSeen: at, LastSeen: at, Confidence: traffic.Exact}}
	rep, err := Replay(inv, p, obs)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Pass {
		t.Fatalf("flows alone: %+v", rep.Failures)
	}
	rep.SetWithin(Recheck(inv, p))
	rep.Judge(true)
	if rep.Pass || rep.ProposedWithinCurrent == nil || rep.ProposedWithinCurrent.Holds ||
		!strings.Contains(strings.Join(rep.Failures, "\n"), "proposedEgress[3] egress tcp 3306 to 10.0.0.0/16") {
		t.Fatalf("pass %v, failures %q: want the widening named", rep.Pass, rep.Failures)
	}
}
