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
// same packets. While the group is over budget, the merges that add the
// least volume (ports × addresses) are made next, among CIDR merges (same
// protocol and ports, the smallest common supernet) and port merges (same
// peer, the span of two port runs), and only those that shrink a bucket
// (IPv4 or IPv6 rules) that is over. Every merge must stay within the
// current rules. Each round makes as many disjoint merges as the excess
// needs, cheapest first, then looks again, so large groups fit in a few
// rounds. It returns what was widened, in words.
func (l *learner) fit(g *vpc.SecurityGroup, chk *plan.Checker, items []*item) ([]*item, []string) {
	var widened []string
	for {
		sort.Slice(items, func(i, j int) bool { return lessItem(items[i], items[j]) })
		o4, o6 := l.overBy(g, items)
		moves := candidates(items, o4 <= 0 && o6 <= 0)
		sort.SliceStable(moves, func(i, j int) bool { return moves[i].cost < moves[j].cost })
		used := map[*item]bool{}
		var batch []move
		for _, m := range moves {
			if !m.free && o4 <= 0 && o6 <= 0 {
				break
			}
			if touches(m, used) {
				continue
			}
			g4, g6 := l.gain(g, m)
			if !m.free && (g4 <= 0 || o4 <= 0) && (g6 <= 0 || o6 <= 0) {
				continue // widens without bringing an over bucket down
			}
			r := m.merged.rule(g.ID)
			if ok, _ := chk.Within(&r); !ok {
				continue
			}
			for _, f := range m.from {
				used[f] = true
			}
			batch = append(batch, m)
			o4, o6 = o4-g4, o6-g6
		}
		if len(batch) == 0 {
			if over := max(o4, o6); over > 0 {
				widened = append(widened, fmt.Sprintf("still %d rules over the budget of %d: no merge stays within the current rules",
					over, l.opts.MaxRules))
			}
			return items, widened
		}
		for _, m := range batch {
			if m.cost > 0 {
				widened = append(widened, fmt.Sprintf("%s (+%s) to fit %d rules", m.what(), volume(m.cost), l.opts.MaxRules))
				m.merged.addWhy("widened to fit the rule budget: " + m.what())
			} else {
				m.merged.addWhy("aggregated without extra addresses: " + m.what())
			}
		}
		items = apply(items, batch, used)
	}
}

// overBy is how many rules each bucket exceeds the budget by (may be < 0).
func (l *learner) overBy(g *vpc.SecurityGroup, items []*item) (v4, v6 int) {
	for _, it := range items {
		r := it.rule(g.ID)
		a, b := plan.Weight(l.inv, &r)
		v4, v6 = v4+a, v6+b
	}
	return v4 - l.opts.MaxRules, v6 - l.opts.MaxRules
}

// gain is how much a move shrinks each bucket.
func (l *learner) gain(g *vpc.SecurityGroup, m move) (v4, v6 int) {
	for _, f := range m.from {
		r := f.rule(g.ID)
		a, b := plan.Weight(l.inv, &r)
		v4, v6 = v4+a, v6+b
	}
	r := m.merged.rule(g.ID)
	a, b := plan.Weight(l.inv, &r)
	return v4 - a, v6 - b
}

func touches(m move, used map[*item]bool) bool {
	for _, f := range m.from {
		if used[f] {
			return true
		}
	}
	return false
}

// apply replaces the items each move absorbs (all in used) by its merge.
func apply(items []*item, batch []move, used map[*item]bool) []*item {
	out := make([]*item, 0, len(items))
	for _, m := range batch {
		for _, f := range m.from {
			m.merged.pts = append(m.merged.pts, f.pts...)
			m.merged.addWhy(f.why...)
		}
		out = append(out, m.merged)
	}
	for _, it := range items {
		if !used[it] {
			out = append(out, it)
		}
	}
	return out
}

// candidates lists the merges possible among items; onlyFree, the CIDR
// merges that add no address. Items of one traffic (or one peer) are sorted,
// so the items a merge absorbs are a contiguous run around the pair.
func candidates(items []*item, onlyFree bool) []move {
	type trafficKey struct {
		proto  uint8
		lo, hi uint16
		icmp   int32
		code   int32
		v4     bool
	}
	type peerKey struct {
		proto uint8
		peer  vpc.Peer
	}
	var moves []move
	byTraffic := map[trafficKey][]*item{} // CIDR merges: same protocol, ports and family
	var keys []trafficKey
	byPeer := map[peerKey][]*item{} // port merges: tcp/udp, same peer
	var pkeys []peerKey
	for _, it := range items {
		if it.peer.Kind == vpc.PeerCIDR {
			k := trafficKey{it.proto, it.lo, it.hi, it.icmp, it.code, it.peer.Prefix.Addr().Is4()}
			if byTraffic[k] == nil {
				keys = append(keys, k)
			}
			byTraffic[k] = append(byTraffic[k], it)
		}
		if hasPorts(it.proto) && !onlyFree {
			k := peerKey{it.proto, it.peer}
			if byPeer[k] == nil {
				pkeys = append(pkeys, k)
			}
			byPeer[k] = append(byPeer[k], it)
		}
	}
	for _, k := range keys {
		its := byTraffic[k]
		sort.Slice(its, func(i, j int) bool {
			a, b := its[i].peer.Prefix, its[j].peer.Prefix
			if c := a.Addr().Compare(b.Addr()); c != 0 {
				return c < 0
			}
			return a.Bits() < b.Bits()
		})
		for i := 0; i+1 < len(its); i++ {
			s := supernet(its[i].peer.Prefix, its[i+1].peer.Prefix)
			lo, hi := i, i+1
			for lo > 0 && s.Contains(its[lo-1].peer.Prefix.Addr()) {
				lo--
			}
			for hi+1 < len(its) && s.Contains(its[hi+1].peer.Prefix.Addr()) {
				hi++
			}
			var from []*item
			var inside float64
			for _, it := range its[lo : hi+1] {
				if it.peer.Prefix.Bits() >= s.Bits() {
					from = append(from, it)
					inside += size(it.peer.Prefix)
				}
			}
			base := its[i]
			cost := (size(s) - inside) * ports(base)
			if onlyFree && cost > 0 {
				continue
			}
			merged := &item{proto: base.proto, lo: base.lo, hi: base.hi, icmp: base.icmp, code: base.code,
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
			first, last := i, i+1
			for first > 0 && its[first-1].lo >= lo {
				first--
			}
			for last+1 < len(its) && its[last+1].lo <= hi {
				last++
			}
			var from []*item
			var inside float64
			for _, it := range its[first : last+1] {
				if it.hi <= hi {
					from = append(from, it)
					inside += ports(it)
				}
			}
			base := its[i]
			merged := &item{proto: base.proto, lo: lo, hi: hi, icmp: -1, code: -1, peer: base.peer}
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
