package truth

import (
	"context"
	"fmt"
	"math/rand"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/learn"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// loadWorld writes the world's inventory as AWS CLI JSON under dir and
// loads it with the real loader. Every flow log format of a world shares
// the one inventory: observe and learn only read it.
func loadWorld(t testing.TB, w *world, dir string) *vpc.Inventory {
	t.Helper()
	writeInventory(t, w, filepath.Join(dir, "inventory"))
	inv, err := inventory.Load([]string{filepath.Join(dir, "inventory")})
	if err != nil {
		t.Fatalf("%s: inventory: %v", w.name, err)
	}
	return inv
}

// pipeline writes the world's traffic in format f under dir and runs the
// real observe and learn on it, with the world's inventory inv (loadWorld).
func pipeline(t testing.TB, w *world, inv *vpc.Inventory, conns []*conn, f format, dir string, seed int64) *plan.Plan {
	t.Helper()
	r := rand.New(rand.NewSource(seed*7919 + 1))
	flows := filepath.Join(dir, "flows-"+f.name)
	writeFlows(t, w, records(w, conns, r), f, flows, r)
	res, err := flowlog.Aggregate(context.Background(), []string{flows},
		flowlog.Options{Inventory: inv, Workers: 2, ChunkSize: 64 << 10})
	if err != nil {
		t.Fatalf("%s: %s flows: %v", w.name, f.name, err)
	}
	if res.Stats.BadLines > 0 {
		t.Fatalf("%s: %s flows: %d bad lines: %v", w.name, f.name, res.Stats.BadLines, res.Stats.BadLineExamples)
	}
	if os.Getenv("WALLS_TRUTH_DEBUG") != "" {
		for _, o := range res.Observations {
			t.Logf("obs %s %s %d/%d %s %v %s", o.InterfaceID, o.Direction, o.Protocol, o.Port, o.Remote, o.Accepted, o.Confidence)
		}
	}
	p, err := learn.Learn(inv, res.Observations, learn.Options{})
	if err != nil {
		t.Fatalf("%s: %s learn: %v", w.name, f.name, err)
	}
	return p
}

// fromPlan reads a plan rule (AWS field names) into the checker's model.
func fromPlan(pr plan.Rule) (rule, error) {
	var r rule
	switch pr.IPProtocol {
	case "-1", "all":
		r.proto = pAll
	case "tcp":
		r.proto = pTCP
	case "udp":
		r.proto = pUDP
	case "icmp":
		r.proto = pICMP
	default:
		n, err := strconv.Atoi(pr.IPProtocol)
		if err != nil {
			return r, fmt.Errorf("IpProtocol %q", pr.IPProtocol)
		}
		r.proto = n
	}
	r.from, r.to = int(pr.FromPort), int(pr.ToPort)
	switch {
	case pr.CidrIPv4 != "" && pr.ReferencedGroupInfo == nil && pr.PrefixListID == "" && pr.CidrIPv6 == "":
		p, err := netip.ParsePrefix(pr.CidrIPv4)
		if err != nil {
			return r, err
		}
		r.cidr = p
	case pr.ReferencedGroupInfo != nil && pr.CidrIPv4 == "" && pr.PrefixListID == "" && pr.CidrIPv6 == "":
		r.ref = pr.ReferencedGroupInfo.GroupID
	default:
		return r, fmt.Errorf("rule %+v: want exactly one IPv4 CIDR or group peer in this VPC", pr)
	}
	return r, nil
}

// planEgress is the egress the plan leaves group id with: the proposal of
// a proposed group, the current rules of an unchanged one.
func planEgress(p *plan.Plan, id string) ([]rule, bool, error) {
	for _, g := range p.SecurityGroups {
		if g.GroupID != id {
			continue
		}
		src := g.CurrentEgress
		if g.Status == plan.StatusProposed {
			src = g.ProposedEgress
		}
		var out []rule
		for _, pr := range src {
			r, err := fromPlan(pr)
			if err != nil {
				return nil, false, fmt.Errorf("group %s: %v", id, err)
			}
			out = append(out, r)
		}
		return out, g.Status == plan.StatusProposed, nil
	}
	return nil, false, fmt.Errorf("group %s is not in the plan", id)
}

// tally sums one format's findings over many worlds, by connection class.
type tally struct {
	checked, blocked, rejected map[string]int
	blockedEx                  map[string][]string
	rules, outside             int
	outsideEx                  []string
	proposed                   int
	// Proposed rules no member's own connection needs, by the class of the
	// answered connections that explain them: decided when the current
	// rules let only the other side start every one of them; flags when
	// tcp-flags showed the handshake; open otherwise; unexplained when no
	// connection explains them at all.
	decided, flags, open, unexplained map[string]int
	spurEx                            map[string][]string
	errs                              []string
}

func newTally() *tally {
	m := func() map[string]int { return map[string]int{} }
	return &tally{checked: m(), blocked: m(), rejected: m(), blockedEx: map[string][]string{},
		decided: m(), flags: m(), open: m(), unexplained: m(), spurEx: map[string][]string{}}
}

func example(m map[string][]string, k, s string) {
	if len(m[k]) < 3 {
		m[k] = append(m[k], s)
	}
}

// add checks one plan against the world's ground truth.
func (tl *tally) add(w *world, conns []*conn, p *plan.Plan, f format) {
	egress := map[string][]rule{}
	proposed := map[string]bool{}
	for _, g := range w.groups {
		rs, prop, err := planEgress(p, g.id)
		if err != nil {
			tl.errs = append(tl.errs, w.name+": "+err.Error())
			return
		}
		egress[g.id], proposed[g.id] = rs, prop
	}
	// (a) every accepted connection a logged member started is allowed by
	// the plan's egress of its groups, pooled.
	for _, c := range conns {
		if c.init == nil || c.init.gone || !c.init.logs || w.unfiltered(c.dst) {
			continue
		}
		if !c.accepted {
			tl.rejected[c.class]++
			continue
		}
		tl.checked[c.class]++
		ok := false
		for _, g := range c.init.groups {
			if w.rulesAllow(egress[g], c.request(c.dst)) {
				ok = true
			}
		}
		if !ok {
			tl.blocked[c.class]++
			example(tl.blockedEx, c.class, fmt.Sprintf("%s: %s, groups %v", w.name, c, c.init.groups))
		}
	}
	// (b) proposed ⊆ current, by samples of each proposed rule.
	for _, g := range w.groups {
		if !proposed[g.id] {
			continue
		}
		for _, r := range egress[g.id] {
			tl.rules++
			if why := w.outside(g, r); why != "" {
				tl.outside++
				if len(tl.outsideEx) < 5 {
					tl.outsideEx = append(tl.outsideEx, fmt.Sprintf("%s: %s egress %s: %s", w.name, g.id, r, why))
				}
			}
		}
	}
	// (c) no rule only for connections members answered.
	for _, g := range w.groups {
		if !proposed[g.id] {
			continue
		}
	rules:
		for _, r := range egress[g.id] {
			tl.proposed++
			for _, c := range conns {
				if c.init != nil && !c.init.gone && c.init.inGroup(g.id) && w.ruleAllows(r, c.request(c.dst)) {
					continue rules // a member started something this rule allows
				}
			}
			var why []*conn
			for _, c := range conns {
				if c.accepted && c.resp != nil && c.resp.inGroup(g.id) && w.ruleAllows(r, c.reversed()) {
					why = append(why, c)
				}
			}
			desc := fmt.Sprintf("%s: %s egress %s", w.name, g.id, r)
			if len(why) == 0 {
				tl.unexplained["-"]++
				example(tl.spurEx, "unexplained", desc)
				continue
			}
			decided, shown := true, true
			classes := map[string]bool{}
			for _, c := range why {
				classes[c.class] = true
				if w.reversePossible(c) {
					decided = false
				}
				if c.proto != pTCP || c.dropSYN || !f.has("tcp-flags") {
					shown = false
				}
			}
			cl := strings.Join(sortedKeys(classes), "+")
			desc += fmt.Sprintf(", answering %s", why[0])
			switch {
			case decided:
				tl.decided[cl]++
				example(tl.spurEx, "decided "+cl, desc)
			case shown:
				tl.flags[cl]++
				example(tl.spurEx, "flags "+cl, desc)
			default:
				tl.open[cl]++
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// outside reports why rule r of group g allows a packet g's current egress
// does not, or "" when every sample is allowed.
func (w *world) outside(g *group, r rule) string {
	for _, p := range w.samples(r) {
		if r.ref != "" {
			// A group reference also covers the group's future members,
			// anywhere in the VPC: current rules must name the same group
			// or cover the whole VPC block.
			ok := false
			for _, cur := range g.egress {
				if protoPortMatches(cur, p) && (cur.ref == r.ref || cur.ref == "" && cur.cidr.Bits() <= w.cidr.Bits() && cur.cidr.Contains(w.cidr.Addr())) {
					ok = true
				}
			}
			if !ok {
				return fmt.Sprintf("%s %d type %d/%d to members of %s", protoName(p.proto), p.port, p.icmpT, p.icmpC, r.ref)
			}
			continue
		}
		if !w.rulesAllow(g.egress, p) {
			return fmt.Sprintf("%s port %d type %d/%d to %s", protoName(p.proto), p.port, p.icmpT, p.icmpC, p.addr)
		}
	}
	return ""
}

// samples are packets rule r allows: its port range's ends and middle,
// ICMP types and codes, and addresses at the ends and middle of its CIDR
// (or the members of its group).
func (w *world) samples(r rule) []pkt {
	var addrs []netip.Addr
	if r.ref != "" {
		for _, e := range w.liveENIs() {
			if e.inGroup(r.ref) {
				addrs = append(addrs, e.ips...)
			}
		}
		if len(addrs) == 0 {
			addrs = append(addrs, w.cidr.Addr()) // checked against the group itself
		}
	} else {
		lo := r.cidr.Masked().Addr()
		a := lo.As4()
		n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		size := uint64(1) << (32 - r.cidr.Bits())
		at := func(off uint64) netip.Addr {
			v := n + uint32(off)
			return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		}
		addrs = append(addrs, lo, at(size-1), at(size/2), at(size/3))
	}
	var out []pkt
	for _, a := range addrs {
		switch r.proto {
		case pTCP, pUDP:
			for _, port := range []int{r.from, r.to, (r.from + r.to) / 2} {
				out = append(out, pkt{proto: r.proto, port: port, addr: a})
			}
		case pICMP:
			switch {
			case r.from == -1:
				for _, tc := range [][2]int{{8, 0}, {0, 0}, {3, 4}, {11, 0}} {
					out = append(out, pkt{proto: pICMP, icmpT: tc[0], icmpC: tc[1], addr: a})
				}
			case r.to == -1:
				out = append(out, pkt{proto: pICMP, icmpT: r.from, icmpC: 0, addr: a}, pkt{proto: pICMP, icmpT: r.from, icmpC: 5, addr: a})
			default:
				out = append(out, pkt{proto: pICMP, icmpT: r.from, icmpC: r.to, addr: a})
			}
		case pAll:
			out = append(out, pkt{proto: pTCP, port: 1, addr: a}, pkt{proto: pTCP, port: 65535, addr: a},
				pkt{proto: pUDP, port: 53, addr: a}, pkt{proto: pICMP, icmpT: 3, icmpC: 4, addr: a}, pkt{proto: 50, addr: a})
		default:
			out = append(out, pkt{proto: r.proto, addr: a})
		}
	}
	return out
}

// report writes the tally per class, and fails t on what breaks the promise.
func (tl *tally) reportAllowed(t *testing.T) {
	t.Helper()
	for _, e := range tl.errs {
		t.Error(e)
	}
	var bad []string
	for _, k := range sortedKeys(tl.checked) {
		t.Logf("%-14s %5d accepted member-initiated, %4d blocked by the plan (%d rejected today)", k, tl.checked[k], tl.blocked[k], tl.rejected[k])
		if tl.blocked[k] > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d of %d accepted connections blocked, e.g.\n    %s", k, tl.blocked[k], tl.checked[k],
				strings.Join(tl.blockedEx[k], "\n    ")))
		}
	}
	if len(bad) > 0 {
		t.Errorf("the plan blocks connections members really initiated and the current rules accept:\n  %s", strings.Join(bad, "\n  "))
	}
}

func (tl *tally) reportWithin(t *testing.T) {
	t.Helper()
	t.Logf("%d proposed rules checked against current egress", tl.rules)
	if tl.outside > 0 {
		t.Errorf("%d proposed rules allow what the current egress denies, e.g.\n  %s", tl.outside, strings.Join(tl.outsideEx, "\n  "))
	}
}

func (tl *tally) reportAnswered(t *testing.T) {
	t.Helper()
	t.Logf("%d proposed rules; rules no member's own connection needs, by the answered connections behind them:", tl.proposed)
	for _, k := range sortedKeys(tl.open) {
		t.Logf("  open (either side could have started it): %-28s %d", k, tl.open[k])
	}
	for _, k := range sortedKeys(tl.flags) {
		t.Logf("  handshake in the logs:                     %-28s %d", k, tl.flags[k])
	}
	var bad []string
	for _, k := range sortedKeys(tl.decided) {
		bad = append(bad, fmt.Sprintf("%s: %d rules, e.g.\n    %s", k, tl.decided[k], strings.Join(tl.spurEx["decided "+k], "\n    ")))
	}
	if n := tl.unexplained["-"]; n > 0 {
		bad = append(bad, fmt.Sprintf("%d rules no connection explains, e.g.\n    %s", n, strings.Join(tl.spurEx["unexplained"], "\n    ")))
	}
	if len(bad) > 0 {
		t.Errorf("egress proposed for members that only answered, where the current rules let only the other side start:\n  %s",
			strings.Join(bad, "\n  "))
	}
}

// scratch makes a fresh folder under parent for one run.
func scratch(t testing.TB, parent string) string {
	t.Helper()
	d, err := os.MkdirTemp(parent, "run")
	if err != nil {
		t.Fatal(err)
	}
	return d
}
