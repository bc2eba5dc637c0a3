package audit

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/vpc"
)

// When learn cannot run (here: a window that ends before it starts),
// WALLS-FLOW-002 compares the group's egress, compiled as policy reads it
// exactly, with what its members initiated. A rule naming a group without
// members resolves exactly (to no address) and no longer hides the group;
// a rule naming a group the inventory lacks still does. Observed services
// name protocols as every human rendering does.
func TestObservedTightenFallback(t *testing.T) {
	seen := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	obs := []flowlog.Observation{
		{InterfaceID: "eni-1", Direction: flowlog.Outbound, Protocol: 6, Port: 443, Remote: netip.MustParseAddr("203.0.113.7"),
			Accepted: true, Flows: 3, FirstSeen: seen, LastSeen: seen},
		{InterfaceID: "eni-1", Direction: flowlog.Outbound, Protocol: 50, Remote: netip.MustParseAddr("198.51.100.9"),
			Accepted: true, Flows: 1, FirstSeen: seen, LastSeen: seen},
	}
	flows := &Flows{Observations: obs, From: seen.Add(time.Hour), To: seen}
	group := func(id string) vpc.Peer { return vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: id}} }

	inv := small()
	inv.Groups["sg-empty"] = &vpc.SecurityGroup{ID: "sg-empty", RulesKnown: true}
	w := inv.Groups["sg-w"]
	w.Egress = append(w.Egress, rule("sg-w", true, vpc.ProtoTCP, 8080, 8080, group("sg-empty"), 2))
	rep := Run(inv, Options{Now: now, Flows: flows, Checks: []string{LearnWouldTighten}})
	if len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, "initiated only esp (50) to the internet, tcp 443 to the internet") {
		t.Fatalf("want one fallback finding naming esp (50); got %s %+v", ids(rep.Findings), rep.Findings)
	}
	if len(rep.Notes) == 0 || !strings.Contains(rep.Notes[0].Message, "walls learn failed") {
		t.Errorf("the fallback must say learn failed: %+v", rep.Notes)
	}

	w.Egress = append(w.Egress, rule("sg-w", true, vpc.ProtoTCP, 8443, 8443, group("sg-0other"), 3))
	if rep := Run(inv, Options{Now: now, Flows: flows, Checks: []string{LearnWouldTighten}}); len(rep.Findings) != 0 {
		t.Errorf("a group whose egress names an unknown group cannot be cut exactly: %s", ids(rep.Findings))
	}
}
