package audit

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// entryMatches reports whether entry e matches packets of proto with
// destination port port (tcp, udp) from or to some address of its prefix:
// membership in the entry's compiled set, at an address the entry covers.
func entryMatches(e *vpc.NACLEntry, proto vpc.Protocol, port int32) bool {
	return e.Prefix.IsValid() && policy.NACLEntryMatches(e, policy.RulePacket(proto, port, 0, 0, e.Prefix.Addr()))
}

type naclKey struct {
	id     string
	egress bool
	proto  vpc.Protocol
	port   int32
	f      family
}

type dirKey struct {
	id     string
	egress bool
}

// naclSets computes, with a cache, the addresses a NACL direction allows
// for one protocol and port, from the direction compiled once with
// first-match semantics (policy.NACLSet).
type naclSets struct {
	hosts []netip.Addr // the inventory's interface addresses, sorted (for examples)
	dirs  map[dirKey]netspace.Set
	cache map[naclKey]*netipx.IPSet
	full  map[fullKey]bool
	// judged keeps judge's answer per connection class and client subnet:
	// it depends on nothing else, and groups sharing rules and subnets
	// ask it again and again.
	judged map[judgeKey]judgment
}

type judgeKey struct {
	cl     *connClass
	subnet string
}

type judgment struct {
	service, text string
	entry         *EntryJSON
	reached       *netipx.IPSet
	bad           bool
}

func (c *naclSets) allowed(n *vpc.NACL, egress bool, proto vpc.Protocol, port int32, f family) *netipx.IPSet {
	k := naclKey{n.ID, egress, proto, port, f}
	if s, ok := c.cache[k]; ok {
		return s
	}
	dk := dirKey{n.ID, egress}
	dir, ok := c.dirs[dk]
	if !ok {
		dir = policy.NACLSet(n, egress)
		if c.dirs == nil {
			c.dirs = map[dirKey]netspace.Set{}
		}
		c.dirs[dk] = dir
	}
	var b netipx.IPSetBuilder
	b.AddSet(dir.Addrs(uint8(proto), uint16(port)))
	if f == v4 {
		b.RemovePrefix(netip.MustParsePrefix("::/0"))
	} else {
		b.RemovePrefix(netip.MustParsePrefix("0.0.0.0/0"))
	}
	s, _ := b.IPSet()
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

type fullKey struct {
	id     string
	egress bool
	proto  vpc.Protocol
	f      family
}

// returnsAllAllowed reports, with a cache, whether a direction allows every
// address of family f on every port of from..to: then no reply can be
// denied and the connection classes need no computing.
func (c *naclSets) returnsAllAllowed(n *vpc.NACL, egress bool, proto vpc.Protocol, from, to int32, f family) bool {
	k := fullKey{n.ID, egress, proto, f}
	if v, ok := c.full[k]; ok {
		return v
	}
	all := netip.MustParsePrefix("0.0.0.0/0")
	if f == v6 {
		all = netip.MustParsePrefix("::/0")
	}
	v := true
	for _, sg := range c.segments(n, egress, proto, from, to, f) {
		if !sg.set.ContainsPrefix(all) {
			v = false
			break
		}
	}
	if c.full == nil {
		c.full = map[fullKey]bool{}
	}
	c.full[k] = v
	return v
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
// matches (e's set is a subset of the union of theirs, proved with
// netspace), and lists those of them that overlap e.
func shadowedBy(prior []vpc.NACLEntry, e *vpc.NACLEntry) ([]*vpc.NACLEntry, bool) {
	es, ok := policy.NACLEntrySet(e)
	if !ok {
		return nil, false
	}
	var b netspace.Builder
	var by []*vpc.NACLEntry
	for i := range prior {
		p := &prior[i]
		if !p.Prefix.IsValid() || p.Prefix.Addr().Is4() != e.Prefix.Addr().Is4() || !p.Prefix.Overlaps(e.Prefix) {
			continue
		}
		ps, ok := policy.NACLEntrySet(p)
		if !ok || !ps.Overlaps(es) {
			continue
		}
		b.Add(ps)
		by = append(by, p)
	}
	if len(by) == 0 || !es.Subset(b.Set()) {
		return nil, false
	}
	return by, true
}

// connKey identifies one connection class for the return-traffic check,
// independent of the subnet it starts in.
type connKey struct {
	nacl     string
	egress   bool
	proto    vpc.Protocol
	from, to int32
	peer     peerKey
}

// peerKey is a compact, comparable name of a rule's peer.
type peerKey struct {
	pfx netip.Prefix
	id  string
}

func peerKeyOf(p vpc.Peer) peerKey {
	switch p.Kind {
	case vpc.PeerCIDR:
		return peerKey{pfx: p.Prefix}
	case vpc.PeerPrefixList:
		return peerKey{id: p.PrefixListID}
	}
	return peerKey{id: p.Group.UserID + "/" + p.Group.GroupID}
}

// peerSets resolves a rule's peer to address sets per family (IPv4, IPv6),
// without the destinations a NACL never sees; nil for an empty family.
// Group members, blocks and prefix lists are resolved once per peer and
// scan.
func (s *scan) peerSets(r *vpc.Rule) [2]*netipx.IPSet {
	if r.Peer.Kind == vpc.PeerGroup {
		if s.groupSets == nil {
			s.groupSets = map[string][2]*netipx.IPSet{}
		}
		if v, ok := s.groupSets[r.Peer.Group.GroupID]; ok {
			return v
		}
		v := familySets(s.peerAddrs(r))
		s.groupSets[r.Peer.Group.GroupID] = v
		return v
	}
	k := peerKeyOf(r.Peer)
	if v, ok := s.blockSets[k]; ok {
		return v
	}
	if s.blockSets == nil {
		s.blockSets = map[peerKey][2]*netipx.IPSet{}
	}
	v := familySets(s.peerAddrs(r))
	s.blockSets[k] = v
	return v
}

func familySets(ps []netip.Prefix) [2]*netipx.IPSet {
	var out [2]*netipx.IPSet
	for fi, f := range []family{v4, v6} {
		var b netipx.IPSetBuilder
		n := 0
		for _, p := range ps {
			if famOf(p) == f {
				b.AddPrefix(p)
				n++
			}
		}
		if n == 0 {
			continue
		}
		set, _ := b.IPSet()
		overlaps := false
		for _, l := range notNACLFiltered() {
			overlaps = overlaps || set.OverlapsPrefix(l)
		}
		if overlaps {
			for _, l := range notNACLFiltered() {
				b.RemovePrefix(l)
			}
			set, _ = b.IPSet()
		}
		if len(set.Ranges()) > 0 {
			out[fi] = set
		}
	}
	return out
}

// connClass is what a NACL does to one connection class, before the
// client's own subnet is taken out (traffic inside it is not filtered):
// per service-port segment the peer addresses a request reaches, and per
// ephemeral-port segment the reached addresses whose replies are denied.
type connClass struct {
	f      family
	req    []reqSeg
	miss   []missSeg
	nacl   *vpc.NACL
	egress bool
	proto  vpc.Protocol
}

type reqSeg struct {
	ports string
	entry string // rule label of the allowing entry
	set   *netipx.IPSet
}

type missSeg struct {
	from, to int32
	set      *netipx.IPSet
}

// outside reports whether set has an address outside the local prefixes,
// and returns one (a public one when it can).
func outside(set *netipx.IPSet, local []netip.Prefix, f family) (netip.Addr, bool) {
	a := sampleAddr(set, f)
	in := false
	for _, l := range local {
		in = in || l.Contains(a)
	}
	if !in {
		return a, true
	}
	var b netipx.IPSetBuilder
	b.AddSet(set)
	for _, l := range local {
		b.RemovePrefix(l)
	}
	rest, _ := b.IPSet()
	if len(rest.Ranges()) == 0 {
		return netip.Addr{}, false
	}
	return sampleAddr(rest, f), true
}

// coveredBy reports cheaply whether every range of set lies in one prefix
// of local (the common case is a set with no overlap at all).
func within(set *netipx.IPSet, local []netip.Prefix) bool {
	for _, r := range set.Ranges() {
		in := false
		for _, l := range local {
			if l.Contains(r.From()) && l.Contains(r.To()) {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// checkNACLReturn: WALLS-NACL-002. For each subnet holding interfaces, and
// each tcp or udp rule of their groups (all-traffic rules count as every tcp
// and udp port): the requests the SG rule and the subnet's NACL let through,
// and whether the NACL lets every reply back on the client's ephemeral ports.
// Connections inside one subnet are not NACL-filtered and are left out. One
// finding per NACL and rule names the subnets where it bites.
func checkNACLReturn(s *scan) {
	c := naclSets{hosts: interfaceAddrs(s.ix), judged: map[judgeKey]judgment{}}
	classes := map[connKey][]*connClass{}
	for _, gid := range s.inv.SortedGroupIDs() {
		g := s.inv.Groups[gid]
		members := s.ix.Members[gid]
		if g == nil || !g.RulesKnown || len(members) == 0 {
			continue
		}
		// The member interfaces' subnets, grouped by the NACL that governs them.
		subnetVPC := map[string]string{}
		for _, e := range members {
			if e.SubnetID != "" {
				subnetVPC[e.SubnetID] = e.VpcID
			}
		}
		subnets := make([]string, 0, len(subnetVPC))
		for sn := range subnetVPC {
			subnets = append(subnets, sn)
		}
		slices.Sort(subnets)
		var nacls []*vpc.NACL
		byNACL := map[*vpc.NACL][]string{}
		for _, sn := range subnets {
			n := s.ix.NACLForSubnet(sn, subnetVPC[sn])
			if n == nil {
				continue
			}
			if _, ok := byNACL[n]; !ok {
				nacls = append(nacls, n)
			}
			byNACL[n] = append(byNACL[n], sn)
		}
		for _, n := range nacls {
			for _, egress := range []bool{true, false} {
				rules := g.Rules(egress)
				for i := range rules {
					s.returnFinding(&c, classes, n, byNACL[n], g, &rules[i])
				}
			}
		}
	}
}

// returnFinding judges one rule of group g in the subnets governed by n and
// records a finding naming the subnets where replies are denied.
func (s *scan) returnFinding(c *naclSets, classes map[connKey][]*connClass, n *vpc.NACL, subnets []string, g *vpc.SecurityGroup, r *vpc.Rule) {
	protos := []vpc.Protocol{r.Protocol}
	from, to := r.FromPort, r.ToPort
	if r.Protocol == vpc.ProtoAll {
		protos = []vpc.Protocol{vpc.ProtoTCP, vpc.ProtoUDP}
		from, to = 0, 65535
	}
	var perProto [][]*connClass
	var live []vpc.Protocol
	var dsts [2]*netipx.IPSet
	resolved := false
	for _, proto := range protos {
		if !proto.HasPorts() {
			continue
		}
		all4 := c.returnsAllAllowed(n, !r.Egress, proto, s.opts.EphemeralFrom, s.opts.EphemeralTo, v4)
		all6 := c.returnsAllAllowed(n, !r.Egress, proto, s.opts.EphemeralFrom, s.opts.EphemeralTo, v6)
		if all4 && all6 || all4 && r.Peer.Kind == vpc.PeerCIDR && r.Peer.Prefix.Addr().Is4() ||
			all6 && r.Peer.Kind == vpc.PeerCIDR && r.Peer.Prefix.Addr().Is6() {
			continue // every reply the peer could send passes
		}
		k := connKey{n.ID, r.Egress, proto, from, to, peerKeyOf(r.Peer)}
		cls, ok := classes[k]
		if !ok {
			if !resolved {
				dsts, resolved = s.peerSets(r), true
			}
			cls = s.connClasses(c, n, r.Egress, proto, from, to, dsts)
			classes[k] = cls
		}
		if len(cls) > 0 {
			perProto = append(perProto, cls)
			live = append(live, proto)
		}
	}
	if len(live) == 0 {
		return
	}
	var hitSubnets, parts []string
	var text string
	var entry *EntryJSON
	hitFam := map[family]bool{}     // the families whose replies are denied
	var reached netipx.IPSetBuilder // the peers the requests reach
	var hitLocal []netip.Prefix     // the client subnets where replies are denied
	for _, sn := range subnets {
		var local []netip.Prefix
		if x := s.inv.Subnets[sn]; x != nil {
			if x.CIDR.IsValid() {
				local = append(local, x.CIDR)
			}
			local = append(local, x.IPv6CIDRs...)
		}
		has4, has6 := s.memberFamilies(g.ID, sn)
		hit := false
		for pi, cls := range perProto {
			for _, cl := range cls {
				if cl.f == v4 && !has4 || cl.f == v6 && !has6 {
					continue // no member here has an address of the family: no such connection
				}
				jk := judgeKey{cl, sn}
				j, ok := c.judged[jk]
				if !ok {
					j.service, j.text, j.entry, j.reached, j.bad = s.judge(c, cl, local)
					c.judged[jk] = j
				}
				svc, txt, ej, rs, bad := j.service, j.text, j.entry, j.reached, j.bad
				if !bad {
					continue
				}
				reached.AddSet(rs)
				hitLocal = append(hitLocal, local...)
				hit = true
				hitFam[cl.f] = true
				if text == "" {
					text, entry = txt, ej
				}
				if len(hitSubnets) == 0 {
					parts = appendOnce(parts, live[pi].String()+" "+svc)
				}
				break
			}
		}
		if hit {
			hitSubnets = append(hitSubnets, sn)
		}
	}
	if len(hitSubnets) == 0 {
		return
	}
	var enis []*vpc.Interface
	for _, sn := range hitSubnets {
		for _, e := range s.membersIn(g.ID, sn) {
			e4 := len(e.PrivateIPs)+len(e.IPv4Prefixes) > 0
			e6 := len(e.IPv6s)+len(e.IPv6Prefixes) > 0
			if !e4 && !e6 || hitFam[v4] && e4 || hitFam[v6] && e6 {
				enis = append(enis, e) // only those that can make the connection
			}
		}
	}
	s.add(Finding{
		ResourceID: n.ID, Entry: entry, Rule: ruleJSON(r), RuleRef: r.Ref(),
		Location: orLoc(locationOf(r.Source), locationOf(n.Source)),
		Message:  s.returnMessage(r, g, s.peerText(r, &reached, hitLocal), hitSubnets, enis, parts, text),
		Related:  append([]string{g.ID, r.Ref()}, hitSubnets...),
		key:      g.ID + "|" + ruleKey(r),
	})
}

func (s *scan) returnMessage(r *vpc.Rule, g *vpc.SecurityGroup, peer string, subnets []string, enis []*vpc.Interface, parts []string, text string) string {
	return fmt.Sprintf("Connections %s on %s are allowed by rule %s (%s) and by %s.",
		connDir(r.Egress, peer, g.ID, joinAnd(limit(subnets, 3)), eniList(enis)),
		joinAnd(parts), r.Ref(), r.String(), text)
}

// peerText names the peers of the connections: the rule's peer when the
// NACL lets requests reach all of its addresses a NACL filters, else the
// ranges it does let them reach outside the client subnets (an entry for
// one subnet narrows a rule to 0.0.0.0/0 to that subnet).
func (s *scan) peerText(r *vpc.Rule, reached *netipx.IPSetBuilder, local []netip.Prefix) string {
	got, _ := reached.IPSet()
	all := true
	for _, p := range s.peerSets(r) {
		if p != nil && !subsetOf(p, got) {
			all = false
		}
	}
	if all {
		return r.Peer.String()
	}
	for _, l := range local { // connections inside a client subnet cross no NACL
		reached.RemovePrefix(l)
	}
	got, _ = reached.IPSet()
	var names []string
	for _, p := range got.Prefixes() {
		names = append(names, p.String())
	}
	return joinAnd(limitRanges(names, 3))
}

func subsetOf(a, b *netipx.IPSet) bool {
	for _, r := range a.Ranges() {
		if !b.ContainsRange(r) {
			return false
		}
	}
	return true
}

func limitRanges(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(append([]string{}, xs[:n]...), fmt.Sprintf("%d more ranges", len(xs)-n))
}

func limit(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(append([]string{}, xs[:n]...), fmt.Sprintf("%d more subnets", len(xs)-n))
}

func orLoc(a, b *Location) *Location {
	if a != nil {
		return a
	}
	return b
}

func connDir(egress bool, peer, group, subnets, enis string) string {
	own := fmt.Sprintf("%s's interfaces in %s (%s)", group, subnets, enis)
	if egress {
		return "from " + own + " to " + peer
	}
	return "from " + peer + " to " + own
}

// memberFamilies reports which address families the group's interfaces in
// subnet can use: those of their addresses; an interface whose addresses
// are not known (IaC that leaves them to AWS) may use either.
func (s *scan) memberFamilies(group, subnet string) (v4, v6 bool) {
	for _, e := range s.membersIn(group, subnet) {
		e4 := len(e.PrivateIPs)+len(e.IPv4Prefixes) > 0
		e6 := len(e.IPv6s)+len(e.IPv6Prefixes) > 0
		if !e4 && !e6 {
			return true, true
		}
		v4, v6 = v4 || e4, v6 || e6
	}
	return v4, v6
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

// peerAddrs resolves a rule's peer to prefixes exactly (policy.PeerAddrs):
// the CIDR, the prefix list's entries, or the private addresses of the
// referenced group's members; what cannot be resolved reaches nothing
// here, as NACL-002 reports only traps it can show.
func (s *scan) peerAddrs(r *vpc.Rule) []netip.Prefix {
	ps, _ := policy.PeerAddrs(s.inv, r.Peer)
	return ps
}

// connClasses computes, per address family, what NACL n does to requests
// of proto from..to to peer and to their replies; nil when nothing of it is
// a trap anywhere (no request passes, or every reply does).
func (s *scan) connClasses(c *naclSets, n *vpc.NACL, egress bool, proto vpc.Protocol, from, to int32, dsts [2]*netipx.IPSet) []*connClass {
	var out []*connClass
	for fi, f := range []family{v4, v6} {
		dst := dsts[fi]
		if dst == nil || c.returnsAllAllowed(n, !egress, proto, s.opts.EphemeralFrom, s.opts.EphemeralTo, f) {
			continue // no such destination, or every reply passes
		}
		cl := &connClass{f: f, nacl: n, egress: egress, proto: proto}
		var reach netipx.IPSetBuilder
		for _, sg := range c.segments(n, egress, proto, from, to, f) {
			var b netipx.IPSetBuilder
			b.AddSet(sg.set)
			b.Intersect(dst)
			x, _ := b.IPSet()
			if len(x.Ranges()) == 0 {
				continue
			}
			reach.AddSet(x)
			label := ""
			if e := firstAllow(n, egress, proto, sg.from, f); e != nil {
				label = e.RuleLabel()
			}
			cl.req = append(cl.req, reqSeg{ports: vpc.PortText(proto, sg.from, sg.to), entry: label, set: x})
		}
		req, _ := reach.IPSet()
		if len(req.Ranges()) == 0 {
			continue
		}
		for _, sg := range c.segments(n, !egress, proto, s.opts.EphemeralFrom, s.opts.EphemeralTo, f) {
			var b netipx.IPSetBuilder
			b.AddSet(req)
			b.RemoveSet(sg.set)
			miss, _ := b.IPSet()
			if len(miss.Ranges()) > 0 {
				cl.miss = append(cl.miss, missSeg{sg.from, sg.to, miss})
			}
		}
		if len(cl.miss) > 0 {
			out = append(out, cl)
		}
	}
	return out
}

// judge applies a connection class to one client subnet: requests to
// addresses inside it, and their replies, never cross the NACL.
func (s *scan) judge(c *naclSets, cl *connClass, local []netip.Prefix) (service, text string, ej *EntryJSON, reached *netipx.IPSet, bad bool) {
	var svc, nums []string
	var rb netipx.IPSetBuilder
	for _, rq := range cl.req {
		if len(local) > 0 && within(rq.set, local) {
			continue
		}
		rb.AddSet(rq.set)
		svc = append(svc, rq.ports)
		if rq.entry != "" {
			nums = appendOnce(nums, rq.entry)
		}
	}
	if len(svc) == 0 {
		return "", "", nil, nil, false
	}
	reached, _ = rb.IPSet()
	var runs [][2]int32 // blocked port runs, adjacent ones joined
	var sample netip.Addr
	var samplePort int32
	for _, m := range cl.miss {
		a, ok := c.exampleHost(m.set, local, cl.f, s.inv)
		if !ok {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1][1]+1 == m.from {
			runs[n-1][1] = m.to
		} else {
			runs = append(runs, [2]int32{m.from, m.to})
		}
		if !sample.IsValid() {
			sample, samplePort = a, m.from
		}
	}
	if len(runs) == 0 {
		return "", "", nil, nil, false
	}
	blocked := make([]string, len(runs))
	for i, r := range runs {
		blocked[i] = vpc.PortText(cl.proto, r[0], r[1])
	}
	dir := "inbound"
	if !cl.egress {
		dir = "outbound"
	}
	deny, _ := policy.NACLEvaluate(cl.nacl, !cl.egress, policy.RulePacket(cl.proto, samplePort, 0, 0, sample))
	denyText := "the implicit " + dir + " deny (*)"
	if deny != nil {
		denyText = dir + " entry " + deny.String()
		ej = entryJSON(cl.nacl, deny)
	}
	word := "entry"
	if len(nums) > 1 {
		word = "entries"
	}
	text = fmt.Sprintf("%s %s %s %s, but their replies to the client's ephemeral ports (%d-%d assumed) are denied by %s on ports %s (for example from %s to port %d): the connections fail whenever the client picks one of those ports",
		cl.nacl.ID, naclDir(cl.egress), word, joinAnd(nums), s.opts.EphemeralFrom, s.opts.EphemeralTo, denyText, strings.Join(blocked, ", "), sample, samplePort)
	return strings.Join(svc, ", "), text, ej, reached, true
}

// interfaceAddrs lists the inventory's interface addresses, sorted.
func interfaceAddrs(ix *vpc.Index) []netip.Addr {
	out := make([]netip.Addr, 0, len(ix.ByPrivateIP))
	for a := range ix.ByPrivateIP {
		out = append(out, a)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// exampleHost picks an address of set outside the local prefixes to name
// in a message, one a reader can use: a public address when there is one,
// else an interface's address, else an address that is not a subnet's
// network address (nor reads as one).
func (c *naclSets) exampleHost(set *netipx.IPSet, local []netip.Prefix, f family, inv *vpc.Inventory) (netip.Addr, bool) {
	a, ok := outside(set, local, f)
	if !ok {
		return netip.Addr{}, false
	}
	var b netipx.IPSetBuilder
	b.AddSet(set)
	for _, l := range local {
		b.RemovePrefix(l)
	}
	rest, _ := b.IPSet()
	if in4, in6 := internetSets(); in4.Contains(a) || in6.Contains(a) {
		return usable(a, rest), true
	}
	for _, r := range rest.Ranges() {
		i, _ := slices.BinarySearchFunc(c.hosts, r.From(), netip.Addr.Compare)
		if i < len(c.hosts) && r.Contains(c.hosts[i]) {
			return c.hosts[i], true
		}
	}
	for _, sn := range inv.Subnets { // a subnet's network address: its first host AWS assigns
		for _, p := range append([]netip.Prefix{sn.CIDR}, sn.IPv6CIDRs...) {
			if p.IsValid() && p.Addr() == a {
				h := a.Next().Next().Next().Next()
				if rest.Contains(h) {
					return h, true
				}
			}
		}
	}
	return usable(a, rest), true
}

// usable moves a off an address whose host part reads as a network
// address (x.x.x.0, or an IPv6 address ending in :0) when the next one is
// in set.
func usable(a netip.Addr, set *netipx.IPSet) netip.Addr {
	s := a.AsSlice()
	if s[len(s)-1] == 0 && set.Contains(a.Next()) {
		return a.Next()
	}
	return a
}

// sampleAddr picks an address of set to name in a message: a public one
// when there is one (0.0.0.0 reads as a typo), else the first. It
// allocates nothing: this runs once per group, subnet and rule.
func sampleAddr(set *netipx.IPSet, f family) netip.Addr {
	in4, in6 := internetSets()
	in := in4
	if f == v6 {
		in = in6
	}
	rr := set.Ranges()
	irs := in.Ranges()
	for _, r := range rr {
		for _, ir := range irs {
			if !r.Overlaps(ir) {
				continue
			}
			if r.From().Less(ir.From()) {
				return ir.From()
			}
			return r.From()
		}
	}
	if len(rr) == 0 {
		return netip.Addr{}
	}
	return rr[0].From()
}

// notNACLFiltered are destinations whose traffic never crosses a subnet's
// NACL: loopback, link-local (instance metadata, the Amazon DNS and time
// servers, docs/semantics.md#unfiltered), multicast, and the Nitro IPv6 service addresses.
var notNACLFiltered = sync.OnceValue(func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "::1/128", "fe80::/10", "ff00::/8", "fd00:ec2::/64"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
})

// checkNACLSlashZeroTypo: WALLS-NACL-005, WALLS-SG-013 for NACL entries:
// an entry whose block sets address bits under a /0 mask applies to the
// whole internet.
func checkNACLSlashZeroTypo(s *scan) {
	for _, id := range s.inv.SortedNACLIDs() {
		n := s.inv.NACLs[id]
		for _, egress := range []bool{false, true} {
			es := n.Entries(egress)
			for i := range es {
				e := &es[i]
				if e.Written == "" {
					continue
				}
				f := Finding{
					ResourceID: n.ID, Location: locationOf(e.Source), Entry: entryJSON(n, e),
					Message: slashZeroMessage(fmt.Sprintf("%s %s entry %s is written as", n.ID, map[bool]string{false: "inbound", true: "outbound"}[egress], e), e.Written, "applies the entry", e.Prefix),
					key:     dirWord(egress) + "/" + e.RuleLabel(),
				}
				if f.Location == nil {
					f.Location = locationOf(n.Source)
				}
				s.add(f)
			}
		}
	}
}
