package truth

import (
	"math/rand"
	"net/netip"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/plan"
)

// handWorld is a small VPC whose answers are checked by hand below.
func handWorld() (*world, *eni, *eni) {
	w := newWorld("hand")
	w.addGroup("sg-app", nil, []rule{{proto: pICMP, from: 8, to: 0, cidr: anywhere}, {proto: pTCP, from: 3306, to: 3306, ref: "sg-db"}})
	w.addGroup("sg-db", []rule{{proto: pTCP, from: 3306, to: 3306, ref: "sg-app"}}, []rule{{proto: pAll, cidr: anywhere}})
	app := w.addENI("eni-0000000000000a001", linux, []string{"sg-app"}, 0, "10.9.1.10")
	db := w.addENI("eni-0000000000000d001", linux, []string{"sg-db"}, 1, "10.9.2.20", "10.9.2.120")
	return w, app, db
}

func TestEvaluatorByHand(t *testing.T) {
	w, app, db := handWorld()
	eg := func(p pkt) bool { return w.sgAllows(app.groups, true, p) }
	for _, c := range []struct {
		name string
		p    pkt
		want bool
	}{
		{"echo request to the internet", echo(mustAddr("1.2.3.4")), true},
		{"echo reply is another type", pkt{proto: pICMP, icmpT: 0, icmpC: 0, addr: mustAddr("1.2.3.4")}, false},
		{"type 8 code 3 is not 8/0", pkt{proto: pICMP, icmpT: 8, icmpC: 3, addr: mustAddr("1.2.3.4")}, false},
		{"mysql to the db's primary address", pkt{proto: pTCP, port: 3306, addr: mustAddr("10.9.2.20")}, true},
		{"mysql to the db's secondary address", pkt{proto: pTCP, port: 3306, addr: mustAddr("10.9.2.120")}, true},
		{"mysql to an address of no member", pkt{proto: pTCP, port: 3306, addr: mustAddr("10.9.2.21")}, false},
		{"another port to the db", pkt{proto: pTCP, port: 3307, addr: mustAddr("10.9.2.20")}, false},
		{"udp 3306 to the db", pkt{proto: pUDP, port: 3306, addr: mustAddr("10.9.2.20")}, false},
	} {
		if got := eg(c.p); got != c.want {
			t.Errorf("app egress, %s: got %v, want %v", c.name, got, c.want)
		}
	}
	if !protoPortMatches(rule{proto: pAll}, pkt{proto: 50}) || protoPortMatches(rule{proto: pTCP, from: 0, to: 65535}, pkt{proto: 50}) {
		t.Error("protocol -1 must match ESP and tcp 0-65535 must not")
	}
	if !protoPortMatches(rule{proto: pICMP, from: 8, to: -1}, pkt{proto: pICMP, icmpT: 8, icmpC: 5}) {
		t.Error("icmp 8/-1 must match every code of type 8")
	}

	mysql := &conn{proto: pTCP, init: app, resp: db, src: app.ips[0], dst: db.ips[1], sport: 40000, dport: 3306}
	if !w.allowed(mysql) {
		t.Error("app to db:3306 on the secondary address is allowed by app's egress and db's ingress")
	}
	if w.reversePossible(mysql) {
		t.Error("db to app:40000 needs app's ingress, which admits nothing: the rules decide the direction")
	}
	if w.allowed(&conn{proto: pTCP, init: app, resp: db, src: app.ips[0], dst: db.ips[0], sport: 40000, dport: 22}) {
		t.Error("app to db:22 is denied by app's egress")
	}
	if w.allowed(&conn{proto: pTCP, init: db, resp: app, src: db.ips[0], dst: app.ips[0], sport: 40000, dport: 3306}) {
		t.Error("db to app:3306 is denied by app's ingress")
	}
	if !w.allowed(&conn{proto: pTCP, init: app, src: app.ips[0], dst: w.cidr.Addr().Next().Next(), sport: 40000, dport: 53}) {
		t.Error("the VPC resolver is not filtered")
	}
	ping := &conn{proto: pICMP, init: app, src: app.ips[0], dst: mustAddr("1.2.3.4")}
	if !w.allowed(ping) || w.reversePossible(ping) {
		t.Error("app may ping the internet; the internet may not ping app (no ingress)")
	}
}

func TestFromPlanAndWithin(t *testing.T) {
	w, _, _ := handWorld()
	r, err := fromPlan(plan.Rule{IPProtocol: "icmp", FromPort: 8, ToPort: 0, CidrIPv4: "0.0.0.0/0", IsEgress: true})
	if err != nil || r.proto != pICMP || r.from != 8 || r.to != 0 || r.cidr != anywhere {
		t.Errorf("icmp 8/0 rule read as %v, %v", r, err)
	}
	r, err = fromPlan(plan.Rule{IPProtocol: "tcp", FromPort: 3306, ToPort: 3306, ReferencedGroupInfo: &plan.GroupInfo{GroupID: "sg-db"}})
	if err != nil || r.ref != "sg-db" || r.from != 3306 {
		t.Errorf("group rule read as %v, %v", r, err)
	}
	if _, err := fromPlan(plan.Rule{IPProtocol: "tcp", FromPort: 443, ToPort: 443, PrefixListID: "pl-1"}); err == nil {
		t.Error("a prefix list peer must be refused: the generator makes none")
	}
	app := w.group("sg-app")
	for _, c := range []struct {
		r      rule
		inside bool
	}{
		{rule{proto: pICMP, from: 8, to: 0, cidr: netip.MustParsePrefix("1.2.3.4/32")}, true},
		{rule{proto: pICMP, from: 8, to: -1, cidr: anywhere}, false},
		{rule{proto: pICMP, from: -1, to: -1, cidr: netip.MustParsePrefix("1.2.3.4/32")}, false},
		{rule{proto: pTCP, from: 3306, to: 3306, ref: "sg-db"}, true},
		{rule{proto: pTCP, from: 3306, to: 3306, cidr: netip.MustParsePrefix("10.9.2.20/32")}, true},
		{rule{proto: pTCP, from: 3306, to: 3306, cidr: netip.MustParsePrefix("10.9.2.0/24")}, false},
		{rule{proto: pTCP, from: 3306, to: 3307, ref: "sg-db"}, false},
		{rule{proto: pTCP, from: 3306, to: 3306, ref: "sg-app"}, false},
	} {
		why := w.outside(app, c.r)
		if (why == "") != c.inside {
			t.Errorf("%s within app's egress: got %q, want inside=%v", c.r, why, c.inside)
		}
	}
	// A group reference covers future members: a subnet CIDR in the
	// current egress does not contain it, the VPC block does.
	g := &group{id: "sg-x", egress: []rule{{proto: pTCP, from: 3306, to: 3306, cidr: netip.MustParsePrefix("10.9.2.0/24")}}}
	if w.outside(g, rule{proto: pTCP, from: 3306, to: 3306, ref: "sg-db"}) == "" {
		t.Error("a reference to sg-db is wider than a subnet CIDR")
	}
	g.egress[0].cidr = w.cidr
	if why := w.outside(g, rule{proto: pTCP, from: 3306, to: 3306, ref: "sg-db"}); why != "" {
		t.Errorf("a reference to sg-db is within the VPC block: %s", why)
	}
}

func TestRecordsByHand(t *testing.T) {
	w, app, db := handWorld()
	ok := &conn{class: "tcp-3306", proto: pTCP, init: app, resp: db, src: app.ips[0], dst: db.ips[0], sport: 40000, dport: 3306, start: t0, windows: 2}
	ok.accepted = w.allowed(ok)
	recs := records(w, []*conn{ok}, rand.New(rand.NewSource(1)))
	if len(recs) != 8 {
		t.Fatalf("2 windows x 2 directions x 2 logging interfaces: got %d records", len(recs))
	}
	v5 := formats[3]
	hdr, err := flowlog.ParseHeader(strings.Join(v5.fields, " "))
	if err != nil || hdr.Len() != len(v5.fields) || hdr.Version() != 5 {
		t.Fatalf("v5 header: %v", err)
	}
	want := []string{
		"5 111122223333 eni-0000000000000a001 10.9.1.10 10.9.2.20 40000 3306 6 ",
		" ACCEPT OK vpc-hand subnet-1 i-eni-0000000000000a001 2 IPv4 10.9.1.10 10.9.2.20 us-east-1 use1-az1 - - - - egress 1",
	}
	l := v5.line(w, recs[0])
	if !strings.HasPrefix(l, want[0]) || !strings.Contains(l, want[1]) || len(strings.Fields(l)) != len(v5.fields) {
		t.Errorf("initiator's first request record:\n got %s\nwant %s…%s", l, want[0], want[1])
	}
	reply := v5.line(w, recs[1])
	if !strings.Contains(reply, " 10.9.2.20 10.9.1.10 3306 40000 ") || !strings.Contains(reply, " 18 IPv4 ") || !strings.HasSuffix(reply, " ingress -") {
		t.Errorf("initiator's first reply record: %s", reply)
	}
	last := v5.line(w, recs[len(recs)-2])
	if !strings.Contains(last, "eni-0000000000000d001") || !strings.Contains(last, " 1 IPv4 ") || !strings.HasSuffix(last, " ingress -") {
		t.Errorf("responder's last request record: FIN only, ingress: %s", last)
	}
	if l := formats[0].line(w, recs[0]); len(strings.Fields(l)) != 14 {
		t.Errorf("v2 record: %s", l)
	}
	// Denied by the responder's ingress: the request, rejected, on both ends.
	in := &conn{class: "tcp-3306", proto: pTCP, init: db, resp: app, src: db.ips[0], dst: app.ips[0], sport: 40001, dport: 3306, start: t0, windows: 1}
	// Denied by the initiator's egress: only the initiator logs it.
	out := &conn{class: "tcp-22", proto: pTCP, init: app, resp: db, src: app.ips[0], dst: db.ips[0], sport: 40002, dport: 22, start: t0, windows: 1}
	for _, c := range []*conn{in, out} {
		if c.accepted = w.allowed(c); c.accepted {
			t.Fatalf("%s must be denied", c)
		}
	}
	if recs := records(w, []*conn{in}, rand.New(rand.NewSource(1))); len(recs) != 2 || recs[0].accept || recs[1].accept {
		t.Errorf("ingress-denied: want 2 REJECT request records, got %+v", recs)
	}
	if recs := records(w, []*conn{out}, rand.New(rand.NewSource(1))); len(recs) != 1 || recs[0].e != app || recs[0].accept {
		t.Errorf("egress-denied: want 1 REJECT record on the initiator, got %+v", recs)
	}
}
