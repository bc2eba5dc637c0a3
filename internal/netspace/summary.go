package netspace

import (
	"net/netip"
	"sort"
	"strings"
)

// Summarize renders s the way people read a rule set: one line per set of
// addresses that share the same protocols and ports, each as what it
// allows ("tcp 21, 80, 443 to 0.0.0.0/0") or, when that is shorter, as
// everything but what it leaves out ("all but tcp 21, 80, 443 to
// 0.0.0.0/0"). Lines are in the order of their first address; the empty
// set gives none. Set.Boxes stays the exact, rule-shaped form.
func Summarize(s Set) []string {
	type group struct {
		key      string
		cover    Set // the protocols and ports, on one stand-in address
		prefixes []netip.Prefix
	}
	stand := netip.MustParsePrefix("0.0.0.0/32")
	byPrefix := map[netip.Prefix][]Box{}
	var order []netip.Prefix
	for _, b := range s.Boxes() {
		if _, ok := byPrefix[b.Prefix]; !ok {
			order = append(order, b.Prefix)
		}
		byPrefix[b.Prefix] = append(byPrefix[b.Prefix], b)
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, p := range order {
		var bld Builder
		for _, b := range byPrefix[p] {
			b.Prefix = stand
			bld.Add(b.Set())
		}
		cover := bld.Set()
		key := cover.String()
		g := byKey[key]
		if g == nil {
			g = &group{key: key, cover: cover}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.prefixes = append(g.prefixes, p)
	}
	full := Box{ProtoLo: 0, ProtoHi: 255, PortLo: 0, PortHi: 65535, Prefix: stand}.Set()
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		what := protoPorts(g.cover)
		if rest := full.Subtract(g.cover); rest.IsEmpty() {
			what = "all"
		} else if rest.NumBoxes() < g.cover.NumBoxes() {
			what = "all but " + protoPorts(rest)
		}
		sort.Slice(g.prefixes, func(i, j int) bool { return g.prefixes[i].Addr().Less(g.prefixes[j].Addr()) })
		addrs := make([]string, len(g.prefixes))
		for i, p := range g.prefixes {
			addrs[i] = p.String()
		}
		out = append(out, what+" to "+strings.Join(addrs, ", "))
	}
	return out
}

// protoPorts renders the protocol and port runs of a set on one address:
// runs of one protocol joined ("tcp 21, 80, 443"), protocols in order.
func protoPorts(s Set) string {
	var parts []string
	last := ""
	s.eachBox(func(b Box) {
		label := strings.TrimSuffix(b.Text(), " "+b.Prefix.String())
		proto, ports, hasPorts := strings.Cut(label, " ")
		single := b.ProtoLo == b.ProtoHi && (b.ProtoLo == protoTCP || b.ProtoLo == protoUDP ||
			isICMP(int(b.ProtoLo)))
		if single && hasPorts && proto == last {
			parts[len(parts)-1] += ", " + ports
			return
		}
		parts = append(parts, label)
		last = ""
		if single {
			last = proto
		}
	})
	return strings.Join(parts, "; ")
}
