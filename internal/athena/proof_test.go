package athena

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/awstest/athenatest"
	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/vpc"
)

// The proof: the query, run on SQLite over sample records, fed to
// flowlog.MergeFacts, gives row by row the observations and statistics the
// local engine gives for the same records written as a flow-log file.

// v5Columns is AWS's CREATE TABLE for flow logs (the fields up to
// traffic-path; region and the sublocation fields left out, which the
// local format here does not write either).
var v5Columns = []athenatest.AthenaColumn{
	{Name: "version", Type: "int"}, {Name: "account_id", Type: "string"}, {Name: "interface_id", Type: "string"},
	{Name: "srcaddr", Type: "string"}, {Name: "dstaddr", Type: "string"}, {Name: "srcport", Type: "int"},
	{Name: "dstport", Type: "int"}, {Name: "protocol", Type: "bigint"}, {Name: "packets", Type: "bigint"},
	{Name: "bytes", Type: "bigint"}, {Name: "start", Type: "bigint"}, {Name: "end", Type: "bigint"},
	{Name: "action", Type: "string"}, {Name: "log_status", Type: "string"}, {Name: "vpc_id", Type: "string"},
	{Name: "subnet_id", Type: "string"}, {Name: "instance_id", Type: "string"}, {Name: "tcp_flags", Type: "int"},
	{Name: "type", Type: "string"}, {Name: "pkt_srcaddr", Type: "string"}, {Name: "pkt_dstaddr", Type: "string"},
	{Name: "flow_direction", Type: "string"}, {Name: "traffic_path", Type: "int"},
}

// rec is one record as text fields, in v5Columns order ("-" for absent).
type rec [23]string

// sample generates records covering every initiator case: flags SYN,
// SYN-ACK, FIN only, none, absent (v2-like); TCP, UDP, SCTP, ICMP,
// ICMPv6, GRE, no protocol; both ends of a connection logged, one end
// only; accepted and rejected; NODATA and SKIPDATA; malformed records;
// IPv6; a forwarding interface (NAT gateway, typed in the inventory, and
// interfaces naming no instance) and pkt-* addresses (pods, one with its
// own branch interface); interfaces whose own address is undetermined; flow
// direction given or not; times in and out of a window.
func sample(seed uint64, n int) []rec {
	rnd := rand.New(rand.NewPCG(seed, 7))
	type eni struct {
		id, local    string
		meta         [3]string // vpc, subnet, instance
		v6, anywhere bool
	}
	enis := []eni{
		{id: "eni-0a", local: "10.0.1.10", meta: [3]string{"vpc-1", "subnet-1", "i-0a"}},
		{id: "eni-0b", local: "10.0.1.11", meta: [3]string{"vpc-1", "subnet-1", "i-0b"}},
		{id: "eni-0c", local: "10.0.2.20", meta: [3]string{"-", "-", "-"}},
		{id: "eni-06", local: "2001:db8:1::10", v6: true, meta: [3]string{"vpc-1", "subnet-6", "-"}},
		{id: "eni-0n", local: "10.0.3.5", meta: [3]string{"vpc-1", "subnet-3", "-"}},
		{id: "eni-0x", anywhere: true, meta: [3]string{"-", "-", "-"}},
		// an instance's interface whose own address the records do not tell
		{id: "eni-0y", anywhere: true, meta: [3]string{"vpc-1", "subnet-1", "i-0y"}},
	}
	peers4 := []string{"10.0.1.10", "10.0.1.11", "10.0.2.20", "198.51.100.7", "203.0.113.9", "10.0.9.9"}
	peers6 := []string{"2001:db8::1", "2001:db8::2", "2001:db8:1::10"}
	clientPorts := []int{33000, 40001, 51000, 9001, 9002, 9003, 5000, 1500}
	serverPorts := []int{22, 443, 7000, 8080, 9001, 5000, 53}
	pick := func(s []string) string { return s[rnd.IntN(len(s))] }
	var out []rec
	for len(out) < n {
		e := enis[rnd.IntN(len(enis))]
		local := e.local
		peerList := peers4
		if e.v6 {
			peerList = peers6
		}
		peer := pick(peerList)
		for peer == local {
			peer = pick(peerList)
		}
		if e.anywhere {
			local = pick(peers4)
			for peer == local {
				peer = pick(peerList)
			}
		}
		cp, spt := clientPorts[rnd.IntN(len(clientPorts))], serverPorts[rnd.IntN(len(serverPorts))]
		protos := []string{"6", "6", "6", "6", "17", "17", "1", "132", "47", "-"}
		if e.v6 {
			protos = append(protos, "58")
		}
		proto := pick(protos)
		// The connection: the local side is the client, or the peer is.
		client, server := local, peer
		if rnd.IntN(2) == 0 {
			client, server = peer, local
		}
		// This record: the request (client to server) or the reply.
		src, dst, sp, dp := client, server, cp, spt
		reply := rnd.IntN(2) == 0
		if reply {
			src, dst, sp, dp = server, client, spt, cp
		}
		flags := "-"
		if proto == "6" {
			flags = pick([]string{"-", "-", "2", "18", "1", "0", "19", "3", "16", "16"})
			if reply && flags == "2" {
				flags = "18"
			}
			if !reply && flags == "18" {
				flags = "2"
			}
		}
		fd := "-"
		if rnd.IntN(2) == 0 && !e.anywhere {
			fd = "ingress"
			if src == local {
				fd = "egress"
			}
		}
		action := "ACCEPT"
		if rnd.IntN(7) == 0 {
			action = "REJECT"
		}
		status := "OK"
		switch rnd.IntN(25) {
		case 0:
			status = "NODATA"
		case 1:
			status = "SKIPDATA"
		}
		start := 1_700_000_000 + rnd.IntN(7200)
		end := start + 60 + rnd.IntN(540)
		psrc, pdst := src, dst
		switch {
		case e.id == "eni-0n":
			// A NAT gateway: the packets are others'.
			if src == local {
				psrc = "10.0.1.77"
			} else {
				pdst = "10.0.1.77"
			}
		case rnd.IntN(10) == 0:
			psrc, pdst = "-", "-"
		case rnd.IntN(15) == 0:
			// pod addresses behind the interface: two pods, told apart by
			// the client port (no draw, so the rest of the sample stays),
			// so that pods of one interface share observation keys
			pod := "10.0.1.200"
			if cp%2 == 1 {
				pod = "10.0.1.201"
			}
			if src == local {
				psrc = pod
			} else {
				pdst = pod
			}
		}
		ports := [2]string{strconv.Itoa(sp), strconv.Itoa(dp)}
		if proto == "1" || proto == "58" || proto == "47" || rnd.IntN(30) == 0 {
			ports = [2]string{"0", "0"}
			if rnd.IntN(2) == 0 {
				ports = [2]string{"-", "-"}
			}
		}
		meta := e.meta
		if rnd.IntN(5) == 0 {
			meta = [3]string{"-", "-", "-"}
		}
		r := rec{"5", "123456789012", e.id, src, dst, ports[0], ports[1], proto,
			strconv.Itoa(1 + rnd.IntN(20)), strconv.Itoa(40 + rnd.IntN(5000)), strconv.Itoa(start), strconv.Itoa(end),
			action, status, meta[0], meta[1], meta[2], flags, "IPv4", psrc, pdst, fd, "-"}
		if e.v6 {
			r[18] = "IPv6"
		}
		if status != "OK" {
			for _, i := range []int{3, 4, 5, 6, 7, 8, 9, 12, 17, 19, 20, 21} {
				r[i] = "-"
			}
		}
		switch rnd.IntN(40) {
		case 0:
			r[11] = "-" // no end: inside any window
		case 1:
			r[10], r[11] = "-", "-"
		case 2:
			if status == "OK" && r[3] == local && !e.anywhere {
				r[4], r[20] = r[3], r[19] // to itself
			}
		}
		switch rnd.IntN(60) {
		case 0:
			r[12] = "-" // OK without an action: malformed
		case 1:
			r[3] = "-" // OK without srcaddr: malformed
		case 2:
			r[4] = "2001:db8::99" // families differ: malformed
		}
		out = append(out, r)
		// The other end logs the same connection (with its own flags, or
		// none when its log is in a format without them).
		if status == "OK" && rnd.IntN(3) == 0 {
			for _, o := range enis {
				if o.local == peer && !o.anywhere && o.id != e.id {
					c := r
					c[2] = o.id
					c[14], c[15], c[16] = o.meta[0], o.meta[1], o.meta[2]
					if c[21] != "-" {
						c[21] = "ingress"
						if c[3] == peer {
							c[21] = "egress"
						}
					}
					if rnd.IntN(2) == 0 {
						c[17] = "-"
					}
					if o.id == "eni-0n" {
						break
					}
					out = append(out, c)
					break
				}
			}
		}
	}
	return out
}

// localResult aggregates the records written as a flow-log text file
// with a header naming cols (a subset of v5Columns' fields).
func localResult(t *testing.T, recs []rec, cols []int, opts flowlog.Options) *flowlog.Result {
	t.Helper()
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ReplaceAll(v5Columns[c].Name, "_", "-"))
	}
	b.WriteByte('\n')
	for _, r := range recs {
		for i, c := range cols {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(r[c])
		}
		b.WriteByte('\n')
	}
	p := filepath.Join(t.TempDir(), "flows.log")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.MaxBadRatio = -1
	opts.Workers = 2
	res, err := flowlog.Aggregate(context.Background(), []string{p}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// loadTable makes the table of the columns cols (plus partition keys with
// their values from part) in the test server's SQLite and inserts recs:
// numbers as integers or NULL for "-" (as Athena's SerDe reads them),
// strings as written.
func loadTable(t *testing.T, a *athenatest.Athena, name string, recs []rec, cols []int, parts []athenatest.AthenaColumn, part func(rec) []any, params map[string]string) {
	t.Helper()
	tb := &athenatest.AthenaTable{Database: "flows", Name: name, PartitionKeys: parts, Parameters: params}
	for _, c := range cols {
		tb.Columns = append(tb.Columns, v5Columns[c])
	}
	if err := a.CreateTable(tb); err != nil {
		t.Fatal(err)
	}
	insertRecs(t, a, name, recs, cols, part)
}

// insertRecs adds records to a table loadTable made.
func insertRecs(t *testing.T, a *athenatest.Athena, name string, recs []rec, cols []int, part func(rec) []any) {
	t.Helper()
	var rows [][]any
	for _, r := range recs {
		var row []any
		for _, c := range cols {
			if isIntType(v5Columns[c].Type) {
				if r[c] == "-" {
					row = append(row, nil)
				} else {
					n, err := strconv.ParseInt(r[c], 10, 64)
					if err != nil {
						t.Fatal(err)
					}
					row = append(row, n)
				}
			} else {
				row = append(row, r[c])
			}
		}
		if part != nil {
			row = append(row, part(r)...)
		}
		rows = append(rows, row)
	}
	if err := a.Insert("flows", name, rows); err != nil {
		t.Fatal(err)
	}
}

func tableOf(a *athenatest.Athena, name string, cols []int, parts []athenatest.AthenaColumn, params map[string]string) *Table {
	t := &Table{Database: "flows", Name: name, Parameters: params}
	for _, c := range cols {
		t.Columns = append(t.Columns, Column{v5Columns[c].Name, v5Columns[c].Type})
	}
	for _, p := range parts {
		t.Partitions = append(t.Partitions, Column{p.Name, p.Type})
	}
	return t
}

// sqliteResult runs the query on the server's SQLite directly and merges.
func sqliteResult(t *testing.T, a *athenatest.Athena, tb *Table, q Query, opts flowlog.Options) (*flowlog.Result, string) {
	t.Helper()
	q.Dialect = SQLite
	sql, _, err := SQL(tb, q)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := a.DB.Query(sql)
	if err != nil {
		t.Fatalf("SQLite refused the query: %v\n%s", err, sql)
	}
	defer rows.Close()
	var facts Facts
	cols, _ := rows.Columns()
	if strings.Join(cols, ",") != strings.Join(ResultColumns, ",") {
		t.Fatalf("columns %v", cols)
	}
	for rows.Next() {
		vals := make([]*string, len(cols))
		ptrs := make([]any, len(cols))
		raw := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range raw {
			if v != nil {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				vals[i] = &s
			}
		}
		if err := facts.Add(vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	opts.MaxBadRatio = -1 // the sample's malformed records are many on purpose
	res, err := flowlog.MergeFacts(facts.Result(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res, sql
}

// sameResult compares observations row by row, the interfaces' ids, and
// the statistics a remote engine can know (all but files, lines, bytes
// and bad-line examples; outside-window counts when checkOutside).
func sameResult(t *testing.T, got, want *flowlog.Result, checkOutside bool) {
	t.Helper()
	n := max(len(got.Observations), len(want.Observations))
	bad := 0
	for i := 0; i < n && bad < 10; i++ {
		var g, w string
		if i < len(got.Observations) {
			g = fmt.Sprintf("%+v", got.Observations[i])
		}
		if i < len(want.Observations) {
			w = fmt.Sprintf("%+v", want.Observations[i])
		}
		if g != w {
			t.Errorf("observation %d:\n athena: %s\n  local: %s", i, g, w)
			bad++
		}
	}
	if g, w := fmt.Sprintf("%+v", got.Forwarded), fmt.Sprintf("%+v", want.Forwarded); g != w {
		t.Errorf("forwarded:\n athena: %s\n  local: %s", g, w)
	}
	gs, ws := got.Stats, want.Stats
	for _, s := range []*flowlog.Stats{&gs, &ws} {
		s.Files, s.Lines, s.BytesRead, s.BadLineExamples, s.SkippedFiles = 0, 0, 0, nil, nil
		if !checkOutside {
			s.OutsideTimeRange = 0
		}
	}
	if !reflect.DeepEqual(gs, ws) {
		t.Errorf("stats:\n athena: %+v\n  local: %+v", gs, ws)
	}
	if !reflect.DeepEqual(got.Interfaces, want.Interfaces) {
		t.Errorf("interfaces:\n athena: %v\n  local: %v", got.Interfaces, want.Interfaces)
	}
}

func allCols() []int {
	c := make([]int, len(v5Columns))
	for i := range c {
		c[i] = i
	}
	return c
}

// v2Cols are the version-2 fields: no tcp-flags, pkt-*, flow-direction.
var v2Cols = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}

func sampleInventory() *vpc.Inventory {
	inv := vpc.New()
	add := func(id, typ, addr string, groups ...string) {
		a := netip.MustParseAddr(addr)
		e := &vpc.Interface{ID: id, Type: typ, VpcID: "vpc-1", GroupIDs: groups}
		if a.Is4() {
			e.PrivateIPs = []netip.Addr{a}
		} else {
			e.IPv6s = []netip.Addr{a}
		}
		inv.Interfaces[id] = e
	}
	add("eni-0a", "interface", "10.0.1.10", "sg-web")
	add("eni-0b", "interface", "10.0.1.11", "sg-db")
	add("eni-06", "interface", "2001:db8:1::10", "sg-web")
	add("eni-0n", "natGateway", "10.0.3.5")
	// A pod with its own security group (a branch interface): its address
	// shows as pkt-* on eni-0a's records.
	add("eni-0p", "branch", "10.0.1.200", "sg-db")
	rule := func(g string, egress bool, proto vpc.Protocol, from, to int32, cidr string) vpc.Rule {
		return vpc.Rule{GroupID: g, Egress: egress, Protocol: proto, FromPort: from, ToPort: to,
			Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(cidr)}}
	}
	inv.Groups["sg-web"] = &vpc.SecurityGroup{ID: "sg-web", VpcID: "vpc-1", RulesKnown: true,
		Ingress: []vpc.Rule{rule("sg-web", false, vpc.ProtoTCP, 443, 443, "0.0.0.0/0"), rule("sg-web", false, vpc.ProtoTCP, 22, 22, "10.0.0.0/8")},
		Egress:  []vpc.Rule{rule("sg-web", true, vpc.ProtoTCP, 7000, 7000, "10.0.0.0/16"), rule("sg-web", true, vpc.ProtoAll, -1, -1, "::/0")}}
	inv.Groups["sg-db"] = &vpc.SecurityGroup{ID: "sg-db", VpcID: "vpc-1", RulesKnown: true,
		Ingress: []vpc.Rule{rule("sg-db", false, vpc.ProtoTCP, 7000, 7000, "10.0.0.0/16"), rule("sg-db", false, vpc.ProtoUDP, 5000, 5000, "10.0.0.0/8")}}
	inv.Loaded[vpc.KindNetworkInterfaces] = true
	inv.Loaded[vpc.KindSecurityGroups] = true
	return inv
}

// coverage fails the test when the sample missed a case the proof needs.
func coverage(t *testing.T, res *flowlog.Result, inventory, flags bool) {
	t.Helper()
	st := res.Stats
	conf := map[flowlog.Confidence]bool{}
	for _, o := range res.Observations {
		conf[o.Confidence] = true
	}
	need := []flowlog.Confidence{flowlog.Heuristic, flowlog.Ambiguous}
	if flags {
		need = append(need, flowlog.Exact)
	}
	if inventory {
		need = append(need, flowlog.ByRules)
	}
	for _, c := range need {
		if !conf[c] {
			t.Errorf("the sample has no %s observation", c)
		}
	}
	if st.Rejected == 0 || st.NoData == 0 || st.SkipData == 0 || st.BadLines == 0 || len(st.SkipDataInterfaces) == 0 {
		t.Errorf("the sample misses a record class: %+v", st)
	}
	if flags && (st.ForwardedRecords == 0 || len(res.Forwarded) == 0) {
		t.Errorf("no forwarded records: %+v", st)
	}
	undetermined, pods := false, false
	for _, o := range res.Observations {
		undetermined = undetermined || o.LocalUndetermined
		pods = pods || o.Local.String() == "10.0.1.200"
	}
	// Several pods of one interface under one key (interface, direction,
	// protocol, port, remote): each its own observation.
	sharedKey := false
	for i := 1; i < len(res.Observations); i++ {
		a, b := &res.Observations[i-1], &res.Observations[i]
		if a.InterfaceID == b.InterfaceID && a.Direction == b.Direction && a.Protocol == b.Protocol && a.Port == b.Port &&
			a.Accepted == b.Accepted && a.Remote == b.Remote && a.LocalUndetermined == b.LocalUndetermined &&
			a.Local != b.Local && strings.HasPrefix(b.Local.String(), "10.0.1.20") {
			sharedKey = true
		}
	}
	if flags && !sharedKey {
		t.Error("no observation key shared by several local addresses of one interface, pods among them")
	}
	if !undetermined && !inventory {
		t.Error("no observation with an undetermined local side")
	}
	if !pods && flags {
		t.Error("no observation with a pod's address as the local one")
	}
	branch := false
	for _, o := range res.Observations {
		branch = branch || o.InterfaceID == "eni-0p"
	}
	if inventory && flags && !branch {
		t.Error("no observation given to the pod's branch interface")
	}
}

func TestQueryMatchesLocalEngine(t *testing.T) {
	t.Parallel()
	a := athenatest.NewAthena(t)
	recs := sample(1, 2000)
	loadTable(t, a, "v5", recs, allCols(), nil, nil, nil)
	loadTable(t, a, "v2", recs, v2Cols, nil, nil, nil)
	window := Query{Since: time.Unix(1_700_001_000, 0), Until: time.Unix(1_700_006_000, 0)}
	for _, tc := range []struct {
		name  string
		table string
		cols  []int
		q     Query
		inv   bool
	}{
		{"v5", "v5", allCols(), Query{}, false},
		{"v5 inventory", "v5", allCols(), Query{}, true},
		{"v5 window", "v5", allCols(), window, false},
		{"v5 window inventory service ports", "v5", allCols(), Query{Since: window.Since, Until: window.Until, ServicePorts: []uint16{9001}}, true},
		{"v2", "v2", v2Cols, Query{}, false},
		{"v2 inventory window", "v2", v2Cols, window, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := flowlog.Options{Since: tc.q.Since, Until: tc.q.Until, ServicePorts: tc.q.ServicePorts}
			if tc.inv {
				opts.Inventory = sampleInventory()
			}
			want := localResult(t, recs, tc.cols, opts)
			got, _ := sqliteResult(t, a, tableOf(a, tc.table, tc.cols, nil, nil), tc.q, opts)
			sameResult(t, got, want, true)
			coverage(t, want, tc.inv, len(tc.cols) > len(v2Cols))
			if !tc.q.Since.IsZero() && want.Stats.OutsideTimeRange == 0 {
				t.Error("no record outside the window")
			}
		})
	}
}
