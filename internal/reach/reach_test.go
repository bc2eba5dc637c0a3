package reach

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// The test world: VPC 10.0.0.0/16 + 2001:db8:1::/56, subnets a (10.0.1.0/24)
// and b (10.0.2.0/24), c (10.0.3.0/24); interfaces built per case.

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

func cidrRule(egress bool, proto vpc.Protocol, from, to int32, cidr string) vpc.Rule {
	return vpc.Rule{Egress: egress, Protocol: proto, FromPort: from, ToPort: to, Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: pfx(cidr)}}
}

func groupRule(egress bool, proto vpc.Protocol, from, to int32, gid string) vpc.Rule {
	return vpc.Rule{Egress: egress, Protocol: proto, FromPort: from, ToPort: to, Peer: vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: gid}}}
}

func plRule(egress bool, proto vpc.Protocol, from, to int32, pl string) vpc.Rule {
	return vpc.Rule{Egress: egress, Protocol: proto, FromPort: from, ToPort: to, Peer: vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: pl}}
}

func entry(n int, egress, allow bool, proto vpc.Protocol, cidr string, from, to int32) vpc.NACLEntry {
	e := vpc.NACLEntry{RuleNumber: n, Egress: egress, Allow: allow, Protocol: proto, Prefix: pfx(cidr), FromPort: 0, ToPort: 65535, ICMPType: -1, ICMPCode: -1}
	switch {
	case proto.HasPorts():
		e.FromPort, e.ToPort = from, to
	case proto.IsICMP():
		e.ICMPType, e.ICMPCode = from, to
	}
	return e
}

func allowAll(n int, egress bool) vpc.NACLEntry {
	return entry(n, egress, true, vpc.ProtoAll, "0.0.0.0/0", 0, 0)
}

func defaultDeny(egress bool) []vpc.NACLEntry {
	return []vpc.NACLEntry{entry(32767, egress, false, vpc.ProtoAll, "0.0.0.0/0", 0, 0), entry(32768, egress, false, vpc.ProtoAll, "::/0", 0, 0)}
}

type world struct{ inv *vpc.Inventory }

func newWorld() *world {
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{pfx("10.0.0.0/16")}, IPv6CIDRs: []netip.Prefix{pfx("2001:db8:1::/56")}}
	for _, s := range []struct{ id, v4, v6 string }{{"subnet-a", "10.0.1.0/24", "2001:db8:1:1::/64"}, {"subnet-b", "10.0.2.0/24", "2001:db8:1:2::/64"}, {"subnet-c", "10.0.3.0/24", "2001:db8:1:3::/64"}} {
		inv.Subnets[s.id] = &vpc.Subnet{ID: s.id, VpcID: "vpc-1", CIDR: pfx(s.v4), IPv6CIDRs: []netip.Prefix{pfx(s.v6)}}
	}
	// The default NACL allows everything both ways.
	inv.NACLs["acl-default"] = &vpc.NACL{ID: "acl-default", VpcID: "vpc-1", IsDefault: true,
		Inbound:  append([]vpc.NACLEntry{allowAll(100, false), entry(101, false, true, vpc.ProtoAll, "::/0", 0, 0)}, defaultDeny(false)...),
		Outbound: append([]vpc.NACLEntry{allowAll(100, true), entry(101, true, true, vpc.ProtoAll, "::/0", 0, 0)}, defaultDeny(true)...)}
	return &world{inv: inv}
}

func (w *world) sg(id string, ingress, egress []vpc.Rule) {
	for i := range ingress {
		ingress[i].GroupID, ingress[i].Index = id, i
	}
	for i := range egress {
		egress[i].GroupID, egress[i].Index, egress[i].Egress = id, i, true
	}
	w.inv.Groups[id] = &vpc.SecurityGroup{ID: id, Ingress: ingress, Egress: egress, RulesKnown: true}
}

func (w *world) eni(id, subnet string, groups []string, addrs ...string) *vpc.Interface {
	e := &vpc.Interface{ID: id, Type: "interface", SubnetID: subnet, VpcID: "vpc-1", GroupIDs: groups}
	for _, a := range addrs {
		switch {
		case strings.HasPrefix(a, "pub:"):
			e.PublicIPs = append(e.PublicIPs, ip(a[4:]))
		case strings.Contains(a, ":"):
			e.IPv6s = append(e.IPv6s, ip(a))
		default:
			e.PrivateIPs = append(e.PrivateIPs, ip(a))
		}
	}
	w.inv.Interfaces[id] = e
	return e
}

func (w *world) nacl(id string, subnets []string, in, out []vpc.NACLEntry) {
	n := &vpc.NACL{ID: id, VpcID: "vpc-1", Inbound: in, Outbound: out, SubnetIDs: subnets}
	n.SortEntries()
	w.inv.NACLs[id] = n
}

func tcp(from, to string, port int32) Request {
	return Request{From: from, To: to, Protocol: vpc.ProtoTCP, Port: port, ICMPType: -1, ICMPCode: -1}
}

// hopResult returns the result of the first hop with the given step.
func hopResult(t *testing.T, tr Trace, step Step) Hop {
	t.Helper()
	for _, h := range tr.Hops {
		if h.Step == step {
			return h
		}
	}
	return Hop{Result: "absent"}
}

// base: app (subnet a, sg-app) talks to db (subnet b, sg-db).
func base() *world {
	w := newWorld()
	w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 443, 443, "0.0.0.0/0")})
	w.sg("sg-db", []vpc.Rule{groupRule(false, vpc.ProtoTCP, 3306, 3306, "sg-app")}, nil)
	w.eni("eni-app", "subnet-a", []string{"sg-app"}, "10.0.1.10", "10.0.1.11", "2001:db8:1:1::10", "pub:203.0.113.10")
	w.eni("eni-db", "subnet-b", []string{"sg-db"}, "10.0.2.20", "2001:db8:1:2::20")
	return w
}

func TestCheckSemantics(t *testing.T) {
	type want struct {
		verdict Verdict
		hops    map[Step]Result
		reason  string // substring of some hop's reason
	}
	cases := []struct {
		name  string
		setup func(w *world)
		req   Request
		want  want
	}{
		{
			name: "no egress rule for 3306 denies at the source SG",
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny, StepDestSG: Allow}, "no egress rule of sg-app matches tcp/3306"},
		},
		{
			name: "union of several SGs: a second group's rule allows",
			setup: func(w *world) {
				w.sg("sg-extra", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 3306, 3306, "10.0.2.0/24")})
				w.inv.Interfaces["eni-app"].GroupIDs = []string{"sg-app", "sg-extra"}
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepSourceSG: Allow, StepSourceNACL: Allow, StepDestNACL: Allow, StepDestSG: Allow}, "sg-extra"},
		},
		{
			name: "protocol -1 matches every protocol and port",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepSourceSG: Allow}, "egress all to 0.0.0.0/0"},
		},
		{
			name: "port range edges are inclusive",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 3000, 3306, "10.0.0.0/16")})
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepSourceSG: Allow}, ""},
		},
		{
			name: "port just outside the range is denied",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 3000, 3305, "10.0.0.0/16")})
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny}, ""},
		},
		{
			name: "udp rule does not match tcp",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoUDP, 3306, 3306, "10.0.0.0/16")})
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny}, ""},
		},
		{
			name: "SG reference matches a secondary private IP of a member",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 3306, 3306, "10.0.0.0/16")})
			},
			req:  tcp("10.0.1.11", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepDestSG: Allow}, "10.0.1.11 is a private address of a member of sg-app"},
		},
		{
			name: "SG reference does not match a public IP of a member",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				w.inv.Interfaces["eni-db"].PublicIPs = []netip.Addr{ip("203.0.113.20")}
				w.inv.Groups["sg-db"].Ingress = []vpc.Rule{groupRule(false, vpc.ProtoTCP, 3306, 3306, "sg-app")}
			},
			req:  tcp("eni-app", "203.0.113.20", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Allow, StepDestSG: Deny}, "no ingress rule of sg-db matches tcp/3306 from 203.0.113.10"},
		},
		{
			name: "SG reference: a non-member is denied",
			setup: func(w *world) {
				w.sg("sg-other", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				w.eni("eni-other", "subnet-c", []string{"sg-other"}, "10.0.3.30")
			},
			req:  tcp("eni-other", "eni-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Allow, StepDestSG: Deny}, ""},
		},
		{
			name: "prefix list resolves to its entries",
			setup: func(w *world) {
				w.inv.PrefixLists["pl-s3"] = &vpc.PrefixList{ID: "pl-s3", AddressFamily: "IPv4", OwnerID: "AWS", EntriesKnown: true,
					Entries: []netip.Prefix{pfx("52.216.0.0/15"), pfx("3.5.0.0/19")}}
				w.sg("sg-app", nil, []vpc.Rule{plRule(true, vpc.ProtoTCP, 443, 443, "pl-s3")})
			},
			req:  tcp("eni-app", "52.217.1.1", 443),
			want: want{Allowed, map[Step]Result{StepSourceSG: Allow}, "is in prefix list pl-s3"},
		},
		{
			name: "prefix list: an address outside its entries is denied",
			setup: func(w *world) {
				w.inv.PrefixLists["pl-s3"] = &vpc.PrefixList{ID: "pl-s3", AddressFamily: "IPv4", EntriesKnown: true, Entries: []netip.Prefix{pfx("52.216.0.0/15")}}
				w.sg("sg-app", nil, []vpc.Rule{plRule(true, vpc.ProtoTCP, 443, 443, "pl-s3")})
			},
			req:  tcp("eni-app", "198.51.100.1", 443),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny}, ""},
		},
		{
			name: "prefix list without entries is not evaluated, not guessed",
			setup: func(w *world) {
				w.inv.PrefixLists["pl-x"] = &vpc.PrefixList{ID: "pl-x"}
				w.sg("sg-app", nil, []vpc.Rule{plRule(true, vpc.ProtoTCP, 443, 443, "pl-x")})
			},
			req:  tcp("eni-app", "198.51.100.1", 443),
			want: want{Allowed, map[Step]Result{StepSourceSG: NotEvaluated}, "prefix lists of sg-app/egress[0] are not loaded"},
		},
		{
			name: "prefix list of the other family: known not to match even without entries",
			setup: func(w *world) {
				w.inv.PrefixLists["pl-x"] = &vpc.PrefixList{ID: "pl-x", AddressFamily: "IPv4"}
				w.sg("sg-app", nil, []vpc.Rule{plRule(true, vpc.ProtoTCP, 443, 443, "pl-x")})
			},
			req:  tcp("eni-app", "2001:db8:ffff::1", 443),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny}, ""},
		},
		{
			name: "IPv6: an IPv4 CIDR rule never matches IPv6 traffic",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
			},
			req:  tcp("eni-app", "2001:db8:ffff::1", 443),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny}, ""},
		},
		{
			name: "IPv6: ::/0 rule allows and the SG reference covers IPv6 members",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 3306, 3306, "::/0")})
			},
			req:  Request{From: "eni-app", To: "eni-db", Protocol: vpc.ProtoTCP, Port: 3306, IPv6: true},
			want: want{Allowed, map[Step]Result{StepSourceSG: Allow, StepDestSG: Allow, StepSourceNACL: Allow}, "2001:db8:1:1::10 is a private address of a member of sg-app"},
		},
		{
			name: "IPv6-only interface: the check uses both ends' IPv6 addresses",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 3306, 3306, "::/0")})
				w.eni("eni-v6", "subnet-b", []string{"sg-db"}, "2001:db8:1:2::99")
			},
			req:  tcp("eni-app", "eni-v6", 3306),
			want: want{Allowed, map[Step]Result{StepSourceSG: Allow, StepDestSG: Allow}, "2001:db8:1:1::10 is a private address of a member of sg-app"},
		},
		{
			name: "ICMP: type and code must match",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoICMP, 8, 0, "10.0.0.0/16")})
				w.sg("sg-db", []vpc.Rule{cidrRule(false, vpc.ProtoICMP, 3, -1, "10.0.0.0/16")}, nil)
			},
			req:  Request{From: "eni-app", To: "eni-db", Protocol: vpc.ProtoICMP, ICMPType: 8, ICMPCode: 0},
			want: want{Denied, map[Step]Result{StepSourceSG: Allow, StepDestSG: Deny}, ""},
		},
		{
			name: "ICMP: type -1 matches every type; echo needs the echo reply back through the NACLs",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoICMP, -1, -1, "10.0.0.0/16")})
				w.sg("sg-db", []vpc.Rule{cidrRule(false, vpc.ProtoICMP, 8, -1, "10.0.0.0/16")}, nil)
				w.nacl("acl-b", []string{"subnet-b"},
					append([]vpc.NACLEntry{entry(100, false, true, vpc.ProtoICMP, "0.0.0.0/0", 8, -1)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{entry(100, true, true, vpc.ProtoICMP, "0.0.0.0/0", 3, 4)}, defaultDeny(true)...))
			},
			req:  Request{From: "eni-app", To: "eni-db", Protocol: vpc.ProtoICMP, ICMPType: 8, ICMPCode: 0},
			want: want{Denied, map[Step]Result{StepSourceSG: Allow, StepDestNACL: Allow, StepDestSG: Allow, StepReturnDstNACL: Deny}, "reply icmp type 0"},
		},
		{
			name: "ICMP rule does not match IPv6 traffic (icmp is ICMPv4)",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoICMPv6, -1, -1, "::/0")})
				w.sg("sg-db", []vpc.Rule{cidrRule(false, vpc.ProtoICMPv6, 128, -1, "::/0")}, nil)
			},
			req:  Request{From: "eni-app", To: "eni-db", Protocol: vpc.ProtoICMPv6, ICMPType: 128, ICMPCode: 0},
			want: want{Allowed, map[Step]Result{StepSourceSG: Allow, StepDestSG: Allow, StepReturnDstNACL: Allow}, ""},
		},
		{
			name: "NACL first match: deny 90 before allow 100",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				w.nacl("acl-b", []string{"subnet-b"},
					append([]vpc.NACLEntry{allowAll(100, false), entry(90, false, false, vpc.ProtoTCP, "10.0.1.0/24", 3306, 3306)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{allowAll(100, true)}, defaultDeny(true)...))
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Allow, StepDestNACL: Deny}, "inbound rule 90 denies"},
		},
		{
			name: "NACL first match: allow 100 before deny 110",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				w.nacl("acl-b", []string{"subnet-b"},
					append([]vpc.NACLEntry{allowAll(100, false), entry(110, false, false, vpc.ProtoTCP, "10.0.1.0/24", 3306, 3306)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{allowAll(100, true)}, defaultDeny(true)...))
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepDestNACL: Allow}, "inbound rule 100 allows"},
		},
		{
			name: "the * rule denies what no entry matches",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				w.nacl("acl-a", []string{"subnet-a"},
					append([]vpc.NACLEntry{entry(100, false, true, vpc.ProtoAll, "0.0.0.0/0", 0, 0)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{entry(100, true, true, vpc.ProtoTCP, "0.0.0.0/0", 443, 443)}, defaultDeny(true)...))
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceNACL: Deny}, "outbound rule * denies"},
		},
		{
			name: "ephemeral return trap: NACL forgets inbound ephemeral ports",
			setup: func(w *world) {
				w.nacl("acl-a", []string{"subnet-a"},
					append([]vpc.NACLEntry{entry(100, false, true, vpc.ProtoTCP, "0.0.0.0/0", 22, 22)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{entry(100, true, true, vpc.ProtoTCP, "0.0.0.0/0", 443, 443)}, defaultDeny(true)...))
			},
			req:  tcp("eni-app", "192.0.2.10", 443),
			want: want{Denied, map[Step]Result{StepSourceSG: Allow, StepSourceNACL: Allow, StepReturnSrcNACL: Deny}, "replies to client ports 32768-65535 are blocked inbound"},
		},
		{
			name: "ephemeral return: a partly open range is a denial naming the blocked ports",
			setup: func(w *world) {
				w.nacl("acl-a", []string{"subnet-a"},
					append([]vpc.NACLEntry{entry(100, false, true, vpc.ProtoTCP, "0.0.0.0/0", 49152, 65535)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{allowAll(100, true)}, defaultDeny(true)...))
			},
			req:  tcp("eni-app", "192.0.2.10", 443),
			want: want{Denied, map[Step]Result{StepReturnSrcNACL: Deny}, "ports 32768-49151 blocked"},
		},
		{
			name: "ephemeral return: a deny inside the range before the allow",
			setup: func(w *world) {
				w.nacl("acl-a", []string{"subnet-a"},
					append([]vpc.NACLEntry{entry(90, false, false, vpc.ProtoTCP, "0.0.0.0/0", 40000, 40010), entry(100, false, true, vpc.ProtoTCP, "0.0.0.0/0", 1024, 65535)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{allowAll(100, true)}, defaultDeny(true)...))
			},
			req:  tcp("eni-app", "192.0.2.10", 443),
			want: want{Denied, map[Step]Result{StepReturnSrcNACL: Deny}, "ports 40000-40010 blocked"},
		},
		{
			name: "ephemeral return: the whole range allowed",
			setup: func(w *world) {
				w.nacl("acl-a", []string{"subnet-a"},
					append([]vpc.NACLEntry{entry(100, false, true, vpc.ProtoTCP, "0.0.0.0/0", 32768, 65535)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{allowAll(100, true)}, defaultDeny(true)...))
			},
			req:  tcp("eni-app", "192.0.2.10", 443),
			want: want{Allowed, map[Step]Result{StepReturnSrcNACL: Allow, StepDestNACL: Skipped, StepDestSG: Skipped}, "routes, gateways and the far side are not"},
		},
		{
			name: "Windows client range: a Linux-sized NACL opening is too narrow",
			setup: func(w *world) {
				w.nacl("acl-a", []string{"subnet-a"},
					append([]vpc.NACLEntry{entry(100, false, true, vpc.ProtoTCP, "0.0.0.0/0", 32768, 61000)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{allowAll(100, true)}, defaultDeny(true)...))
			},
			req:  Request{From: "eni-app", To: "192.0.2.10", Protocol: vpc.ProtoTCP, Port: 443, ClientPorts: PortRange{From: 49152, To: 65535}},
			want: want{Denied, map[Step]Result{StepReturnSrcNACL: Deny}, "ports 61001-65535 blocked"},
		},
		{
			name: "same subnet: NACLs are not crossed",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				w.eni("eni-db2", "subnet-a", []string{"sg-db"}, "10.0.1.40")
				w.nacl("acl-a", []string{"subnet-a"}, defaultDeny(false), defaultDeny(true))
			},
			req:  tcp("eni-app", "eni-db2", 3306),
			want: want{Allowed, map[Step]Result{StepSourceNACL: Skipped, StepDestNACL: Skipped, StepSourceSG: Allow, StepDestSG: Allow}, "same subnet subnet-a"},
		},
		{
			name: "inbound from the internet: destination NACL and SG only",
			setup: func(w *world) {
				w.sg("sg-app", []vpc.Rule{cidrRule(false, vpc.ProtoTCP, 22, 22, "198.51.100.0/24")}, nil)
			},
			req:  tcp("198.51.100.7", "eni-app", 22),
			want: want{Allowed, map[Step]Result{StepSourceSG: Skipped, StepSourceNACL: Skipped, StepDestNACL: Allow, StepDestSG: Allow, StepReturnDstNACL: Allow}, ""},
		},
		{
			name: "missing kind: no NACLs loaded marks NACL hops not evaluated",
			setup: func(w *world) {
				w.inv.Loaded[vpc.KindNetworkACLs] = false
				w.inv.NACLs = map[string]*vpc.NACL{}
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepSourceNACL: NotEvaluated, StepDestNACL: NotEvaluated, StepSourceSG: Allow}, "no network ACLs loaded"},
		},
		{
			name: "an attached SG whose rules are not loaded: not evaluated, never denied",
			setup: func(w *world) {
				w.inv.Interfaces["eni-app"].GroupIDs = []string{"sg-app", "sg-missing"}
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepSourceSG: NotEvaluated}, "rules of sg-missing are not loaded"},
		},
		{
			name: "a rule referencing an SG the inventory lacks matches no interface whose groups are listed",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{groupRule(true, vpc.ProtoTCP, 3306, 3306, "sg-gone")})
			},
			req:  tcp("eni-app", "eni-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny}, "no egress rule of sg-app matches tcp/3306"},
		},
		{
			name: "a rule referencing an SG the inventory lacks, to an address outside it: members unknown, not evaluated",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{groupRule(true, vpc.ProtoTCP, 3306, 3306, "sg-0peer")})
			},
			req:  tcp("eni-app", "10.20.0.5", 3306),
			want: want{Allowed, map[Step]Result{StepSourceSG: NotEvaluated}, "sg-0peer is not in the inventory; its members are unknown"},
		},
		{
			name: "ingress from an address outside the inventory by a reference to an SG it lacks: not evaluated",
			setup: func(w *world) {
				w.sg("sg-db", []vpc.Rule{groupRule(false, vpc.ProtoTCP, 3306, 3306, "sg-0peer")}, nil)
			},
			req:  tcp("10.20.0.5", "eni-db", 3306),
			want: want{Allowed, map[Step]Result{StepDestSG: NotEvaluated}, "sg-0peer is not in the inventory; its members are unknown"},
		},
		{
			name: "the public address of an interface is no member of an SG it carries",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				w.inv.Interfaces["eni-app"].GroupIDs = []string{"sg-app", "sg-0peer"}
				w.inv.Interfaces["eni-db"].PublicIPs = []netip.Addr{ip("203.0.113.20")}
				w.sg("sg-db", []vpc.Rule{groupRule(false, vpc.ProtoTCP, 3306, 3306, "sg-0peer")}, nil)
			},
			req:  tcp("eni-app", "203.0.113.20", 3306),
			want: want{Denied, map[Step]Result{StepDestSG: Deny}, "no ingress rule of sg-db matches tcp/3306 from 203.0.113.10"},
		},
		{
			name: "reasons name protocols: esp (50)",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.Protocol(50), -1, -1, "10.0.2.0/24")})
				w.nacl("acl-b", []string{"subnet-b"}, append([]vpc.NACLEntry{entry(90, false, false, vpc.Protocol(50), "10.0.1.0/24", 0, 0)}, defaultDeny(false)...),
					append([]vpc.NACLEntry{allowAll(100, true)}, defaultDeny(true)...))
			},
			req:  Request{From: "eni-app", To: "eni-db", Protocol: vpc.Protocol(50), ICMPType: -1, ICMPCode: -1},
			want: want{Denied, map[Step]Result{StepSourceSG: Allow, StepDestNACL: Deny}, "inbound rule 90 denies: 90 deny esp (50) 10.0.1.0/24"},
		},
		{
			name: "SG id as endpoint: every member pair must pass",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoTCP, 3306, 3306, "10.0.2.0/24")})
				w.eni("eni-db3", "subnet-c", []string{"sg-db"}, "10.0.3.50")
			},
			req:  tcp("eni-app", "sg-db", 3306),
			want: want{Denied, map[Step]Result{StepSourceSG: Deny}, "no egress rule of sg-app matches tcp/3306 to 10.0.3.50"},
		},
		{
			name: "metadata service is never filtered",
			req:  tcp("eni-app", "169.254.169.254", 80),
			want: want{Allowed, map[Step]Result{StepNotFiltered: Allow}, "instance metadata service"},
		},
		{
			name: "requester-managed interface without groups is not filtered by SGs",
			setup: func(w *world) {
				w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
				e := w.eni("eni-nat", "subnet-c", nil, "10.0.3.5")
				e.Type, e.RequesterManaged = "natGateway", true
			},
			req:  tcp("eni-app", "eni-nat", 443),
			want: want{Allowed, map[Step]Result{StepDestSG: Skipped}, "not governed by your security groups"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := base()
			if tc.setup != nil {
				tc.setup(w)
			}
			c, err := Run(w.inv, tc.req)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			tr := *representativeTrace(c)
			if c.Verdict != tc.want.verdict {
				t.Errorf("verdict = %s, want %s\n%s", c.Verdict, tc.want.verdict, dump(tr))
			}
			for step, res := range tc.want.hops {
				if got := hopResult(t, tr, step); got.Result != res {
					t.Errorf("hop %s = %s (%s), want %s\n%s", step, got.Result, got.Reason, res, dump(tr))
				}
			}
			if tc.want.reason != "" && !strings.Contains(dump(tr), tc.want.reason) {
				t.Errorf("no hop or note mentions %q\n%s", tc.want.reason, dump(tr))
			}
		})
	}
}

func representativeTrace(c *Check) *Trace {
	for i := range c.Traces {
		if c.Traces[i].Verdict == Denied {
			return &c.Traces[i]
		}
	}
	return &c.Traces[0]
}

func dump(t Trace) string {
	var b strings.Builder
	for _, h := range t.Hops {
		b.WriteString(string(h.Step) + " " + string(h.Result) + ": " + h.Reason + "\n")
	}
	for _, n := range t.Notes {
		b.WriteString("note: " + n + "\n")
	}
	return b.String()
}

func TestRequestErrors(t *testing.T) {
	w := base()
	cases := []struct {
		name string
		req  Request
		msg  string
	}{
		{"unknown eni", tcp("eni-nope", "eni-db", 1), "network interface eni-nope is not in the inventory"},
		{"unknown instance", tcp("i-nope", "eni-db", 1), "instance i-nope has no network interface"},
		{"unknown sg", tcp("sg-nope", "eni-db", 1), "security group sg-nope is not in the inventory"},
		{"garbage", tcp("db.example.com", "eni-db", 1), "is not an interface id"},
		{"port out of range", tcp("eni-app", "eni-db", 70000), "out of range"},
		{"mixed families", tcp("10.0.1.10", "2001:db8:1:2::20", 1), "different IP versions"},
		{"icmp to IPv6", Request{From: "eni-app", To: "2001:db8:1:2::20", Protocol: vpc.ProtoICMP, ICMPType: 8}, "use --protocol icmpv6"},
		{"same interface", tcp("eni-app", "10.0.1.10", 22), "same interface"},
		{"both outside", tcp("198.51.100.1", "203.0.113.1", 22), "neither 198.51.100.1 nor 203.0.113.1 is in the inventory's VPCs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(w.inv, tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.msg)
			}
		})
	}
}

func TestMergeRanges(t *testing.T) {
	got := mergeRanges([]PortRange{{From: 10, To: 20}, {From: 1, To: 5}, {From: 6, To: 9}, {From: 30, To: 40}, {From: 35, To: 50}})
	want := []PortRange{{From: 1, To: 20}, {From: 30, To: 50}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("merge = %v, want %v", got, want)
	}
}

// TestReturnPortsBrute compares the interval evaluation of the return path
// with evaluating every port one by one.
func TestReturnPortsBrute(t *testing.T) {
	n := &vpc.NACL{ID: "acl-x", Inbound: []vpc.NACLEntry{
		entry(50, false, false, vpc.ProtoTCP, "192.0.2.0/24", 33000, 33100),
		entry(60, false, true, vpc.ProtoTCP, "192.0.2.0/25", 32768, 40000),
		entry(70, false, false, vpc.ProtoUDP, "0.0.0.0/0", 0, 65535),
		entry(80, false, true, vpc.ProtoTCP, "0.0.0.0/0", 45000, 65535),
		entry(32767, false, false, vpc.ProtoAll, "0.0.0.0/0", 0, 0),
	}}
	set := policy.NACLSet(n, false) // the direction compiled: what every port must agree with
	for _, peer := range []string{"192.0.2.1", "192.0.2.200", "198.51.100.1"} {
		client := PortRange{From: 32768, To: 60999}
		h := returnPortsHop(n, StepReturnSrcNACL, false, vpc.ProtoTCP, ip(peer), client)
		var blocked []PortRange
		for p := client.From; p <= client.To; p++ {
			if !set.Contains(policy.RulePacket(vpc.ProtoTCP, p, 0, 0, ip(peer))) {
				blocked = append(blocked, PortRange{From: p, To: p})
			}
		}
		blocked = mergeRanges(blocked)
		if len(blocked) != len(h.BlockedPorts) {
			t.Fatalf("%s: blocked %v, brute force %v", peer, h.BlockedPorts, blocked)
		}
		for i := range blocked {
			if blocked[i] != h.BlockedPorts[i] {
				t.Fatalf("%s: blocked %v, brute force %v", peer, h.BlockedPorts, blocked)
			}
		}
		if (len(blocked) == 0) != (h.Result == Allow) {
			t.Fatalf("%s: result %s with blocked %v", peer, h.Result, blocked)
		}
	}
}

func TestPairLimitMarksIncomplete(t *testing.T) {
	w := base()
	w.sg("sg-app", nil, []vpc.Rule{cidrRule(true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")})
	w.eni("eni-db2", "subnet-b", []string{"sg-db"}, "10.0.2.21")
	w.eni("eni-db3", "subnet-b", []string{"sg-db"}, "10.0.2.22")
	c, err := Run(w.inv, Request{From: "eni-app", To: "sg-db", Protocol: vpc.ProtoTCP, Port: 3306, MaxPairs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Truncated || c.Complete || c.Pairs != 2 || !strings.Contains(strings.Join(c.Notes, " "), "only the first 2 of 3") {
		t.Fatalf("truncated %v complete %v pairs %d notes %v", c.Truncated, c.Complete, c.Pairs, c.Notes)
	}
}
