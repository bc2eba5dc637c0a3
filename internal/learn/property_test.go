package learn

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// TestRandomScenarios learns from random inventories (narrow and wide
// current rules, group references, prefix lists, interfaces in several
// groups) and random observations, and checks what must hold whatever the
// input: no panic, proposed ⊆ current proved, the learning window replayed
// without a block, rule budgets kept when the current rules allow merging,
// and the same plan for the same input.
func TestRandomScenarios(t *testing.T) {
	t.Parallel()
	n := 300
	if testing.Short() {
		n = 30
	}
	for seed := 0; seed < n; seed++ {
		inv, obs, opts := randomScenario(uint64(seed))
		p, err := Learn(inv, obs, opts)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		g := p.Guarantees
		if !g.ProposedWithinCurrent.Holds {
			t.Fatalf("seed %d: proposed ⊆ current fails: %v", seed, g.ProposedWithinCurrent.Violations)
		}
		if !g.LearningReplay.Holds {
			t.Fatalf("seed %d: learning replay blocks: %v", seed, g.LearningReplay.Violations)
		}
		if _, err := plan.Compare(inv, p); err != nil {
			t.Fatalf("seed %d: diff: %v", seed, err)
		}
		q, _ := Learn(inv, obs, opts)
		var a, b fmtBuf
		_ = p.Write(&a)
		_ = q.Write(&b)
		if string(a) != string(b) {
			t.Fatalf("seed %d: not deterministic", seed)
		}
	}
}

type fmtBuf []byte

func (b *fmtBuf) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

func randomScenario(seed uint64) (*vpc.Inventory, []flowlog.Observation, Options) {
	rng := rand.New(rand.NewPCG(seed, 99))
	inv := newInv()
	inv.PrefixLists["pl-s3"] = &vpc.PrefixList{ID: "pl-s3", Name: "com.amazonaws.us-east-1.s3", OwnerID: "AWS",
		AddressFamily: "IPv4", EntriesKnown: true, Entries: []netip.Prefix{mp("52.216.0.0/15")}}
	inv.PrefixLists["pl-corp"] = &vpc.PrefixList{ID: "pl-corp", Name: "corp", OwnerID: "111122223333",
		AddressFamily: "IPv4", MaxEntries: 20, EntriesKnown: true, Entries: []netip.Prefix{mp("192.0.2.0/24")}}
	ngroups := 2 + rng.IntN(5)
	var groups []string
	peers := []vpc.Peer{cidrPeer("0.0.0.0/0"), cidrPeer("::/0"), cidrPeer("10.0.0.0/16"), cidrPeer("203.0.113.0/24"),
		cidrPeer("198.51.100.0/25"), {Kind: vpc.PeerPrefixList, PrefixListID: "pl-s3"},
		{Kind: vpc.PeerPrefixList, PrefixListID: "pl-corp"}, cidrPeer("2600:1f18:aaaa::/56")}
	for g := 0; g < ngroups; g++ {
		id := fmt.Sprintf("sg-%d", g)
		groups = append(groups, id)
		peers = append(peers, groupPeer(id))
	}
	for _, id := range groups {
		var rules []vpc.Rule
		if rng.IntN(3) == 0 {
			rules = allOut()
		}
		for k := rng.IntN(6); k > 0; k-- {
			p := peers[rng.IntN(len(peers))]
			switch rng.IntN(5) {
			case 0:
				rules = append(rules, rule(vpc.ProtoAll, -1, -1, p))
			case 1:
				rules = append(rules, rule(vpc.ProtoUDP, 0, 65535, p))
			case 2:
				rules = append(rules, rule(vpc.ProtoICMP, -1, -1, p))
			default:
				lo := int32([]int{21, 80, 443, 1024, 5432, 30000}[rng.IntN(6)])
				rules = append(rules, rule(vpc.ProtoTCP, lo, lo+int32(rng.IntN(2000)), p))
			}
		}
		addGroup(inv, id, rules...)
	}
	var enis []string
	for e := 0; e < 3+rng.IntN(8); e++ {
		id := fmt.Sprintf("eni-%d", e)
		var gs []string
		for _, g := range groups {
			if rng.IntN(3) == 0 {
				gs = append(gs, g)
			}
		}
		if len(gs) == 0 {
			gs = []string{groups[rng.IntN(len(groups))]}
		}
		ip := fmt.Sprintf("10.0.%d.%d", rng.IntN(4), 10+e)
		if rng.IntN(6) == 0 {
			ip = fmt.Sprintf("2600:1f18:aaaa::%x", 10+e)
		}
		addENI(inv, id, ip, gs...)
		enis = append(enis, id)
	}
	remotes := []string{"203.0.113.7", "203.0.113.9", "198.51.100.3", "198.51.100.200", "52.216.1.1", "192.0.2.5",
		"10.0.9.9", "172.16.0.4", "2a05:d018::1", "10.0.0.2", "169.254.169.254"}
	for _, id := range enis {
		e := inv.Interfaces[id]
		remotes = append(remotes, e.PrimaryIP().String())
	}
	var obs []flowlog.Observation
	for i := 0; i < 5+rng.IntN(60); i++ {
		proto := []uint8{tcp, tcp, tcp, udp, 1, 50}[rng.IntN(6)]
		port := []uint16{21, 22, 80, 443, 3306, 5432, 8080, 30001, 30002, 30003, 30004, 30005, 30006}[rng.IntN(13)]
		if proto == 1 || proto == 50 {
			port = 0
		}
		o := out(enis[rng.IntN(len(enis))], proto, port, remotes[rng.IntN(len(remotes))], 1+uint64(rng.IntN(5)))
		switch rng.IntN(6) {
		case 0:
			o.Direction = flowlog.Inbound
		case 1:
			o.Accepted = false
		case 2:
			o.Confidence = flowlog.Heuristic
		}
		o.FirstSeen = t0.Add(time.Duration(rng.IntN(48)) * time.Hour)
		o.LastSeen = o.FirstSeen.Add(time.Hour)
		obs = append(obs, o)
	}
	opts := Options{Pin: rng.IntN(2) == 0, MaxRules: []int{60, 4, 2}[rng.IntN(3)]}
	if rng.IntN(4) == 0 {
		opts.HoldoutPercent = 30
	}
	return inv, obs, opts
}
