package audit

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/vpc"
)

// entryMatches reports whether entry e matches every packet of proto with
// destination port port (tcp, udp) whatever its address; for other
// protocols port is ignored.
func entryMatches(e *vpc.NACLEntry, proto vpc.Protocol, port int32) bool {
	if e.Protocol == vpc.ProtoAll {
		return true
	}
	if e.Protocol != proto {
		return false
	}
	if proto.HasPorts() {
		return e.FromPort <= port && port <= e.ToPort
	}
	return true
}

type naclKey struct {
	id     string
	egress bool
	proto  vpc.Protocol
	port   int32
	f      family
}

// naclSets computes, with a cache, the addresses a NACL direction allows
// for one protocol and port: entries in rule-number order, first match
// decides (§2.1).
type naclSets struct {
	cache map[naclKey]*netipx.IPSet
}

func (c *naclSets) allowed(n *vpc.NACL, egress bool, proto vpc.Protocol, port int32, f family) *netipx.IPSet {
	k := naclKey{n.ID, egress, proto, port, f}
	if s, ok := c.cache[k]; ok {
		return s
	}
	var decided, allowed netipx.IPSetBuilder
	es := n.Entries(egress)
	for i := range es {
		e := &es[i]
		if famOf(e.Prefix) != f || !entryMatches(e, proto, port) {
			continue
		}
		if e.Allow {
			d, _ := decided.IPSet()
			var b netipx.IPSetBuilder
			b.AddPrefix(e.Prefix)
			b.RemoveSet(d)
			x, _ := b.IPSet()
			allowed.AddSet(x)
		}
		decided.AddPrefix(e.Prefix)
		if e.Prefix.Bits() == 0 {
			break // everything of this family is decided
		}
	}
	s, _ := allowed.IPSet()
	if c.cache == nil {
		c.cache = map[naclKey]*netipx.IPSet{}
	}
	c.cache[k] = s
	return s
}

// portSeg is a port range on which a NACL direction allows the same addresses.
type portSeg struct {
	from, to int32
	set      *netipx.IPSet
}

// segments splits from..to where the direction's entries for proto start
// or end, and gives each piece its allowed addresses.
func (c *naclSets) segments(n *vpc.NACL, egress bool, proto vpc.Protocol, from, to int32, f family) []portSeg {
	pts := []int32{from}
	if proto.HasPorts() {
		for _, e := range n.Entries(egress) {
			if e.Protocol != proto {
				continue
			}
			if e.FromPort > from && e.FromPort <= to {
				pts = append(pts, e.FromPort)
			}
			if x := e.ToPort + 1; x > from && x <= to {
				pts = append(pts, x)
			}
		}
	}
	slices.Sort(pts)
	pts = slices.Compact(pts)
	out := make([]portSeg, 0, len(pts))
	for i, p := range pts {
		end := to
		if i+1 < len(pts) {
			end = pts[i+1] - 1
		}
		out = append(out, portSeg{p, end, c.allowed(n, egress, proto, p, f)})
	}
	return out
}

func containsInternet(set *netipx.IPSet, f family) bool {
	in4, in6 := internetSets()
	want := in4
	if f == v6 {
		want = in6
	}
	for _, r := range want.Ranges() {
		if !set.ContainsRange(r) {
			return false
		}
	}
	return true
}

// checkNACLAdminIngress: WALLS-NACL-003.
func checkNACLAdminIngress(s *scan) {
	var c naclSets
	for _, id := range s.inv.SortedNACLIDs() {
		n := s.inv.NACLs[id]
		var labels []string
		var first *vpc.NACLEntry
		for _, p := range NACLAdminPorts() {
			var fams []string
			for _, f := range []family{v4, v6} {
				for _, sg := range c.segments(n, false, p.Protocol, p.From, p.To, f) {
					if containsInternet(sg.set, f) {
						fams = append(fams, f.any())
						if first == nil {
							first = firstAllow(n, false, p.Protocol, sg.from, f)
						}
						break
					}
				}
			}
			if len(fams) > 0 {
				labels = append(labels, p.Label()+" ("+strings.Join(fams, ", ")+")")
			}
		}
		if len(labels) == 0 {
			continue
		}
		f := Finding{
			ResourceID: n.ID, Location: locationOf(n.Source),
			Message: fmt.Sprintf("%s admits traffic from the whole internet to %s.", n.ID, strings.Join(labels, ", ")),
			Related: labels,
			key:     strings.Join(labels, ","),
		}
		if first != nil {
			f.Entry = entryJSON(n, first)
			if l := locationOf(first.Source); l != nil {
				f.Location = l
			}
			f.Message += fmt.Sprintf(" First allowing entry: %s.", first.String())
		}
		s.add(f)
	}
}

func firstAllow(n *vpc.NACL, egress bool, proto vpc.Protocol, port int32, f family) *vpc.NACLEntry {
	es := n.Entries(egress)
	for i := range es {
		if es[i].Allow && famOf(es[i].Prefix) == f && entryMatches(&es[i], proto, port) {
			return &es[i]
		}
	}
	return nil
}

// entryShadows reports whether an earlier entry p matches every packet of
// entry e's protocol/port part that port point pt stands for. It is exact
// for tcp and udp (evaluated at each port where coverage can change) and
// conservative elsewhere: an entry for all protocols or one ICMP type is
// shadowed only by entries that match all of it alone.
func entryShadows(p, e *vpc.NACLEntry, pt int32) bool {
	if p.Protocol == vpc.ProtoAll {
		return true
	}
	if p.Protocol != e.Protocol {
		return false
	}
	switch {
	case e.Protocol.HasPorts():
		return p.FromPort <= pt && pt <= p.ToPort
	case e.Protocol == vpc.ProtoICMP || e.Protocol == vpc.ProtoICMPv6 && e.Prefix.Addr().Is6():
		if p.Protocol == vpc.ProtoICMPv6 && p.Prefix.Addr().Is4() {
			return true
		}
		if p.ICMPType == -1 {
			return true
		}
		if e.ICMPType == -1 || p.ICMPType != e.ICMPType {
			return false
		}
		return p.ICMPCode == -1 || p.ICMPCode == e.ICMPCode
	}
	return true
}

// checkNACLShadowed: WALLS-NACL-001.
func checkNACLShadowed(s *scan) {
	for _, id := range s.inv.SortedNACLIDs() {
		n := s.inv.NACLs[id]
		for _, egress := range []bool{false, true} {
			es := n.Entries(egress)
			for j := range es {
				e := &es[j]
				if e.IsDefaultDeny() || !e.Prefix.IsValid() {
					continue
				}
				by, ok := shadowedBy(es[:j], e)
				if !ok {
					continue
				}
				sev := Low
				verdict := "it changes nothing"
				var nums []string
				for _, p := range by {
					nums = append(nums, p.RuleLabel())
					if p.Allow != e.Allow {
						sev = Medium
						if e.Allow {
							verdict = "the traffic it means to allow is denied"
						} else {
							verdict = "the traffic it means to deny is allowed"
						}
					}
				}
				word := "entry %s decides"
				if len(by) > 1 {
					word = "entries %s decide"
				}
				f := Finding{
					ResourceID: n.ID, Severity: sev, Entry: entryJSON(n, e),
					Location: locationOf(e.Source),
					Message: fmt.Sprintf("%s %s entry %s is never reached: earlier "+word+" all its traffic, so %s.",
						n.ID, naclDir(egress), e.String(), joinAnd(nums), verdict),
					Related: nums,
					key:     naclDir(egress) + "/" + e.RuleLabel(),
				}
				if f.Location == nil {
					f.Location = locationOf(n.Source)
				}
				s.add(f)
			}
		}
	}
}

// shadowedBy reports whether the entries before e decide every packet e
// matches, and lists those of them that overlap e.
func shadowedBy(prior []vpc.NACLEntry, e *vpc.NACLEntry) ([]*vpc.NACLEntry, bool) {
	f := famOf(e.Prefix)
	var cand []*vpc.NACLEntry
	for i := range prior {
		p := &prior[i]
		if famOf(p.Prefix) == f && p.Prefix.Overlaps(e.Prefix) {
			cand = append(cand, p)
		}
	}
	if len(cand) == 0 {
		return nil, false
	}
	pts := []int32{0}
	if e.Protocol.HasPorts() {
		pts = []int32{e.FromPort}
		for _, p := range cand {
			if p.Protocol != e.Protocol {
				continue
			}
			if p.FromPort > e.FromPort && p.FromPort <= e.ToPort {
				pts = append(pts, p.FromPort)
			}
			if x := p.ToPort + 1; x > e.FromPort && x <= e.ToPort {
				pts = append(pts, x)
			}
		}
		slices.Sort(pts)
		pts = slices.Compact(pts)
	}
	used := map[*vpc.NACLEntry]bool{}
	for _, pt := range pts {
		var b netipx.IPSetBuilder
		for _, p := range cand {
			if entryShadows(p, e, pt) {
				b.AddPrefix(p.Prefix)
				used[p] = true
			}
		}
		set, _ := b.IPSet()
		if !set.ContainsPrefix(e.Prefix) {
			return nil, false
		}
	}
	var by []*vpc.NACLEntry
	for _, p := range cand {
		if used[p] {
			by = append(by, p)
		}
	}
	return by, len(by) > 0
}

// connKey identifies one connection class for the return-traffic check.
type connKey struct {
	nacl, subnet string
	egress       bool
	proto        vpc.Protocol
	from, to     int32
	peer         string
}

// checkNACLReturn: WALLS-NACL-002. For each subnet holding interfaces, and
// each tcp or udp rule of their groups (all-traffic rules count as every tcp
// and udp port): the requests the SG rule and the subnet's NACL let through,
// and whether the NACL lets every reply back on the client's ephemeral ports.
// Connections inside one subnet are not NACL-filtered and are left out.
func checkNACLReturn(s *scan) {
	type pair struct{ subnet, vpc, group string }
	pairs := map[pair]bool{}
	for _, id := range s.inv.SortedInterfaceIDs() {
		e := s.inv.Interfaces[id]
		for _, g := range e.GroupIDs {
			pairs[pair{e.SubnetID, e.VpcID, g}] = true
		}
	}
	keys := make([]pair, 0, len(pairs))
	for p := range pairs {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, func(a, b pair) int {
		return strings.Compare(a.subnet+"\x00"+a.group, b.subnet+"\x00"+b.group)
	})
	var c naclSets
	done := map[connKey]*connResult{}
	for _, p := range keys {
		g := s.inv.Groups[p.group]
		if g == nil || !g.RulesKnown || p.subnet == "" {
			continue
		}
		n := s.ix.NACLForSubnet(p.subnet, p.vpc)
		if n == nil {
			continue
		}
		var local []netip.Prefix
		if sn := s.inv.Subnets[p.subnet]; sn != nil {
			if sn.CIDR.IsValid() {
				local = append(local, sn.CIDR)
			}
			local = append(local, sn.IPv6CIDRs...)
		}
		for _, egress := range []bool{true, false} {
			rules := g.Rules(egress)
			for i := range rules {
				r := &rules[i]
				protos := []vpc.Protocol{r.Protocol}
				from, to := r.FromPort, r.ToPort
				if r.Protocol == vpc.ProtoAll {
					protos = []vpc.Protocol{vpc.ProtoTCP, vpc.ProtoUDP}
					from, to = 0, 65535
				}
				var parts []string
				var first *connResult
				for _, proto := range protos {
					if !proto.HasPorts() {
						continue
					}
					k := connKey{n.ID, p.subnet, egress, proto, from, to, r.Peer.String()}
					res, ok := done[k]
					if !ok {
						res = s.returnPath(&c, n, local, egress, proto, from, to, s.peerAddrs(r))
						done[k] = res
					}
					if res == nil {
						continue
					}
					if first == nil {
						first = res
					}
					parts = append(parts, proto.String()+" "+res.service)
				}
				if first == nil {
					continue
				}
				s.add(Finding{
					ResourceID: n.ID, Entry: first.entryJSON, Rule: ruleJSON(r), RuleRef: r.Ref(),
					Location: orLoc(locationOf(r.Source), locationOf(n.Source)),
					Message: fmt.Sprintf("Connections %s on %s are allowed by rule %s (%s) and by %s, but %s.",
						connDir(egress, r.Peer.String(), g.ID, p.subnet, eniList(s.membersIn(g.ID, p.subnet))),
						joinAnd(parts), r.Ref(), r.String(), first.reqEntries, first.returnText),
					Related: []string{g.ID, p.subnet, r.Ref()},
					key:     p.subnet + "|" + ruleKey(r),
				})
			}
		}
	}
}

func orLoc(a, b *Location) *Location {
	if a != nil {
		return a
	}
	return b
}

func connDir(egress bool, peer, group, subnet, enis string) string {
	own := fmt.Sprintf("%s's interfaces in %s (%s)", group, subnet, enis)
	if egress {
		return "from " + own + " to " + peer
	}
	return "from " + peer + " to " + own
}

func (s *scan) membersIn(group, subnet string) []*vpc.Interface {
	var out []*vpc.Interface
	for _, e := range s.ix.Members[group] {
		if e.SubnetID == subnet {
			out = append(out, e)
		}
	}
	return out
}

// peerAddrs resolves a rule's peer to prefixes: the CIDR, the prefix list's
// entries, or the private addresses of the referenced group's members.
func (s *scan) peerAddrs(r *vpc.Rule) []netip.Prefix {
	if r.Peer.Kind == vpc.PeerGroup {
		var out []netip.Prefix
		for _, e := range s.ix.Members[r.Peer.Group.GroupID] {
			for _, a := range e.PrivateAddrs() {
				out = append(out, netip.PrefixFrom(a, a.BitLen()))
			}
		}
		return out
	}
	return peerPrefixes(s.inv, r)
}

type connResult struct {
	service    string // "443" or "80, 443"
	reqEntries string
	returnText string
	entryJSON  *EntryJSON
}

// returnPath evaluates one connection class; nil means no problem (or no
// request gets through at all, which is a consistent denial, not a trap).
func (s *scan) returnPath(c *naclSets, n *vpc.NACL, local []netip.Prefix, egress bool, proto vpc.Protocol, from, to int32, peer []netip.Prefix) *connResult {
	for _, f := range []family{v4, v6} {
		var db netipx.IPSetBuilder
		for _, p := range peer {
			if famOf(p) == f {
				db.AddPrefix(p)
			}
		}
		for _, l := range local {
			db.RemovePrefix(l)
		}
		for _, l := range notNACLFiltered() {
			db.RemovePrefix(l)
		}
		dst, _ := db.IPSet()
		if len(dst.Ranges()) == 0 {
			continue
		}
		// Requests: where the SG rule and the NACL both let them through.
		var reach netipx.IPSetBuilder
		var svc []string
		var reqNums []string
		for _, sg := range c.segments(n, egress, proto, from, to, f) {
			var b netipx.IPSetBuilder
			b.AddSet(sg.set)
			b.Intersect(dst)
			x, _ := b.IPSet()
			if len(x.Ranges()) == 0 {
				continue
			}
			reach.AddSet(x)
			svc = append(svc, vpc.PortText(proto, sg.from, sg.to))
			if e := firstAllow(n, egress, proto, sg.from, f); e != nil {
				reqNums = appendOnce(reqNums, e.RuleLabel())
			}
		}
		req, _ := reach.IPSet()
		if len(req.Ranges()) == 0 {
			continue
		}
		// Replies: every address reached must be let back on every
		// ephemeral port.
		var blocked []string
		var sample netip.Addr
		var samplePort int32
		for _, sg := range c.segments(n, !egress, proto, s.opts.EphemeralFrom, s.opts.EphemeralTo, f) {
			var b netipx.IPSetBuilder
			b.AddSet(req)
			b.RemoveSet(sg.set)
			miss, _ := b.IPSet()
			if rr := miss.Ranges(); len(rr) > 0 {
				blocked = append(blocked, vpc.PortText(proto, sg.from, sg.to))
				if !sample.IsValid() {
					sample, samplePort = sampleAddr(miss, f), sg.from
				}
			}
		}
		if len(blocked) == 0 {
			continue
		}
		dir := "inbound"
		if !egress {
			dir = "outbound"
		}
		deny, _ := n.Evaluate(!egress, proto, sample, samplePort, -1, -1)
		denyText := "the implicit " + dir + " deny (*)"
		var ej *EntryJSON
		if deny != nil {
			denyText = dir + " entry " + deny.String()
			ej = entryJSON(n, deny)
		}
		word := "entry"
		if len(reqNums) > 1 {
			word = "entries"
		}
		return &connResult{
			service:    strings.Join(svc, ", "),
			reqEntries: fmt.Sprintf("%s %s %s %s", n.ID, naclDir(egress), word, joinAnd(reqNums)),
			returnText: fmt.Sprintf("their replies to the client's ephemeral ports (%d-%d assumed) are denied by %s on ports %s (for example from %s to port %d): the connections fail whenever the client picks one of those ports",
				s.opts.EphemeralFrom, s.opts.EphemeralTo, denyText, strings.Join(blocked, ", "), sample, samplePort),
			entryJSON: ej,
		}
	}
	return nil
}

// sampleAddr picks an address of set to name in a message: a public one
// when there is one (0.0.0.0 reads as a typo), else the first.
func sampleAddr(set *netipx.IPSet, f family) netip.Addr {
	in4, in6 := internetSets()
	in := in4
	if f == v6 {
		in = in6
	}
	var b netipx.IPSetBuilder
	b.AddSet(set)
	b.Intersect(in)
	if x, _ := b.IPSet(); len(x.Ranges()) > 0 {
		return x.Ranges()[0].From()
	}
	return set.Ranges()[0].From()
}

// notNACLFiltered are destinations whose traffic never crosses a subnet's
// NACL: loopback, link-local (instance metadata, the Amazon DNS and time
// servers, §2.6), multicast, and the Nitro IPv6 service addresses.
func notNACLFiltered() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1/128", "fe80::/10", "ff00::/8", "fd00:ec2::/64"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}
