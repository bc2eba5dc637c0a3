package truth

import (
	"fmt"
	"math/rand"
	"net/netip"
)

// Addresses outside the VPC.
var (
	office    = netip.MustParsePrefix("198.51.100.0/24")
	anywhere  = netip.MustParsePrefix("0.0.0.0/0")
	netAddrs  = []netip.Addr{mustAddr("203.0.113.10"), mustAddr("203.0.113.21"), mustAddr("203.0.113.123"), mustAddr("52.95.110.1"), mustAddr("34.120.0.5")}
	officeIPs = []netip.Addr{mustAddr("198.51.100.5"), mustAddr("198.51.100.9")}
	metadata  = mustAddr("169.254.169.254")
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

const (
	ftpLo, ftpHi = 50000, 50100
	t0           = int64(1795000000) // 2026-11-18, a fixed start
)

// gen builds one random VPC and its traffic from a seed.
type gen struct {
	r     *rand.Rand
	w     *world
	conns []*conn
	seen  map[string]bool // flows already made, in either direction
}

func newGen(seed int64) *gen {
	return &gen{r: rand.New(rand.NewSource(seed)), seen: map[string]bool{}}
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) pick(xs []int) int { return xs[g.r.Intn(len(xs))] }

func tcp(lo, hi int, peer netip.Prefix) rule { return rule{proto: pTCP, from: lo, to: hi, cidr: peer} }
func udp(lo, hi int, peer netip.Prefix) rule { return rule{proto: pUDP, from: lo, to: hi, cidr: peer} }

// randomWorld draws a VPC: 2-4 subnets, 3-8 groups, 5-30 interfaces.
func (g *gen) randomWorld(seed int64) *world {
	r := g.r
	x := byte(1 + r.Intn(250))
	w := &world{name: fmt.Sprintf("seed %d", seed), account: "111122223333",
		vpcID: fmt.Sprintf("vpc-%017x", seed), cidr: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, x, 0, 0}), 16)}
	g.w = w
	for i := 0; i < 2+r.Intn(3); i++ {
		w.subnets = append(w.subnets, subnet{id: fmt.Sprintf("subnet-%08x%09x", seed&0xffffffff, i+1),
			cidr: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, x, byte(i + 1), 0}), 24), az: fmt.Sprintf("us-east-1%c", 'a'+i%3)})
	}
	ng := 3 + r.Intn(6)
	for i := 0; i < ng; i++ {
		w.groups = append(w.groups, &group{id: fmt.Sprintf("sg-%08x%09x", seed&0xffffffff, i+1), name: fmt.Sprintf("g%d", i+1)})
	}
	anyGroup := func() string { return w.groups[r.Intn(ng)].id }
	vpcWide := g.chance(0.3)
	// A source for an ingress service: a group, the VPC, a subnet, the
	// office or the world.
	src := func() rule {
		switch r.Intn(5) {
		case 0, 1:
			return rule{ref: anyGroup()}
		case 2:
			return rule{cidr: w.cidr}
		case 3:
			return rule{cidr: w.subnets[r.Intn(len(w.subnets))].cidr}
		}
		if g.chance(0.5) {
			return rule{cidr: office}
		}
		return rule{cidr: anywhere}
	}
	with := func(base rule, proto, lo, hi int) rule {
		base.proto, base.from, base.to = proto, lo, hi
		return base
	}
	for _, sg := range w.groups {
		for n := 1 + r.Intn(3); n > 0; n-- {
			switch r.Intn(9) {
			case 0:
				sg.ingress = append(sg.ingress, with(src(), pTCP, 22, 22))
			case 1:
				sg.ingress = append(sg.ingress, with(src(), pTCP, 443, 443))
			case 2:
				sg.ingress = append(sg.ingress, with(src(), pTCP, 3306, 3306))
			case 3:
				sg.ingress = append(sg.ingress, with(src(), pTCP, 8080, 8080))
			case 4:
				p := g.pick([]int{50001, 40000})
				sg.ingress = append(sg.ingress, with(src(), pTCP, p, p))
			case 5:
				s := src()
				sg.ingress = append(sg.ingress, with(s, pTCP, 21, 21), with(s, pTCP, ftpLo, ftpHi))
			case 6:
				p := g.pick([]int{123, 500, 4789, 8472})
				sg.ingress = append(sg.ingress, with(src(), pUDP, p, p))
			case 7:
				sg.ingress = append(sg.ingress, with(src(), pICMP, 8, 0))
			case 8:
				sg.ingress = append(sg.ingress, with(src(), pICMP, -1, -1))
			}
		}
		if vpcWide && g.chance(0.5) {
			sg.ingress = append(sg.ingress, rule{proto: pAll, cidr: w.cidr})
		}
		if g.chance(0.45) {
			sg.egress = []rule{{proto: pAll, cidr: anywhere}}
			continue
		}
		add := func(p float64, rs ...rule) {
			if g.chance(p) {
				sg.egress = append(sg.egress, rs...)
			}
		}
		add(0.8, tcp(443, 443, anywhere))
		if g.chance(0.5) {
			if g.chance(0.5) {
				sg.egress = append(sg.egress, rule{proto: pTCP, from: 3306, to: 3306, ref: anyGroup()})
			} else {
				sg.egress = append(sg.egress, tcp(3306, 3306, w.cidr))
			}
		}
		add(0.4, tcp(22, 22, w.cidr))
		add(0.4, tcp(8080, 8080, w.cidr))
		add(0.3, tcp(1024, 65535, w.cidr))
		add(0.3, tcp(50001, 50001, w.cidr), tcp(40000, 40000, w.cidr))
		if g.chance(0.3) {
			p := anywhere
			if g.chance(0.4) {
				p = w.cidr
			}
			sg.egress = append(sg.egress, tcp(21, 21, p), tcp(ftpLo, ftpHi, p))
		}
		add(0.5, udp(123, 123, anywhere))
		add(0.3, udp(500, 500, anywhere))
		add(0.3, udp(4789, 4789, w.cidr))
		add(0.3, rule{proto: pUDP, from: 8472, to: 8472, ref: sg.id})
		add(0.4, rule{proto: pICMP, from: 8, to: 0, cidr: anywhere})
		add(0.2, rule{proto: pICMP, from: -1, to: -1, cidr: w.cidr})
		add(0.15, tcp(0, 65535, w.cidr))
	}
	n := 5 + r.Intn(26)
	for i := 0; i < n; i++ {
		sn := r.Intn(len(w.subnets))
		e := &eni{id: fmt.Sprintf("eni-%08x%09x", seed&0xffffffff, i+1), instance: fmt.Sprintf("i-%08x%09x", seed&0xffffffff, i+1),
			subnet: sn, ips: []netip.Addr{netip.AddrFrom4([4]byte{10, x, byte(sn + 1), byte(10 + i)})},
			logs: g.chance(0.9)}
		if g.chance(0.25) {
			e.ips = append(e.ips, netip.AddrFrom4([4]byte{10, x, byte(sn + 1), byte(100 + i)}))
		}
		switch v := r.Float64(); {
		case v < 0.6:
			e.os = linux
		case v < 0.85:
			e.os = windows
		default:
			e.os = natlb
		}
		e.groups = []string{anyGroup()}
		if g.chance(0.3) {
			if o := anyGroup(); o != e.groups[0] {
				e.groups = append(e.groups, o)
			}
		}
		w.enis = append(w.enis, e)
	}
	if g.chance(0.3) {
		// A replaced instance: the old interface logged with the same
		// address and groups before it was deleted.
		e := w.enis[r.Intn(n)]
		old := *e
		old.id, old.instance, old.gone, old.logs = e.id[:len(e.id)-3]+"fff", e.instance[:len(e.instance)-3]+"fff", true, true
		old.ips = old.ips[:1]
		w.enis = append(w.enis, &old)
	}
	return w
}

// liveENIs returns the inventory's interfaces.
func (w *world) liveENIs() []*eni {
	var out []*eni
	for _, e := range w.enis {
		if !e.gone {
			out = append(out, e)
		}
	}
	return out
}

// admitted lists the (protocol, port) services e's ingress opens, one port
// per rule (the low end; a random one for the FTP data range).
func (g *gen) admitted(e *eni, proto int) []int {
	var out []int
	for _, id := range e.groups {
		for _, r := range g.w.group(id).ingress {
			if r.proto == proto && r.from >= 0 {
				p := r.from
				if r.to > r.from {
					p += g.r.Intn(r.to - r.from + 1)
				}
				out = append(out, p)
			}
		}
	}
	return out
}

func (g *gen) addrOf(e *eni) netip.Addr {
	if len(e.ips) > 1 && g.chance(0.5) {
		return e.ips[1]
	}
	return e.ips[0]
}

// add records a connection unless its flow (either way) was already made,
// and decides whether the current rules accept it.
func (g *gen) add(c *conn) bool {
	k := func(a netip.Addr, ap int, b netip.Addr, bp int) string {
		return fmt.Sprintf("%d %s %d %s %d", c.proto, a, ap, b, bp)
	}
	if c.src == c.dst || g.seen[k(c.src, c.sport, c.dst, c.dport)] || g.seen[k(c.dst, c.dport, c.src, c.sport)] {
		return false
	}
	g.seen[k(c.src, c.sport, c.dst, c.dport)] = true
	if c.start == 0 {
		c.start = t0 + int64(g.r.Intn(50))*60 + int64(g.r.Intn(60))
	}
	if c.windows == 0 {
		c.windows = 1 + g.r.Intn(3)
	}
	if c.proto == pTCP && c.windows > 1 && g.chance(0.2) {
		c.dropSYN = true
	}
	c.accepted = g.w.allowed(c)
	g.conns = append(g.conns, c)
	return true
}

// member returns a random inventory interface other than not.
func (g *gen) member(not *eni) *eni {
	live := g.w.liveENIs()
	for i := 0; i < 10; i++ {
		e := live[g.r.Intn(len(live))]
		// A replaced interface never talks to its successor: they did not
		// live at the same time (the successor holds its address).
		if e != not && !(not != nil && not.gone && e.has(not.ips[0])) {
			return e
		}
	}
	return nil
}

// randomTraffic draws 3-5 connections per interface, of every class.
func (g *gen) randomTraffic() {
	w, r := g.w, g.r
	for _, m := range w.enis {
		for n := 3 + r.Intn(3); n > 0; n-- {
			g.randomConn(m)
		}
	}
}

func (g *gen) randomConn(m *eni) {
	r := g.r
	switch r.Intn(9) {
	case 0, 1: // a tcp service of another member
		peer := g.member(m)
		if peer == nil {
			return
		}
		ports := g.admitted(peer, pTCP)
		var p int
		if len(ports) > 0 && g.chance(0.8) {
			p = ports[r.Intn(len(ports))]
		} else {
			p = g.pick([]int{22, 443, 3306, 8080, 50001, 40000})
		}
		if p == 21 || p >= ftpLo && p <= ftpHi {
			g.ftp(m, peer, g.addrOf(peer))
			return
		}
		g.add(&conn{class: tcpClass(p), proto: pTCP, init: m, resp: peer, src: m.ips[0], dst: g.addrOf(peer),
			sport: m.os.ephemeral(r), dport: p})
	case 2: // the internet
		p := g.pick([]int{443, 443, 22, 8080})
		g.add(&conn{class: tcpClass(p), proto: pTCP, init: m, src: m.ips[0], dst: netAddrs[r.Intn(len(netAddrs))],
			sport: m.os.ephemeral(r), dport: p})
	case 3: // passive FTP, to a member or the internet
		if peer := g.member(m); peer != nil && g.chance(0.6) {
			g.ftp(m, peer, g.addrOf(peer))
		} else {
			g.ftp(m, nil, mustAddr("203.0.113.21"))
		}
	case 4: // same-port UDP
		p := g.pick([]int{123, 500, 4789, 8472})
		var peer *eni
		dst := netAddrs[r.Intn(len(netAddrs))]
		if p == 4789 || p == 8472 || g.chance(0.4) {
			if peer = g.member(m); peer == nil {
				return
			}
			dst = g.addrOf(peer)
		}
		g.add(&conn{class: fmt.Sprintf("udp-%d", p), proto: pUDP, init: m, resp: peer, src: m.ips[0], dst: dst, sport: p, dport: p})
	case 5: // ping
		var peer *eni
		dst := netAddrs[r.Intn(len(netAddrs))]
		if g.chance(0.6) {
			if peer = g.member(m); peer == nil {
				return
			}
			dst = g.addrOf(peer)
		}
		g.add(&conn{class: "icmp-ping", proto: pICMP, init: m, resp: peer, src: m.ips[0], dst: dst})
	case 6, 7: // someone outside starts a connection to m
		if m.gone {
			return
		}
		src := officeIPs[r.Intn(len(officeIPs))]
		if g.chance(0.5) {
			src = netAddrs[r.Intn(len(netAddrs))]
		}
		cos := osKind(r.Intn(3))
		proto := pTCP
		ports := g.admitted(m, pTCP)
		if u := g.admitted(m, pUDP); len(u) > 0 && g.chance(0.3) {
			proto, ports = pUDP, u
		}
		p := 443
		if len(ports) > 0 {
			p = ports[r.Intn(len(ports))]
		}
		if proto == pTCP && (p == 21 || p >= ftpLo && p <= ftpHi) {
			g.ftpFrom(src, cos, m)
			return
		}
		c := &conn{class: "in-" + tcpClass(p), proto: proto, resp: m, src: src, dst: g.addrOf(m), sport: cos.ephemeral(r), dport: p}
		if proto == pUDP {
			c.class, c.sport = fmt.Sprintf("in-udp-%d", p), p
		}
		g.add(c)
	case 8: // addresses no security group filters
		if g.chance(0.5) {
			g.add(&conn{class: "unfiltered", proto: pUDP, init: m, src: m.ips[0], dst: g.w.cidr.Addr().Next().Next(), sport: m.os.ephemeral(r), dport: 53})
		} else {
			g.add(&conn{class: "unfiltered", proto: pTCP, init: m, src: m.ips[0], dst: metadata, sport: m.os.ephemeral(r), dport: 80})
		}
	}
}

func tcpClass(p int) string {
	switch p {
	case 22, 443, 3306, 8080, 80:
		return fmt.Sprintf("tcp-%d", p)
	}
	return "tcp-high"
}

// ftp makes a passive FTP session from m: the control connection to 21
// and 2-5 data connections to server ports in the passive range.
func (g *gen) ftp(m, server *eni, dst netip.Addr) {
	start := t0 + int64(g.r.Intn(45))*60
	if !g.add(&conn{class: "ftp-ctrl", proto: pTCP, init: m, resp: server, src: m.ips[0], dst: dst, sport: m.os.ephemeral(g.r), dport: 21, start: start, windows: 3}) {
		return
	}
	for n := 2 + g.r.Intn(4); n > 0; n-- {
		g.add(&conn{class: "ftp-data", proto: pTCP, init: m, resp: server, src: m.ips[0], dst: dst,
			sport: m.os.ephemeral(g.r), dport: ftpLo + g.r.Intn(ftpHi-ftpLo+1), start: start + 60 + int64(g.r.Intn(60))})
	}
}

// ftpFrom makes a passive FTP session from an outside client to member m.
func (g *gen) ftpFrom(src netip.Addr, cos osKind, m *eni) {
	start := t0 + int64(g.r.Intn(45))*60
	dst := g.addrOf(m)
	if !g.add(&conn{class: "in-ftp-ctrl", proto: pTCP, resp: m, src: src, dst: dst, sport: cos.ephemeral(g.r), dport: 21, start: start, windows: 3}) {
		return
	}
	for n := 2 + g.r.Intn(4); n > 0; n-- {
		g.add(&conn{class: "in-ftp-data", proto: pTCP, resp: m, src: src, dst: dst,
			sport: cos.ephemeral(g.r), dport: ftpLo + g.r.Intn(ftpHi-ftpLo+1), start: start + 60 + int64(g.r.Intn(60))})
	}
}
