package truth

import (
	"fmt"
	"net/netip"
	"testing"
)

// newWorld is an empty hand-made VPC 10.9.0.0/16 with two subnets.
func newWorld(name string) *world {
	w := &world{name: name, account: "111122223333", vpcID: "vpc-" + name, cidr: netip.MustParsePrefix("10.9.0.0/16")}
	for i := 1; i <= 2; i++ {
		w.subnets = append(w.subnets, subnet{id: fmt.Sprintf("subnet-%d", i),
			cidr: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 9, byte(i), 0}), 24), az: fmt.Sprintf("us-east-1%c", 'a'+i-1)})
	}
	return w
}

func (w *world) addGroup(id string, ingress, egress []rule) *group {
	g := &group{id: id, name: id, ingress: ingress, egress: egress}
	w.groups = append(w.groups, g)
	return g
}

func (w *world) addENI(id string, os osKind, groups []string, sn int, ips ...string) *eni {
	e := &eni{id: id, instance: "i-" + id, subnet: sn, groups: groups, os: os, logs: true}
	for _, s := range ips {
		e.ips = append(e.ips, mustAddr(s))
	}
	w.enis = append(w.enis, e)
	return e
}

// scenario is a hand-made world whose connections are all accepted.
type scenario struct {
	w     *world
	conns []*conn
}

func (s *scenario) add(class string, proto int, init, resp *eni, src, dst string, sport, dport int, start int64, windows int, dropSYN bool) {
	if dropSYN && windows < 2 {
		windows = 2 // a connection whose only window fell before the logs was never observed
	}
	s.conns = append(s.conns, &conn{class: class, proto: proto, init: init, resp: resp, src: mustAddr(src), dst: mustAddr(dst),
		sport: sport, dport: dport, start: t0 + start, windows: windows, dropSYN: dropSYN})
}

// run checks the scenario in every format: the evaluator must accept every
// connection (they were chosen so), and the plan must keep the promise.
func (s *scenario) run(t *testing.T) {
	for _, c := range s.conns {
		if c.accepted = s.w.allowed(c); !c.accepted {
			t.Fatalf("scenario connection %s is denied by the current rules: the scenario is wrong", c)
		}
	}
	dir := t.TempDir()
	inv := loadWorld(t, s.w, dir)
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			p := pipeline(t, s.w, inv, s.conns, f, dir, 1)
			tl := newTally()
			tl.add(s.w, s.conns, p, f)
			t.Run("allowed", tl.reportAllowed)
			t.Run("within", tl.reportWithin)
			t.Run("answered", tl.reportAnswered)
		})
	}
}

// A Linux worker fetches files from an FTP server on the internet in
// passive mode: control to 21, data from its ephemeral ports to server
// ports 50000-50100; some data windows miss their SYN.
func TestScenarioPassiveFTPFromWorker(t *testing.T) {
	w := newWorld("ftpclient")
	w.addGroup("sg-worker", []rule{tcp(22, 22, office)}, []rule{tcp(21, 21, anywhere), tcp(ftpLo, ftpHi, anywhere), tcp(443, 443, anywhere)})
	wk := w.addENI("eni-00000000000000w01", linux, []string{"sg-worker"}, 0, "10.9.1.10")
	s := &scenario{w: w}
	srv := "203.0.113.21"
	s.add("ftp-ctrl", pTCP, wk, nil, "10.9.1.10", srv, 41000, 21, 0, 3, false)
	s.add("ftp-data", pTCP, wk, nil, "10.9.1.10", srv, 45123, 50040, 60, 1, false)
	s.add("ftp-data", pTCP, wk, nil, "10.9.1.10", srv, 52311, 50077, 60, 2, true)
	s.add("ftp-data", pTCP, wk, nil, "10.9.1.10", srv, 58001, 50012, 120, 2, false)
	s.add("tcp-443", pTCP, wk, nil, "10.9.1.10", "52.95.110.1", 33000, 443, 0, 1, false)
	s.run(t)
}

// A Windows client calls another member's service on high port 40000.
func TestScenarioHighPortBetweenMembers(t *testing.T) {
	w := newWorld("highport")
	w.addGroup("sg-client", nil, []rule{{proto: pAll, cidr: anywhere}})
	w.addGroup("sg-svc", []rule{{proto: pTCP, from: 40000, to: 40000, ref: "sg-client"}}, []rule{{proto: pAll, cidr: anywhere}})
	cl := w.addENI("eni-00000000000000c01", windows, []string{"sg-client"}, 0, "10.9.1.10")
	sv := w.addENI("eni-00000000000000501", linux, []string{"sg-svc"}, 1, "10.9.2.20")
	s := &scenario{w: w}
	s.add("tcp-high", pTCP, cl, sv, "10.9.1.10", "10.9.2.20", 51000, 40000, 0, 2, false)
	s.add("tcp-high", pTCP, cl, sv, "10.9.1.10", "10.9.2.20", 61000, 40000, 300, 3, true)
	s.add("tcp-high", pTCP, cl, sv, "10.9.1.10", "10.9.2.20", 49999, 40000, 600, 1, false)
	s.run(t)
}

// Same-port UDP: NTP to the internet and VXLAN between two members, the
// client's port equal to the service port.
func TestScenarioSamePortUDP(t *testing.T) {
	w := newWorld("sameport")
	w.addGroup("sg-node", []rule{{proto: pUDP, from: 4789, to: 4789, ref: "sg-node"}},
		[]rule{udp(123, 123, anywhere), udp(4789, 4789, netip.MustParsePrefix("10.9.0.0/16"))})
	w.addGroup("sg-gw", []rule{{proto: pUDP, from: 4789, to: 4789, ref: "sg-node"}}, []rule{udp(123, 123, anywhere)})
	a := w.addENI("eni-00000000000000n01", linux, []string{"sg-node"}, 0, "10.9.1.10")
	gw := w.addENI("eni-00000000000000g01", linux, []string{"sg-gw"}, 1, "10.9.2.20")
	s := &scenario{w: w}
	s.add("udp-123", pUDP, a, nil, "10.9.1.10", "203.0.113.123", 123, 123, 0, 2, false)
	s.add("udp-123", pUDP, gw, nil, "10.9.2.20", "203.0.113.123", 123, 123, 0, 1, false)
	s.add("udp-4789", pUDP, a, gw, "10.9.1.10", "10.9.2.20", 4789, 4789, 60, 3, false)
	s.run(t)
}

// A member whose egress allows only echo requests (icmp 8/0) pings the
// internet and another member that admits pings from the VPC.
func TestScenarioPingWithEchoOnlyEgress(t *testing.T) {
	w := newWorld("ping")
	w.addGroup("sg-mon", nil, []rule{{proto: pICMP, from: 8, to: 0, cidr: anywhere}, tcp(443, 443, anywhere)})
	w.addGroup("sg-host", []rule{{proto: pICMP, from: 8, to: 0, cidr: netip.MustParsePrefix("10.9.0.0/16")}}, []rule{tcp(443, 443, anywhere)})
	mon := w.addENI("eni-00000000000000m01", linux, []string{"sg-mon"}, 0, "10.9.1.10")
	host := w.addENI("eni-00000000000000h01", linux, []string{"sg-host"}, 1, "10.9.2.20")
	s := &scenario{w: w}
	s.add("icmp-ping", pICMP, mon, nil, "10.9.1.10", "203.0.113.10", 0, 0, 0, 2, false)
	s.add("icmp-ping", pICMP, mon, host, "10.9.1.10", "10.9.2.20", 0, 0, 0, 3, false)
	s.add("tcp-443", pTCP, host, nil, "10.9.2.20", "52.95.110.1", 40000, 443, 0, 1, false)
	s.run(t)
}

// An app reaches its database on the primary and the secondary address.
func TestScenarioDBOnPrimaryAndSecondary(t *testing.T) {
	w := newWorld("db")
	w.addGroup("sg-app", []rule{tcp(443, 443, anywhere)}, []rule{{proto: pTCP, from: 3306, to: 3306, ref: "sg-db"}, tcp(443, 443, anywhere)})
	w.addGroup("sg-db", []rule{{proto: pTCP, from: 3306, to: 3306, ref: "sg-app"}}, []rule{tcp(443, 443, anywhere)})
	app := w.addENI("eni-00000000000000a01", linux, []string{"sg-app"}, 0, "10.9.1.10")
	db := w.addENI("eni-00000000000000d01", linux, []string{"sg-db"}, 1, "10.9.2.20", "10.9.2.120")
	s := &scenario{w: w}
	s.add("tcp-3306", pTCP, app, db, "10.9.1.10", "10.9.2.20", 40001, 3306, 0, 3, false)
	s.add("tcp-3306", pTCP, app, db, "10.9.1.10", "10.9.2.120", 40002, 3306, 60, 2, true)
	s.add("in-tcp-443", pTCP, nil, app, "198.51.100.5", "10.9.1.10", 51000, 443, 0, 1, false)
	s.run(t)
}

// An FTP server answers passive sessions on 21 and five data ports, from
// internet clients and from members whose ingress admits nothing from it.
// Only the clients initiate; the server needs no egress for any of it.
func TestScenarioFTPServerFiveDataPorts(t *testing.T) {
	w := newWorld("ftpserver")
	w.addGroup("sg-ftp", []rule{tcp(21, 21, anywhere), tcp(ftpLo, ftpHi, anywhere)}, []rule{{proto: pAll, cidr: anywhere}})
	w.addGroup("sg-client", []rule{tcp(22, 22, office)}, []rule{{proto: pAll, cidr: anywhere}})
	srv := w.addENI("eni-00000000000000f01", linux, []string{"sg-ftp"}, 0, "10.9.1.10")
	cl := w.addENI("eni-00000000000000c01", windows, []string{"sg-client"}, 1, "10.9.2.20")
	s := &scenario{w: w}
	s.add("in-ftp-ctrl", pTCP, nil, srv, "198.51.100.9", "10.9.1.10", 52000, 21, 0, 3, false)
	s.add("ftp-ctrl", pTCP, cl, srv, "10.9.2.20", "10.9.1.10", 53000, 21, 0, 3, false)
	for i, p := range []int{50003, 50017, 50042, 50068, 50091} {
		s.add("in-ftp-data", pTCP, nil, srv, "198.51.100.9", "10.9.1.10", 52100+i, p, 60, 1+i%2, i == 3)
		s.add("ftp-data", pTCP, cl, srv, "10.9.2.20", "10.9.1.10", 53100+i*7, p, 60, 1+i%2, i == 2)
	}
	s.run(t)
}

// A churned interface: an instance was replaced and its successor reuses
// the address and groups; the old interface's logs are still in the
// window but it is no longer in the inventory.
func TestScenarioChurnedInterface(t *testing.T) {
	w := newWorld("churn")
	w.addGroup("sg-app", nil, []rule{{proto: pTCP, from: 3306, to: 3306, ref: "sg-db"}, tcp(443, 443, anywhere)})
	w.addGroup("sg-db", []rule{{proto: pTCP, from: 3306, to: 3306, ref: "sg-app"}}, []rule{{proto: pAll, cidr: anywhere}})
	old := w.addENI("eni-000000000000000a0", linux, []string{"sg-app"}, 0, "10.9.1.10")
	old.gone = true
	app := w.addENI("eni-000000000000000a1", linux, []string{"sg-app"}, 0, "10.9.1.10")
	db := w.addENI("eni-00000000000000d01", linux, []string{"sg-db"}, 1, "10.9.2.20")
	s := &scenario{w: w}
	s.add("tcp-3306", pTCP, old, db, "10.9.1.10", "10.9.2.20", 40001, 3306, 0, 2, false)
	s.add("tcp-443", pTCP, old, nil, "10.9.1.10", "52.95.110.1", 40002, 443, 0, 1, false)
	s.add("tcp-3306", pTCP, app, db, "10.9.1.10", "10.9.2.20", 50001, 3306, 1800, 2, true)
	s.add("tcp-443", pTCP, app, nil, "10.9.1.10", "52.95.110.1", 50002, 443, 1800, 1, false)
	s.run(t)
}
