package learn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/policy"
)

// placeKey groups points that one rule on one group could serve.
type placeKey struct {
	proto  uint8
	port   uint16
	target string
}

func (l *learner) targetOf(pt *point) string {
	switch pt.kind {
	case destInternet:
		if !l.opts.Pin {
			if pt.remote.Is4() {
				return "world4"
			}
			return "world6"
		}
	case destPrefixList:
		return pt.pl
	case destPeer:
		// Peers with the same groups end up behind the same reference, so
		// they share a placement.
		if len(pt.peer.GroupIDs) > 0 {
			gs := append([]string(nil), pt.peer.GroupIDs...)
			sort.Strings(gs)
			return "peers:" + strings.Join(gs, "+")
		}
	}
	return pt.remote.String()
}

// place puts each point on one of its candidate groups so that each rule
// is needed on as few groups as possible: per rule, a greedy hitting set
// over the candidate sets of the interfaces needing it. Groups an
// interface has no choice about come first (they need the rule anyway);
// then the group serving the most remaining interfaces, then the one with
// the fewest members (the rule reaches fewer workloads), then by id.
// It returns the placement explanations per group.
func (l *learner) place() map[string][]string {
	ix := l.inv.Index()
	byKey := map[placeKey][]*point{}
	var keys []placeKey
	for _, pt := range l.points {
		if len(pt.cands) == 0 {
			continue
		}
		k := placeKey{pt.proto, pt.port, l.targetOf(pt)}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], pt)
	}
	notes := map[string][]string{}
	for _, k := range keys {
		pts := byKey[k]
		rank := map[string]int{} // chosen groups, in the order chosen
		forced := map[string]bool{}
		choose := func(g string) {
			if _, ok := rank[g]; !ok {
				rank[g] = len(rank)
			}
		}
		// Distinct candidate sets: interfaces mostly share a few.
		seen := map[string]bool{}
		var sets [][]string
		for _, pt := range pts {
			if len(pt.cands) == 1 {
				choose(pt.cands[0])
				forced[pt.cands[0]] = true
				continue
			}
			if sig := strings.Join(pt.cands, ","); !seen[sig] {
				seen[sig] = true
				sets = append(sets, pt.cands)
			}
		}
		for {
			hits := map[string]int{}
			for _, c := range sets {
				if !hitsAny(c, rank) {
					for _, g := range c {
						hits[g]++
					}
				}
			}
			if len(hits) == 0 {
				break
			}
			choose(bestGroup(hits, func(g string) int { return len(ix.Members[g]) }))
		}
		multi := map[string][]string{}
		for _, pt := range pts {
			pt.group = ""
			for _, g := range pt.cands {
				if r, ok := rank[g]; ok && (pt.group == "" || r < rank[pt.group]) {
					pt.group = g
				}
			}
			if len(pt.cands) > 1 {
				multi[pt.group] = append(multi[pt.group], pt.eni.ID)
			}
		}
		for _, g := range sortedKeys(multi) {
			enis := uniq(multi[g])
			why := fmt.Sprintf("the candidate reaching the fewest workloads (%d members)", len(ix.Members[g]))
			if forced[g] {
				why = "which needs it anyway for members with no other group allowing it"
			}
			notes[g] = append(notes[g], fmt.Sprintf("%s: needed by %s, which carry several groups (%s); placed once on %s, %s",
				l.keyLabel(k), strings.Join(examples(enis, 3), ", "), strings.Join(l.groupsOf(enis[0]), ", "), g, why))
		}
	}
	return notes
}

func (l *learner) keyLabel(k placeKey) string {
	t := k.target
	switch {
	case t == "world4":
		t = "0.0.0.0/0"
	case t == "world6":
		t = "::/0"
	case strings.HasPrefix(t, "peers:"):
		t = "members of " + strings.ReplaceAll(strings.TrimPrefix(t, "peers:"), "+", ", ")
	}
	return policy.FlowText(k.proto, k.port) + " to " + t
}

func (l *learner) groupsOf(eni string) []string {
	if e := l.inv.Interfaces[eni]; e != nil {
		return e.GroupIDs
	}
	return nil
}

func hitsAny(cands []string, chosen map[string]int) bool {
	for _, g := range cands {
		if _, ok := chosen[g]; ok {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func uniq(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func examples(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(append([]string(nil), xs[:n]...), fmt.Sprintf("%d more", len(xs)-n))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// bestGroup is the group of the highest score; among equals the one of the
// lowest cost, then the lowest id, so the choice does not depend on map
// order.
func bestGroup(score map[string]int, cost func(string) int) string {
	best := ""
	for g, n := range score {
		switch {
		case best == "", n > score[best]:
			best = g
		case n == score[best]:
			cg, cb := cost(g), cost(best)
			if cg < cb || cg == cb && g < best {
				best = g
			}
		}
	}
	return best
}
