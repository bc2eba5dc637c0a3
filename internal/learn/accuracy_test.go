package learn

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// flowgenInventory is the network bench/flowgen's corpus runs in: one group
// per tier, each allowing all egress today, interfaces named and numbered
// as flowgen names them, and the S3 prefix list its S3 addresses are in.
func flowgenInventory() *vpc.Inventory {
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{mp("10.0.0.0/16")}}
	tiers := []struct {
		group, prefix string
		subnet, n     int
	}{{"sg-web", "0aaa", 1, 8}, {"sg-app", "0bbb", 2, 8}, {"sg-db", "0ccc", 3, 2}, {"sg-workers", "0ddd", 4, 6},
		{"sg-bastion", "0eee", 0, 1}, {"sg-resolver", "0fff", 5, 1}}
	for _, tr := range tiers {
		addGroup(inv, tr.group, allOut()...)
		for i := 0; i < tr.n; i++ {
			addENI(inv, fmt.Sprintf("eni-%s%013x", tr.prefix, tr.subnet*256+i),
				netip.AddrFrom4([4]byte{10, 0, byte(tr.subnet), byte(10 + i)}).String(), tr.group)
		}
	}
	// The ingress flowgen's traffic went through: the rules decide the
	// direction of every accepted connection, as they would in an account.
	ingress := map[string][]vpc.Rule{
		"sg-web":      {rule(vpc.ProtoTCP, 80, 80, cidrPeer("0.0.0.0/0")), rule(vpc.ProtoTCP, 443, 443, cidrPeer("0.0.0.0/0"))},
		"sg-app":      {rule(vpc.ProtoTCP, 8080, 8080, groupPeer("sg-web")), rule(vpc.ProtoTCP, 22, 22, groupPeer("sg-bastion"))},
		"sg-db":       {rule(vpc.ProtoTCP, 5432, 5432, groupPeer("sg-app"))},
		"sg-resolver": {rule(vpc.ProtoUDP, 53, 53, cidrPeer("10.0.0.0/16"))},
		"sg-bastion":  {rule(vpc.ProtoTCP, 22, 22, cidrPeer("0.0.0.0/0"))},
	}
	for id, rules := range ingress {
		for i := range rules {
			rules[i].GroupID, rules[i].Index = id, i
		}
		inv.Groups[id].Ingress = rules
	}
	inv.PrefixLists["pl-63a5400a"] = &vpc.PrefixList{ID: "pl-63a5400a", Name: "com.amazonaws.us-east-1.s3",
		AddressFamily: "IPv4", OwnerID: "AWS", EntriesKnown: true, Entries: []netip.Prefix{mp("52.216.0.0/15")}}
	return inv
}

type truthRow struct {
	eni, dir, proto string
	port            int
	remote          netip.Addr
	accepted        bool
}

func readTruth(t *testing.T, path string) []truthRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []truthRow
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), ",")
		port, _ := strconv.Atoi(c[3])
		rows = append(rows, truthRow{c[0], c[1], c[2], port, netip.MustParseAddr(c[4]), c[5] == "true"})
	}
	return rows
}

// TestAccuracyFlowgen learns from bench/flowgen's corpus and checks the
// proposal against its ground truth: every connection an interface really
// initiated and was accepted is allowed by the proposal (replayed from the
// truth, not from what observe inferred), and every proposed rule is
// justified by at least one real initiated connection, so none exists for
// reply traffic only (the web tier answering internet clients, the database
// answering the app tier). The right answer is written out too.
func TestAccuracyFlowgen(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a corpus")
	}
	t.Parallel()
	want := map[string][]string{
		"sg-web":      {"egress tcp 8080 to sg-app"},
		"sg-app":      {"egress tcp 5432 to sg-db", "egress udp 53 to sg-resolver"},
		"sg-db":       {},
		"sg-workers":  {"egress tcp 443 to 0.0.0.0/0", "egress tcp 80 to 0.0.0.0/0", "egress udp 53 to sg-resolver"},
		"sg-bastion":  {"egress tcp 22 to sg-app"},
		"sg-resolver": {},
	}
	dir := t.TempDir()
	for _, version := range []string{"5", "2"} {
		t.Run("v"+version, func(t *testing.T) {
			log, truth := filepath.Join(dir, "v"+version+".log"), filepath.Join(dir, "v"+version+".truth.csv")
			cmd := exec.Command("go", "run", "./bench/flowgen", "-version", version, "-size", "4M", "-o", log, "-truth", truth)
			cmd.Dir = filepath.Join("..", "..")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("flowgen: %v\n%s", err, out)
			}
			inv := flowgenInventory()
			res, err := flowlog.Aggregate(context.Background(), []string{log}, flowlog.Options{Inventory: inv})
			if err != nil {
				t.Fatal(err)
			}
			p := mustLearn(t, inv, res.Observations, Options{})
			for g, w := range want {
				if got := proposed(t, p, g); !equal(got, w) {
					t.Errorf("%s = %q, want %q", g, got, w)
				}
			}
			rows := readTruth(t, truth)
			var needs []flowlog.Observation
			for _, r := range rows {
				if r.dir != "outbound" || !r.accepted {
					continue
				}
				proto, _ := vpc.ParseProtocol(r.proto)
				needs = append(needs, flowlog.Observation{InterfaceID: r.eni, Direction: flowlog.Outbound,
					Protocol: uint8(proto), Port: uint16(r.port), Remote: r.remote, Accepted: true, Flows: 1,
					FirstSeen: time.Unix(0, 0), LastSeen: time.Unix(0, 0), Confidence: flowlog.Exact})
			}
			rep, err := plan.Replay(inv, p, needs)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Blocked != 0 || rep.Checked != len(needs) {
				t.Errorf("truth replay: %d of %d initiated needs blocked: %+v", rep.Blocked, rep.Checked, rep.BlockedBy)
			}
			justified(t, inv, p, needs)
			t.Logf("v%s: %d records, %d observations, %d initiated needs in the truth; all covered",
				version, res.Stats.Records, len(res.Observations), len(needs))
		})
	}
}

// justified checks that each proposed rule allows at least one real need
// of a member of its group.
func justified(t *testing.T, inv *vpc.Inventory, p *plan.Plan, needs []flowlog.Observation) {
	t.Helper()
	for i := range p.SecurityGroups {
		g := &p.SecurityGroups[i]
		if g.Status != plan.StatusProposed {
			continue
		}
		rules, _ := plan.Rules(g.GroupID, g.ProposedEgress)
		for j := range rules {
			one := &plan.Plan{Version: 1, SecurityGroups: []plan.Group{{GroupID: g.GroupID, Status: plan.StatusProposed,
				CurrentEgress: g.CurrentEgress, ProposedEgress: []plan.Rule{g.ProposedEgress[j]}}}}
			applied, err := plan.Apply(inv, one)
			if err != nil {
				t.Fatal(err)
			}
			eg := plan.NewEgress(applied)
			ok := false
			for k := range needs {
				n := &needs[k]
				eni := inv.Interfaces[n.InterfaceID]
				if eni != nil && contains(eni.GroupIDs, g.GroupID) && eg.Group(g.GroupID).Contains(plan.Packet(n)) {
					ok = true
					break
				}
			}
			if !ok {
				t.Errorf("%s: %s is justified by no initiated connection", g.GroupID, rules[j].String())
			}
		}
	}
}
