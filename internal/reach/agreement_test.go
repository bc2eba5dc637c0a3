package reach_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/reach"
	"github.com/walls-dev/walls/internal/vpc"
)

// TestCommandsAgree holds check, audit and the shared policy (the
// semantics learn's direction reasoning uses) to one verdict over random
// VPCs: subnets with network ACLs whose allow and deny entries come in
// random order, security groups with CIDR and group peers, and interfaces
// carrying them. For random tcp and udp packets between interfaces:
//
//   - reach.Run's verdict is what the compiled sets say: policy.Admission
//     for the security groups, policy.NACLSet for each NACL direction the
//     request crosses, and, for the return path, the reply allowed on every
//     port of the default client range;
//   - where the request passes and a reply is denied, audit reports
//     WALLS-NACL-002 for every rule of the client's (or the server's) groups
//     that admits the connection, naming the subnet;
//   - every WALLS-NACL-002 finding's example is a reply its NACL denies.
func TestCommandsAgree(t *testing.T) {
	const worlds, packets = 200, 100
	var denied, returnDenied, allowed int
	for seed := uint64(1); seed <= worlds; seed++ {
		g := &agen{rng: rand.New(rand.NewPCG(seed, 11))}
		inv := g.world()
		rep := audit.Run(inv, audit.Options{Checks: []string{"WALLS-NACL-002"}})
		findings := map[string][]audit.Finding{} // rule ref -> findings
		for _, f := range rep.Findings {
			if f.CheckID != "WALLS-NACL-002" {
				continue
			}
			findings[f.RuleRef] = append(findings[f.RuleRef], f)
			checkExample(t, seed, inv, f)
		}
		adm := policy.NewAdmission(inv)
		ix := inv.Index()
		type dirKey struct {
			n      *vpc.NACL
			egress bool
		}
		compiled := map[dirKey]netspace.Set{} // each NACL direction compiled once per world
		naclSet := func(n *vpc.NACL, egress bool) netspace.Set {
			k := dirKey{n, egress}
			s, ok := compiled[k]
			if !ok {
				s = policy.NACLSet(n, egress)
				compiled[k] = s
			}
			return s
		}
		for range packets {
			src, dst := g.pick(), g.pick()
			if src == dst {
				continue
			}
			proto := []vpc.Protocol{vpc.ProtoTCP, vpc.ProtoUDP}[g.rng.IntN(2)]
			port := g.port()
			req := reach.Request{From: src.ID, To: dst.ID, Protocol: proto, Port: port, ICMPType: -1, ICMPCode: -1}
			c, err := reach.Run(inv, req)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			sa, da := src.PrivateIPs[0], dst.PrivateIPs[0]
			what := fmt.Sprintf("seed %d: %s (%s, %s) -> %s (%s, %s) %s/%d", seed, src.ID, sa, src.SubnetID, dst.ID, da, dst.SubnetID, proto, port)

			// The compiled verdict.
			sgOK := adm.MayStart(src, sa, dst, da, uint8(proto), uint16(port), uint16(port))
			fwd, ret := true, true
			var srcN, dstN *vpc.NACL
			retSrcOK, retDstOK := true, true
			if src.SubnetID != dst.SubnetID {
				srcN, dstN = ix.NACLForSubnet(src.SubnetID, "vpc-1"), ix.NACLForSubnet(dst.SubnetID, "vpc-1")
				fwd = naclSet(srcN, true).Contains(policy.Packet(uint8(proto), uint16(port), da)) &&
					naclSet(dstN, false).Contains(policy.Packet(uint8(proto), uint16(port), sa))
				retDstOK = repliesPass(naclSet(dstN, true), proto, sa)
				retSrcOK = repliesPass(naclSet(srcN, false), proto, da)
				ret = retDstOK && retSrcOK
				// The per-packet evaluation agrees with the compiled set.
				_, ev := policy.NACLEvaluate(srcN, true, policy.RulePacket(proto, port, 0, 0, da))
				if ev != naclSet(srcN, true).Contains(policy.Packet(uint8(proto), uint16(port), da)) {
					t.Errorf("%s: %s outbound: Evaluate says %v, NACLSet disagrees", what, srcN.ID, ev)
				}
			}
			want := reach.Denied
			if sgOK && fwd && ret {
				want = reach.Allowed
			}
			if c.Verdict != want {
				t.Errorf("%s: check says %s, the compiled policy says %s (sg %v, nacl forward %v, return %v)\n%s", what, c.Verdict, want, sgOK, fwd, ret, traceText(c))
				continue
			}
			switch {
			case want == reach.Allowed:
				allowed++
			case sgOK && fwd:
				returnDenied++
			default:
				denied++
			}
			if !sgOK || !fwd || ret {
				continue
			}
			// Audit must report every admitting rule whose side's NACL
			// denies the replies, in that side's subnet.
			if !retSrcOK {
				for _, r := range admitting(inv, src, true, proto, port, da) {
					if !reported(findings[r.Ref()], srcN.ID, src.SubnetID) {
						t.Errorf("%s: replies denied by %s inbound, but audit reports no WALLS-NACL-002 for %s in %s", what, srcN.ID, r.Ref(), src.SubnetID)
					}
				}
			}
			if !retDstOK {
				for _, r := range admitting(inv, dst, false, proto, port, sa) {
					if !reported(findings[r.Ref()], dstN.ID, dst.SubnetID) {
						t.Errorf("%s: replies denied by %s outbound, but audit reports no WALLS-NACL-002 for %s in %s", what, dstN.ID, r.Ref(), dst.SubnetID)
					}
				}
			}
		}
	}
	// The generator must exercise every outcome, or the test proves little.
	if allowed == 0 || denied == 0 || returnDenied == 0 {
		t.Fatalf("outcomes: %d allowed, %d denied on the way, %d denied on the return path; want some of each", allowed, denied, returnDenied)
	}
	t.Logf("%d allowed, %d denied on the way, %d denied on the return path", allowed, denied, returnDenied)
}

// repliesPass reports whether a NACL direction, compiled, allows replies
// from or to peer on every port of the default client range.
func repliesPass(dir netspace.Set, proto vpc.Protocol, peer netip.Addr) bool {
	var b netipx.IPSetBuilder
	b.Add(peer)
	addrs, _ := b.IPSet()
	cp := policy.DefaultClientPorts
	want, err := netspace.RuleSet(int(proto), cp.From, cp.To, addrs)
	if err != nil {
		panic(err)
	}
	return want.Subset(dir)
}

// admitting lists the rules of eni's groups (egress or ingress) that match
// the packet to or from peer.
func admitting(inv *vpc.Inventory, eni *vpc.Interface, egress bool, proto vpc.Protocol, port int32, peer netip.Addr) []*vpc.Rule {
	var out []*vpc.Rule
	for _, gid := range eni.GroupIDs {
		rules := inv.Groups[gid].Rules(egress)
		for i := range rules {
			r := &rules[i]
			if r.Protocol != vpc.ProtoAll && (r.Protocol != proto || port < r.FromPort || port > r.ToPort) {
				continue
			}
			ps, _ := inv.PeerPrefixes(r.Peer)
			if slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(peer) }) {
				out = append(out, r)
			}
		}
	}
	return out
}

func reported(fs []audit.Finding, nacl, subnet string) bool {
	for _, f := range fs {
		if f.ResourceID == nacl && slices.Contains(f.Related, subnet) {
			return true
		}
	}
	return false
}

var exampleRE = regexp.MustCompile(`denied by (?:(inbound|outbound) entry .*?|the implicit (inbound|outbound) deny \(\*\)) on ports .*? \(for example from (\S+) to port (\d+)\)`)

// checkExample holds a finding's example to the NACL: the reply it names
// is denied, and the address is not a subnet's network address.
func checkExample(t *testing.T, seed uint64, inv *vpc.Inventory, f audit.Finding) {
	t.Helper()
	m := exampleRE.FindStringSubmatch(f.Message)
	if m == nil {
		t.Errorf("seed %d: finding names no example: %s", seed, f.Message)
		return
	}
	dir := m[1] + m[2]
	a := netip.MustParseAddr(m[3])
	p, _ := strconv.Atoi(m[4])
	n := inv.NACLs[f.ResourceID]
	// The example is a reply of one of the protocols the finding names.
	_, tcpOK := policy.NACLEvaluate(n, dir == "outbound", policy.RulePacket(vpc.ProtoTCP, int32(p), 0, 0, a))
	_, udpOK := policy.NACLEvaluate(n, dir == "outbound", policy.RulePacket(vpc.ProtoUDP, int32(p), 0, 0, a))
	if tcpOK && udpOK {
		t.Errorf("seed %d: the example reply from %s to port %d passes %s %s: %s", seed, a, p, n.ID, dir, f.Message)
	}
	for _, sn := range inv.Subnets {
		if sn.CIDR.Addr() == a {
			t.Errorf("seed %d: the example host %s is %s's network address: %s", seed, a, sn.ID, f.Message)
		}
	}
}

func traceText(c *reach.Check) string {
	s := ""
	for _, tr := range c.Traces {
		for _, h := range tr.Hops {
			s += fmt.Sprintf("  %s %s: %s\n", h.Step, h.Result, h.Reason)
		}
	}
	return s
}

// agen generates random VPCs in 10.0.0.0/16.
type agen struct {
	rng  *rand.Rand
	enis []*vpc.Interface
}

func (g *agen) pick() *vpc.Interface { return g.enis[g.rng.IntN(len(g.enis))] }

// ports the rules and packets draw from: service ports and the edges of
// the client ranges, so that entries cut the ranges in interesting places.
var agreePorts = []int32{22, 80, 443, 1024, 3306, 5432, 8080, 32767, 32768, 49151, 49152, 60999, 61000, 65535}

func (g *agen) port() int32 { return agreePorts[g.rng.IntN(len(agreePorts))] }

func (g *agen) portRange() (int32, int32) {
	switch g.rng.IntN(6) {
	case 0:
		return 1024, 65535
	case 1:
		return 32768, 60999
	case 2:
		return 32768, 65535
	case 3:
		return 49152, 65535
	}
	a, b := g.port(), g.port()
	return min(a, b), max(a, b)
}

func (g *agen) proto() vpc.Protocol {
	switch g.rng.IntN(5) {
	case 0:
		return vpc.ProtoAll
	case 1:
		return vpc.ProtoUDP
	}
	return vpc.ProtoTCP
}

func (g *agen) world() *vpc.Inventory {
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}
	nsub := 2 + g.rng.IntN(3)
	var subnets []*vpc.Subnet
	for i := range nsub {
		s := &vpc.Subnet{ID: fmt.Sprintf("subnet-%d", i), VpcID: "vpc-1", CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i), 0}), 24)}
		inv.Subnets[s.ID] = s
		subnets = append(subnets, s)
	}
	cidrs := []string{"0.0.0.0/0", "10.0.0.0/16", "10.0.0.0/23", "10.0.2.0/23", "192.0.2.0/24"}
	for _, s := range subnets {
		cidrs = append(cidrs, s.CIDR.String())
	}
	cidr := func() netip.Prefix { return netip.MustParsePrefix(cidrs[g.rng.IntN(len(cidrs))]) }

	// Network ACLs: the default one and up to two more, entries shuffled
	// before sorting, as any input may list them.
	nacls := []*vpc.NACL{}
	for i := range 1 + g.rng.IntN(3) {
		n := &vpc.NACL{ID: fmt.Sprintf("acl-%d", i), VpcID: "vpc-1", IsDefault: i == 0}
		for _, egress := range []bool{false, true} {
			var es []vpc.NACLEntry
			used := map[int]bool{}
			for range 1 + g.rng.IntN(5) {
				num := 10 * (1 + g.rng.IntN(20))
				if used[num] {
					continue
				}
				used[num] = true
				e := vpc.NACLEntry{RuleNumber: num, Egress: egress, Allow: g.rng.IntN(3) > 0, Protocol: g.proto(), Prefix: cidr(), ICMPType: -1, ICMPCode: -1}
				if e.Protocol.HasPorts() {
					e.FromPort, e.ToPort = g.portRange()
				} else {
					e.FromPort, e.ToPort = 0, 65535
				}
				es = append(es, e)
			}
			if g.rng.IntN(2) == 0 { // a wide allow late, for the earlier entries to carve
				es = append(es, vpc.NACLEntry{RuleNumber: 300, Egress: egress, Allow: true, Protocol: vpc.ProtoAll, Prefix: netip.MustParsePrefix("10.0.0.0/16"), FromPort: 0, ToPort: 65535, ICMPType: -1, ICMPCode: -1})
			}
			es = append(es, vpc.NACLEntry{RuleNumber: 32767, Egress: egress, Protocol: vpc.ProtoAll, Prefix: netip.MustParsePrefix("0.0.0.0/0"), FromPort: 0, ToPort: 65535, ICMPType: -1, ICMPCode: -1})
			g.rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
			if egress {
				n.Outbound = es
			} else {
				n.Inbound = es
			}
		}
		n.SortEntries()
		nacls = append(nacls, n)
		inv.NACLs[n.ID] = n
	}
	for _, s := range subnets {
		if n := nacls[g.rng.IntN(len(nacls))]; !n.IsDefault {
			n.SubnetIDs = append(n.SubnetIDs, s.ID)
		}
	}

	// Security groups with CIDR and group peers.
	ngroups := 2 + g.rng.IntN(3)
	for i := range ngroups {
		id := fmt.Sprintf("sg-%d", i)
		sg := &vpc.SecurityGroup{ID: id, VpcID: "vpc-1", RulesKnown: true}
		for _, egress := range []bool{false, true} {
			var rules []vpc.Rule
			for j := range g.rng.IntN(4) {
				r := vpc.Rule{GroupID: id, Index: j, Egress: egress, Protocol: g.proto()}
				if r.Protocol.HasPorts() {
					r.FromPort, r.ToPort = g.portRange()
					if g.rng.IntN(2) == 0 {
						p := g.port()
						r.FromPort, r.ToPort = p, p
					}
				} else {
					r.FromPort, r.ToPort = -1, -1
				}
				if g.rng.IntN(3) == 0 {
					r.Peer = vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: fmt.Sprintf("sg-%d", g.rng.IntN(ngroups))}}
				} else {
					r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: cidr()}
				}
				rules = append(rules, r)
			}
			if g.rng.IntN(2) == 0 {
				rules = append(rules, vpc.Rule{GroupID: id, Index: len(rules), Egress: egress, Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1,
					Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix("10.0.0.0/16")}})
			}
			if egress {
				sg.Egress = rules
			} else {
				sg.Ingress = rules
			}
		}
		inv.Groups[id] = sg
	}

	// Interfaces: one address each, one or two groups.
	g.enis = nil
	for i := range 4 + g.rng.IntN(5) {
		s := subnets[g.rng.IntN(len(subnets))]
		a := s.CIDR.Addr().As4()
		a[3] = byte(10 + i)
		e := &vpc.Interface{ID: fmt.Sprintf("eni-%d", i), Type: "interface", Status: "in-use", SubnetID: s.ID, VpcID: "vpc-1",
			GroupIDs: []string{fmt.Sprintf("sg-%d", g.rng.IntN(ngroups))}, PrivateIPs: []netip.Addr{netip.AddrFrom4(a)}}
		if g.rng.IntN(3) == 0 {
			if other := fmt.Sprintf("sg-%d", g.rng.IntN(ngroups)); other != e.GroupIDs[0] {
				e.GroupIDs = append(e.GroupIDs, other)
			}
		}
		inv.Interfaces[e.ID] = e
		g.enis = append(g.enis, e)
	}
	return inv
}
