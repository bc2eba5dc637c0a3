package learn

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/vpc"
)

// A move merges items into one wider item.
type move struct {
	cost   float64 // extra protocol-port-address volume allowed
	free   bool    // a CIDR merge adding nothing: made even within budget
	merged *item
	from   []*item
	what   func() string
}

// fit brings a group's items within the rule budget. Merges that add
// nothing (sibling CIDRs, nested ranges) are always made: fewer rules, the
// same packets. While the group is over budget, the merge that adds the
// least volume (ports × addresses) is made next, among CIDR merges
// (same protocol and ports, the smallest common supernet) and port merges
// (same peer, the span of two port runs); every merge must stay within the
// current rules. It returns what was widened, in words.
func (l *learner) fit(g *vpc.SecurityGroup, chk *plan.Checker, items []*item) ([]*item, []string) {
	var widened []string
	for {
		over := l.over(g, items)
		moves := candidates(items, over == 0)
		sort.SliceStable(moves, func(i, j int) bool { return moves[i].cost < moves[j].cost })
		applied := false
		for _, m := range moves {
			if !m.free && over == 0 {
				continue
			}
			r := m.merged.rule(g.ID)
			if ok, _ := chk.Within(&r); !ok {
				continue
			}
			items = apply(items, m)
			if m.cost > 0 {
				widened = append(widened, fmt.Sprintf("%s (+%s) to fit %d rules", m.what(), volume(m.cost), l.opts.MaxRules))
				m.merged.why = append(m.merged.why, "widened to fit the rule budget: "+m.what())
			} else {
				m.merged.why = append(m.merged.why, "aggregated without extra addresses: "+m.what())
			}
			applied = true
			break
		}
		if !applied {
			if over > 0 {
				widened = append(widened, fmt.Sprintf("still %d rules over the budget of %d: no merge stays within the current rules",
					over, l.opts.MaxRules))
			}
			return items, widened
		}
	}
}

// over is how many rules the fullest bucket exceeds the budget by.
func (l *learner) over(g *vpc.SecurityGroup, items []*item) int {
	var c plan.RuleCount
	for _, it := range items {
		r := it.rule(g.ID)
		v4, v6 := plan.Weight(l.inv, &r)
		c.IPv4 += v4
		c.IPv6 += v6
	}
	return max(0, c.Max()-l.opts.MaxRules)
}

func apply(items []*item, m move) []*item {
	gone := map[*item]bool{}
	for _, f := range m.from {
		gone[f] = true
		m.merged.pts = append(m.merged.pts, f.pts...)
		m.merged.why = append(m.merged.why, f.why...)
	}
	out := []*item{m.merged}
	for _, it := range items {
		if !gone[it] {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessItem(out[i], out[j]) })
	return out
}

// candidates lists the merges possible among items; onlyFree, the CIDR
// merges that add no address.
func candidates(items []*item, onlyFree bool) []move {
	var moves []move
	// CIDR merges: same protocol, ports and family.
	byTraffic := map[string][]*item{}
	var keys []string
	// Port merges: tcp/udp, same peer.
	byPeer := map[string][]*item{}
	var pkeys []string
	for _, it := range items {
		if it.peer.Kind == vpc.PeerCIDR {
			k := fmt.Sprintf("%d|%d|%d|%d|%t", it.proto, it.lo, it.hi, it.icmp, it.peer.Prefix.Addr().Is4())
			if byTraffic[k] == nil {
				keys = append(keys, k)
			}
			byTraffic[k] = append(byTraffic[k], it)
		}
		if hasPorts(it.proto) && !onlyFree {
			k := fmt.Sprintf("%d|%s", it.proto, peerKey(it.peer))
			if byPeer[k] == nil {
				pkeys = append(pkeys, k)
			}
			byPeer[k] = append(byPeer[k], it)
		}
	}
	for _, k := range keys {
		its := byTraffic[k]
		sort.Slice(its, func(i, j int) bool { return its[i].peer.Prefix.Addr().Less(its[j].peer.Prefix.Addr()) })
		for i := 0; i+1 < len(its); i++ {
			s := supernet(its[i].peer.Prefix, its[i+1].peer.Prefix)
			var from []*item
			var inside float64
			for _, it := range its {
				if s.Contains(it.peer.Prefix.Addr()) && it.peer.Prefix.Bits() >= s.Bits() {
					from = append(from, it)
					inside += size(it.peer.Prefix)
				}
			}
			base := its[i]
			cost := (size(s) - inside) * ports(base)
			if onlyFree && cost > 0 {
				continue
			}
			merged := &item{proto: base.proto, lo: base.lo, hi: base.hi, icmp: base.icmp,
				peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: s}}
			moves = append(moves, move{cost: cost, free: cost == 0, merged: merged, from: from,
				what: func() string {
					var names []string
					for _, f := range from {
						names = append(names, f.peer.Prefix.String())
					}
					return fmt.Sprintf("%s %s: %s merged into %s", protoName(base.proto), portText(base),
						strings.Join(examples(names, 4), ", "), s)
				}})
		}
	}
	for _, k := range pkeys {
		its := byPeer[k]
		sort.Slice(its, func(i, j int) bool { return its[i].lo < its[j].lo || its[i].lo == its[j].lo && its[i].hi < its[j].hi })
		for i := 0; i+1 < len(its); i++ {
			lo, hi := its[i].lo, max(its[i].hi, its[i+1].hi)
			var from []*item
			var inside float64
			for _, it := range its {
				if it.lo >= lo && it.hi <= hi {
					from = append(from, it)
					inside += ports(it)
				}
			}
			base := its[i]
			merged := &item{proto: base.proto, lo: lo, hi: hi, icmp: -1, peer: base.peer}
			moves = append(moves, move{cost: (float64(hi-lo) + 1 - inside) * peerVolume(base.peer), merged: merged, from: from,
				what: func() string {
					var names []string
					for _, f := range from {
						names = append(names, portText(f))
					}
					return fmt.Sprintf("%s to %s: ports %s merged into %d-%d", protoName(base.proto), base.peer,
						strings.Join(examples(names, 4), ", "), lo, hi)
				}})
		}
	}
	return moves
}

func portText(it *item) string {
	switch {
	case !hasPorts(it.proto):
		return "all"
	case it.lo == it.hi:
		return fmt.Sprint(it.lo)
	}
	return fmt.Sprintf("%d-%d", it.lo, it.hi)
}

func ports(it *item) float64 {
	if !hasPorts(it.proto) {
		return 1
	}
	return float64(it.hi-it.lo) + 1
}

func size(p netip.Prefix) float64 { return math.Ldexp(1, p.Addr().BitLen()-p.Bits()) }

func peerVolume(p vpc.Peer) float64 {
	if p.Kind == vpc.PeerCIDR {
		return size(p.Prefix)
	}
	return 1
}

// supernet is the smallest prefix containing a and b (same family).
func supernet(a, b netip.Prefix) netip.Prefix {
	bits := min(a.Bits(), b.Bits())
	for ; bits > 0; bits-- {
		p := netip.PrefixFrom(a.Addr(), bits).Masked()
		if p.Contains(b.Addr()) {
			return p
		}
	}
	return netip.PrefixFrom(a.Addr(), 0).Masked()
}

func volume(v float64) string {
	if v < 1e6 {
		return fmt.Sprintf("%.0f port-addresses", v)
	}
	return fmt.Sprintf("2^%.1f port-addresses", math.Log2(v))
}
