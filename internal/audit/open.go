package audit

import (
	"net/netip"
	"slices"
	"sync"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// What a direction's rules open to the whole internet is a netspace
// question: the rules reaching the internet (prules) are compiled to one
// Set with policy.RuleSet, their peers read as policy.Listed (the blocks
// the rules name; a group reference is never the internet), and a
// protocol and port is open when every internet address of the family is
// allowed on it. The protocol × port runs where that holds
// form the opening's region, kept as a Set over one placeholder address so
// that regions of the two families can be compared with Set algebra.

// placeholder is the one address a region's Set holds; it stands for "the
// whole internet of the family".
var placeholder = func() *netipx.IPSet {
	var b netipx.IPSetBuilder
	b.Add(netip.IPv4Unspecified())
	s, _ := b.IPSet()
	return s
}()

func placeholderBox(protocol int, from, to int32) netspace.Set {
	s, _ := netspace.PortSet(protocol, from, to, placeholder)
	return s
}

// everyRun is every protocol and port over placeholder, built once.
var everyRun = sync.OnceValue(func() netspace.Set { return placeholderBox(-1, -1, -1) })

// opening is what one direction's internet rules open to the whole
// internet of one family.
type opening struct {
	rs     []prule
	f      family
	all    bool         // every protocol and port
	region netspace.Set // the protocol × port runs open, over placeholder
}

// hasFamily reports whether the rule's peer holds prefixes of family f.
func (p prule) hasFamily(f family) bool {
	for _, x := range p.pfx {
		if famOf(x) == f {
			return true
		}
	}
	return false
}

// openTo computes what rs open to the whole internet of family f.
func (s *scan) openTo(rs []prule, f family) *opening {
	return openFrom(s.allowedBy(rs), rs, f)
}

// openings is openTo for both families, compiling the rules once.
func (s *scan) openings(rs []prule) (o4, o6 *opening) {
	allowed := s.allowedBy(rs)
	return openFrom(allowed, rs, v4), openFrom(allowed, rs, v6)
}

// allowedBy is what rs allow, their peers read as policy.Listed.
func (s *scan) allowedBy(rs []prule) netspace.Set {
	var allowed netspace.Builder
	for _, p := range rs {
		if set, err := policy.RuleSet(s.inv, p.r, policy.Listed); err == nil {
			allowed.Add(set)
		}
	}
	return allowed.Set()
}

// openFrom is what allowed, the set rs allow, opens to the whole internet
// of family f.
func openFrom(allowed netspace.Set, rs []prule, f family) *opening {
	o := &opening{rs: rs, f: f}
	in4, in6 := internetSets()
	in := in4
	if f == v6 {
		in = in6
	}
	// A protocol and port is open when the rules allow every internet
	// address of the family on it; netspace answers the runs where that
	// holds without building the set of internet packets no rule allows.
	o.region = allowed.Covering(in, placeholder)
	o.all = o.region.Equal(everyRun())
	return o
}

// ports lists the open port runs of a tcp or udp within from..to.
func (o *opening) ports(proto vpc.Protocol, from, to int32) [][2]int32 {
	var out [][2]int32
	if proto == vpc.ProtoTCP || proto == vpc.ProtoUDP {
		// The region's port runs of proto cut to from..to: what
		// intersecting with that box and listing it gives, without
		// building either set.
		if from == -1 {
			from, to = 0, 65535
		}
		if from < 0 || from > to || to > 65535 {
			return nil
		}
		for _, run := range o.region.PortRuns(uint8(proto)) {
			lo, hi := max(int32(run[0]), from), min(int32(run[1]), to)
			if lo <= hi {
				out = append(out, [2]int32{lo, hi})
			}
		}
		return out
	}
	for _, b := range o.region.Intersect(placeholderBox(int(proto), from, to)).Boxes() {
		out = append(out, [2]int32{int32(b.PortLo), int32(b.PortHi)})
	}
	return out
}

// openProto reports whether a protocol without ports is open.
func (o *opening) openProto(proto vpc.Protocol) bool {
	return o.region.Contains(netspace.Packet{Protocol: uint8(proto), Addr: netip.IPv4Unspecified()})
}

// allUsed is the rules behind an open "all traffic": the all-protocol
// rules with an address of the family.
func (o *opening) allUsed() []*vpc.Rule {
	var used []*vpc.Rule
	for _, p := range o.rs {
		if p.r.Protocol == vpc.ProtoAll && p.hasFamily(o.f) {
			used = append(used, p.r)
		}
	}
	if len(used) == 0 { // opened protocol by protocol
		for _, p := range o.rs {
			if p.hasFamily(o.f) {
				used = append(used, p.r)
			}
		}
	}
	return used
}

// portUsed lists the rules of the family that match proto on some port of
// the runs, ordered by the first such port, then by rule order: the first
// is the rule a finding points at.
func (o *opening) portUsed(proto vpc.Protocol, runs [][2]int32) []*vpc.Rule {
	type hit struct {
		r     *vpc.Rule
		first int32
	}
	var hits []hit
	for _, p := range o.rs {
		r := p.r
		if !p.hasFamily(o.f) || r.Protocol != vpc.ProtoAll && r.Protocol != proto {
			continue
		}
		lo, hi := r.FromPort, r.ToPort
		if r.Protocol == vpc.ProtoAll {
			lo, hi = 0, 65535
		}
		first := int32(-1)
		for _, run := range runs {
			if lo <= run[1] && run[0] <= hi {
				first = max(lo, run[0])
				break
			}
		}
		if first >= 0 {
			hits = append(hits, hit{r, first})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return int(a.first - b.first) })
	out := make([]*vpc.Rule, len(hits))
	for i, h := range hits {
		out[i] = h.r
	}
	return out
}

// protoUsed lists the rules of the family matching a protocol without
// ports, in rule order.
func (o *opening) protoUsed(proto vpc.Protocol) []*vpc.Rule {
	var out []*vpc.Rule
	for _, p := range o.rs {
		if p.hasFamily(o.f) && (p.r.Protocol == vpc.ProtoAll || p.r.Protocol == proto) {
			out = append(out, p.r)
		}
	}
	return out
}

// allPorts reports whether every port of proto is open, and which rules
// open it.
func (o *opening) allPorts(proto vpc.Protocol) (bool, []*vpc.Rule) {
	runs := o.ports(proto, 0, 65535)
	if len(runs) != 1 || runs[0] != [2]int32{0, 65535} {
		return false, nil
	}
	return true, o.portUsed(proto, runs)
}

// firstOpen reports the first port of from..to open, and the rules that
// open it.
func (o *opening) firstOpen(proto vpc.Protocol, from, to int32) (bool, int32, []*vpc.Rule) {
	runs := o.ports(proto, from, to)
	if len(runs) == 0 {
		return false, 0, nil
	}
	pt := runs[0][0]
	return true, pt, o.portUsed(proto, [][2]int32{{pt, pt}})
}

// space is an opening as messages describe it: all traffic, or TCP and
// UDP port runs and the other protocols named by rules. ICMP is left out
// of the description.
type space struct {
	all    bool
	region netspace.Set
	others []vpc.Protocol // open protocols without ports, in rule order
}

// space describes the opening and lists the rules behind it.
func (o *opening) space() (space, []*vpc.Rule) {
	if o.all {
		return space{all: true, region: o.region}, o.allUsed()
	}
	sp := space{region: o.region}
	var used []*vpc.Rule
	for _, proto := range []vpc.Protocol{vpc.ProtoTCP, vpc.ProtoUDP} {
		if runs := o.ports(proto, 0, 65535); len(runs) > 0 {
			used = append(used, o.portUsed(proto, runs)...)
		}
	}
	for _, p := range o.rs {
		pr := p.r.Protocol
		if pr == vpc.ProtoAll || pr.HasPorts() || pr.IsICMP() || slices.Contains(sp.others, pr) {
			continue
		}
		if o.openProto(pr) {
			sp.others = append(sp.others, pr)
			used = append(used, o.protoUsed(pr)...)
		}
	}
	return sp, used
}

// minus is what a opens that b does not. All traffic less anything short
// of all traffic is still described as all traffic.
func (a space) minus(b space) space {
	switch {
	case b.all:
		return space{}
	case a.all:
		return a
	}
	out := space{region: a.region.Subtract(b.region)}
	for _, pr := range a.others {
		if !slices.Contains(b.others, pr) {
			out.others = append(out.others, pr)
		}
	}
	return out
}

func (sp space) parts() []string {
	if sp.all {
		return []string{"all traffic"}
	}
	var parts []string
	for _, proto := range []vpc.Protocol{vpc.ProtoTCP, vpc.ProtoUDP} {
		for _, run := range sp.region.PortRuns(uint8(proto)) {
			parts = append(parts, proto.String()+" "+vpc.PortText(proto, int32(run[0]), int32(run[1])))
		}
	}
	for _, pr := range sp.others {
		parts = append(parts, "protocol "+pr.String())
	}
	return parts
}

func (sp space) empty() bool { return len(sp.parts()) == 0 }

func spaceText(sp space) string { return joinAnd(sp.parts()) }
