package flowlog

import (
	"bytes"
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/walls-dev/walls/internal/vpc"
)

// Issue #14: records as AWS writes them for pods and secondary addresses
// (pkt-* carries the pod's address, srcaddr/dstaddr the node's primary
// one), for forwarding interfaces, and for interfaces whose own side the
// records do not tell.

// podsHeader is a version-5 custom format with the fields these cases
// turn on: instance-id, tcp-flags, pkt-*, flow-direction.
const podsHeader = "version interface-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags pkt-srcaddr pkt-dstaddr flow-direction"

// podsV5 holds, in podsHeader's format:
//   - an EKS node's interface (eni-node, primary 10.0.1.10, instance
//     i-node): pod 10.0.1.200 opens tcp/5432 to 10.0.2.50 (SYN, then the
//     SYN-ACK back), 10.0.3.7 opens tcp/8080 to pod 10.0.1.201, and pod
//     10.0.1.200 talks on two unremarkable ports to 10.0.2.60, no flags;
//   - a NAT gateway's interface (eni-nat, 10.0.0.220, instance-id "-"):
//     the instance 10.0.1.5 reaches 203.0.113.5:443 through it.
const podsV5 = podsHeader + `
5 eni-node i-node 10.0.1.10 10.0.2.50 40001 5432 6 3 180 1700000000 1700000060 ACCEPT OK 2 10.0.1.200 10.0.2.50 egress
5 eni-node i-node 10.0.2.50 10.0.1.10 5432 40001 6 3 180 1700000000 1700000060 ACCEPT OK 18 10.0.2.50 10.0.1.200 ingress
5 eni-node i-node 10.0.3.7 10.0.1.10 51000 8080 6 4 400 1700000000 1700000060 ACCEPT OK 2 10.0.3.7 10.0.1.201 ingress
5 eni-node i-node 10.0.1.10 10.0.3.7 8080 51000 6 4 400 1700000000 1700000060 ACCEPT OK 18 10.0.1.201 10.0.3.7 egress
5 eni-node i-node 10.0.1.10 10.0.2.60 30000 31000 6 2 100 1700000000 1700000060 ACCEPT OK 0 10.0.1.200 10.0.2.60 egress
5 eni-nat - 10.0.1.5 10.0.0.220 49152 443 6 5 500 1700000000 1700000060 ACCEPT OK 2 10.0.1.5 203.0.113.5 ingress
5 eni-nat - 10.0.0.220 203.0.113.5 61000 443 6 5 500 1700000000 1700000060 ACCEPT OK 2 10.0.0.220 203.0.113.5 egress
5 eni-nat - 203.0.113.5 10.0.0.220 443 61000 6 5 500 1700000000 1700000060 ACCEPT OK 18 203.0.113.5 10.0.0.220 ingress
5 eni-nat - 10.0.0.220 10.0.1.5 443 49152 6 5 500 1700000000 1700000060 ACCEPT OK 18 203.0.113.5 10.0.1.5 egress
`

var (
	podRows = []string{
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=2 pkts=6 bytes=360",
		"eni-node outbound tcp/31000 10.0.2.60 accept ambiguous flows=1 pkts=2 bytes=100",
		"eni-node inbound tcp/8080 10.0.3.7 accept exact flows=2 pkts=8 bytes=800",
		"eni-node inbound tcp/30000 10.0.2.60 accept ambiguous flows=1 pkts=2 bytes=100",
	}
	natRows = []string{
		"eni-nat tcp/443 10.0.0.220 -> 203.0.113.5 accept exact flows=2",
		"eni-nat tcp/443 10.0.1.5 -> 203.0.113.5 accept exact flows=2",
	}
)

// locals lists each observation's local address.
func locals(r *Result) []string {
	var out []string
	for _, o := range r.Observations {
		out = append(out, o.Local.String())
	}
	return out
}

// podsInventory: the node's interface (a trunk, as with security groups
// for pods) with groups open both ways, the NAT gateway's interface as
// describe-network-interfaces shows it when its type says nothing more,
// and, when branch is set, pod 10.0.1.200's branch interface, whose group
// admits only its egress to tcp/31000.
func podsInventory(branch bool) *vpc.Inventory {
	inv := vpc.New()
	cidr := func(g string, egress bool, proto vpc.Protocol, from, to int32, c string) vpc.Rule {
		return vpc.Rule{GroupID: g, Egress: egress, Protocol: proto, FromPort: from, ToPort: to,
			Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(c)}}
	}
	inv.Groups["sg-node"] = &vpc.SecurityGroup{ID: "sg-node", VpcID: "vpc-1", RulesKnown: true,
		Ingress: []vpc.Rule{cidr("sg-node", false, vpc.ProtoAll, -1, -1, "10.0.0.0/8")},
		Egress:  []vpc.Rule{cidr("sg-node", true, vpc.ProtoAll, -1, -1, "0.0.0.0/0")}}
	inv.Groups["sg-pod"] = &vpc.SecurityGroup{ID: "sg-pod", VpcID: "vpc-1", RulesKnown: true,
		Egress: []vpc.Rule{cidr("sg-pod", true, vpc.ProtoTCP, 31000, 31000, "10.0.2.0/24")}}
	add := func(i *vpc.Interface) { inv.Interfaces[i.ID] = i }
	add(&vpc.Interface{ID: "eni-node", Type: "trunk", VpcID: "vpc-1", InstanceID: "i-node", GroupIDs: []string{"sg-node"},
		PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.1.10")}})
	add(&vpc.Interface{ID: "eni-nat", Type: "interface", VpcID: "vpc-1", RequesterManaged: true,
		Description: "Interface for NAT Gateway nat-0123456789abcdef0", PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.0.220")}})
	if branch {
		add(&vpc.Interface{ID: "eni-pod", Type: "branch", VpcID: "vpc-1", GroupIDs: []string{"sg-pod"},
			PrivateIPs: []netip.Addr{netip.MustParseAddr("10.0.1.200")}})
	}
	inv.Loaded[vpc.KindNetworkInterfaces] = true
	inv.Loaded[vpc.KindSecurityGroups] = true
	return inv
}

func TestPodsAndForwardersV5(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := writeFile(t, dir, "pods.log", podsV5)
	wantLocals := []string{"10.0.1.200", "10.0.1.200", "10.0.1.201", "10.0.1.200"}
	for _, tc := range []struct {
		name   string
		inv    *vpc.Inventory
		want   []string
		locals []string
	}{
		// Without an inventory: the node names its instance, so its pods
		// keep their connections; the NAT interface names none.
		{"no inventory", nil, podRows, nil},
		// The inventory's trunk interface has groups open both ways: the
		// flagless pair stays ambiguous; the NAT interface is recognised by
		// its requester-managed description.
		{"inventory", podsInventory(false), podRows, nil},
		// The pod's own branch interface: its group admits only the pod's
		// egress to tcp/31000, so the rules decide that pair, and the pod's
		// observations are its interface's, whose groups learn tightens.
		{"inventory with the pod's branch interface", podsInventory(true), []string{
			podRows[2], "eni-pod outbound tcp/5432 10.0.2.50 accept exact flows=2 pkts=6 bytes=360",
			"eni-pod outbound tcp/31000 10.0.2.60 accept by-rules flows=1 pkts=2 bytes=100"}, []string{"10.0.1.201", "10.0.1.200", "10.0.1.200"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := aggregate(t, []string{p}, Options{Inventory: tc.inv})
			equalLines(t, rows(res), tc.want)
			equalLines(t, forwardedRows(res), natRows)
			want := tc.locals
			if want == nil {
				want = wantLocals
			}
			if got := locals(res); !slices.Equal(got, want) {
				t.Errorf("local addresses %v, want the pods' %v", got, want)
			}
			st := res.Stats
			if st.ForwardedRecords != 4 || st.UndeterminedLocalRecords != 0 || st.Records != 9 ||
				st.ExactRecords+st.ByRulesRecords+st.HeuristicRecords+st.UndecidedRecords+st.ForwardedRecords != st.Records {
				t.Errorf("stats %+v", st)
			}
		})
	}
	// The same records written as Parquet, as AWS delivers them.
	res := aggregate(t, []string{writeFile(t, dir, "pods.parquet", podsParquet(t, podsV5))}, Options{})
	equalLines(t, rows(res), podRows)
	equalLines(t, forwardedRows(res), natRows)
}

// A pod address alone does not make a forwarder: before #14 every
// interface with a different pkt-* address was left out as transit.
// Without instance-id, the records cannot say the interface is a NAT's:
// its traffic stays its own.
func TestPktAddressWithoutInstanceField(t *testing.T) {
	t.Parallel()
	format := strings.ReplaceAll(podsHeader, " instance-id", "")
	var b strings.Builder
	b.WriteString(format + "\n")
	for _, line := range strings.Split(strings.TrimSpace(podsV5), "\n")[1:6] {
		f := strings.Fields(line)
		b.WriteString(strings.Join(append(f[:2:2], f[3:]...), " ") + "\n")
	}
	res := aggregate(t, []string{writeFile(t, t.TempDir(), "pods.log", b.String())}, Options{})
	equalLines(t, rows(res), podRows)
	if len(res.Forwarded) != 0 {
		t.Errorf("forwarded %v", forwardedRows(res))
	}
}

// Version 2, with the header S3 writes and without it: an interface seen
// with one private peer only. Its own address is undetermined, yet its
// connection is reported, once with each end as the interface.
func TestUndeterminedLocalV2(t *testing.T) {
	t.Parallel()
	const recs = `2 123456789012 eni-v2 10.0.5.5 10.0.6.6 45000 22 6 10 1000 1700000000 1700000060 ACCEPT OK
2 123456789012 eni-v2 10.0.6.6 10.0.5.5 22 45000 6 8 2000 1700000000 1700000060 ACCEPT OK
`
	want := []string{
		"eni-v2 outbound tcp/22 10.0.6.6 accept heuristic flows=2 pkts=18 bytes=3000 local=10.0.5.5 undetermined",
		"eni-v2 inbound tcp/22 10.0.5.5 accept heuristic flows=2 pkts=18 bytes=3000 local=10.0.6.6 undetermined",
	}
	dir := t.TempDir()
	header := strings.ReplaceAll(strings.NewReplacer("${", "", "}", "").Replace(DefaultLogFormat), "  ", " ")
	for _, src := range []string{writeFile(t, dir, "none.log", recs), writeFile(t, dir, "header.log", header+"\n"+recs)} {
		res := aggregate(t, []string{src}, Options{})
		equalLines(t, rows(res), want)
		st := res.Stats
		if !slices.Equal(st.UndeterminedInterfaces, []string{"eni-v2"}) || st.UndeterminedLocalRecords != 2 || st.HeuristicRecords != 2 {
			t.Errorf("%s: stats %+v", src, st)
		}
		// With the interface in the inventory the side is known: one row.
		res = aggregate(t, []string{src}, Options{Inventory: eniInv(map[string][]string{"eni-v2": {"10.0.6.6"}})})
		equalLines(t, rows(res), []string{"eni-v2 inbound tcp/22 10.0.5.5 accept heuristic flows=2 pkts=18 bytes=3000"})
	}
}

// A Parquet file whose columns lack the protocol and ports is refused,
// naming them, rather than read as protocol "unknown", port 0.
func TestParquetWithoutRequiredColumns(t *testing.T) {
	t.Parallel()
	type row struct {
		InterfaceID string `parquet:"interface_id"`
		Srcaddr     string `parquet:"srcaddr"`
		Dstaddr     string `parquet:"dstaddr"`
		Action      string `parquet:"action"`
		LogStatus   string `parquet:"log_status"`
	}
	var buf bytes.Buffer
	if err := parquet.Write(&buf, []row{{"eni-1", "10.0.0.1", "10.0.0.2", "ACCEPT", "OK"}}); err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "thin.parquet", buf.String())
	_, err := Aggregate(context.Background(), []string{p}, Options{})
	if err == nil || !strings.Contains(err.Error(), "thin.parquet") || !strings.Contains(err.Error(), "lacks the required fields srcport, dstport, protocol") {
		t.Errorf("err = %v", err)
	}
}

// An interface seen with one private peer and no flow-direction: its own
// address is the one on the side where pkt-* differs (AWS writes the
// interface's primary address there), so a pod's connection is not left
// undetermined.
func TestPktAddressTellsOwnSide(t *testing.T) {
	t.Parallel()
	format := strings.ReplaceAll(podsHeader, " flow-direction", "")
	var b strings.Builder
	b.WriteString(format + "\n")
	for _, line := range strings.Split(strings.TrimSpace(podsV5), "\n")[1:3] {
		f := strings.Fields(line)
		b.WriteString(strings.Join(f[:len(f)-1], " ") + "\n")
	}
	res := aggregate(t, []string{writeFile(t, t.TempDir(), "pod.log", b.String())}, Options{})
	equalLines(t, rows(res), podRows[:1])
	if got := locals(res); !slices.Equal(got, []string{"10.0.1.200"}) || len(res.Stats.UndeterminedInterfaces) != 0 {
		t.Errorf("locals %v, undetermined %v", got, res.Stats.UndeterminedInterfaces)
	}
}

// podsParquet writes records in podsHeader's format as Parquet, as AWS
// delivers them: instance-id "-" is an absent value.
func podsParquet(t *testing.T, text string) string {
	t.Helper()
	type pqPod struct {
		Version     int32   `parquet:"version"`
		InterfaceID string  `parquet:"interface_id"`
		InstanceID  *string `parquet:"instance_id,optional"`
		Srcaddr     string  `parquet:"srcaddr"`
		Dstaddr     string  `parquet:"dstaddr"`
		Srcport     int32   `parquet:"srcport"`
		Dstport     int32   `parquet:"dstport"`
		Protocol    int32   `parquet:"protocol"`
		Packets     int64   `parquet:"packets"`
		Bytes       int64   `parquet:"bytes"`
		Start       int64   `parquet:"start"`
		End         int64   `parquet:"end"`
		Action      string  `parquet:"action"`
		LogStatus   string  `parquet:"log_status"`
		TCPFlags    int32   `parquet:"tcp_flags"`
		PktSrcaddr  string  `parquet:"pkt_srcaddr"`
		PktDstaddr  string  `parquet:"pkt_dstaddr"`
		FlowDir     string  `parquet:"flow_direction"`
	}
	var pq []pqPod
	for _, line := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		f := strings.Fields(line)
		n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
		r := pqPod{Version: 5, InterfaceID: f[1], Srcaddr: f[3], Dstaddr: f[4], Srcport: int32(n(5)), Dstport: int32(n(6)),
			Protocol: int32(n(7)), Packets: n(8), Bytes: n(9), Start: n(10), End: n(11), Action: f[12], LogStatus: f[13],
			TCPFlags: int32(n(14)), PktSrcaddr: f[15], PktDstaddr: f[16], FlowDir: f[17]}
		if f[2] != "-" {
			r.InstanceID = &f[2] // AWS's Parquet holds no "-": the value is absent
		}
		pq = append(pq, r)
	}
	var buf bytes.Buffer
	if err := parquet.Write(&buf, pq); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// severalPodsV5: three pods of one node interface (eni-node, primary
// 10.0.1.10) and the node itself open tcp/5432 to the same database, and
// 10.0.3.7 reaches two pods on tcp/8080: the same observation key
// (interface, direction, protocol, port, remote) with several local
// addresses. Pod 10.0.1.202 opens two connections.
const severalPodsV5 = podsHeader + `
5 eni-node i-node 10.0.1.10 10.0.2.50 40001 5432 6 3 180 1700000000 1700000060 ACCEPT OK 2 10.0.1.201 10.0.2.50 egress
5 eni-node i-node 10.0.1.10 10.0.2.50 40002 5432 6 1 60 1700000000 1700000060 ACCEPT OK 2 10.0.1.200 10.0.2.50 egress
5 eni-node i-node 10.0.1.10 10.0.2.50 40003 5432 6 2 120 1700000000 1700000060 ACCEPT OK 2 10.0.1.10 10.0.2.50 egress
5 eni-node i-node 10.0.1.10 10.0.2.50 40004 5432 6 4 240 1700000000 1700000060 ACCEPT OK 2 10.0.1.202 10.0.2.50 egress
5 eni-node i-node 10.0.1.10 10.0.2.50 40005 5432 6 5 300 1700000100 1700000160 ACCEPT OK 2 10.0.1.202 10.0.2.50 egress
5 eni-node i-node 10.0.3.7 10.0.1.10 51000 8080 6 4 400 1700000000 1700000060 ACCEPT OK 2 10.0.3.7 10.0.1.201 ingress
5 eni-node i-node 10.0.3.7 10.0.1.10 51001 8080 6 6 600 1700000000 1700000060 ACCEPT OK 2 10.0.3.7 10.0.1.200 ingress
`

// Several pods of one interface behind one observation key: each pod is
// its own observation with its own local address (before, the rows were
// summed under the lowest one, and a pod with its own branch interface
// lent it the others' traffic or lost its own), in v5 text and Parquet.
func TestSeveralPodsOneInterface(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	text := writeFile(t, dir, "pods.log", severalPodsV5)
	pq := writeFile(t, dir, "pods.parquet", podsParquet(t, severalPodsV5))
	want := []string{
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=2 bytes=120 local=10.0.1.10",
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=1 bytes=60 local=10.0.1.200",
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=3 bytes=180 local=10.0.1.201",
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=2 pkts=9 bytes=540 local=10.0.1.202",
		"eni-node inbound tcp/8080 10.0.3.7 accept exact flows=1 pkts=6 bytes=600 local=10.0.1.200",
		"eni-node inbound tcp/8080 10.0.3.7 accept exact flows=1 pkts=4 bytes=400 local=10.0.1.201",
	}
	// With pod 10.0.1.200's own branch interface, exactly its rows move.
	branch := []string{
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=2 bytes=120 local=10.0.1.10",
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=3 bytes=180 local=10.0.1.201",
		"eni-node outbound tcp/5432 10.0.2.50 accept exact flows=2 pkts=9 bytes=540 local=10.0.1.202",
		"eni-node inbound tcp/8080 10.0.3.7 accept exact flows=1 pkts=4 bytes=400 local=10.0.1.201",
		"eni-pod outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=1 bytes=60 local=10.0.1.200",
		"eni-pod inbound tcp/8080 10.0.3.7 accept exact flows=1 pkts=6 bytes=600 local=10.0.1.200",
	}
	withLocal := func(r *Result) []string {
		out := rows(r)
		for i, o := range r.Observations {
			out[i] += " local=" + o.Local.String()
		}
		return out
	}
	for _, src := range []string{text, pq} {
		for _, workers := range []int{1, 3} {
			res := aggregate(t, []string{src}, Options{Workers: workers})
			equalLines(t, withLocal(res), want)
			if res.Stats.Observations != len(want) || res.Stats.ExactRecords != 7 {
				t.Errorf("%s: stats %+v", src, res.Stats)
			}
			res = aggregate(t, []string{src}, Options{Workers: workers, Inventory: podsInventory(true)})
			equalLines(t, withLocal(res), branch)
		}
	}
}

// A packet address that other records of the interface show as
// srcaddr/dstaddr is one local address, not two rows: its observations
// fold, and the shards' results close up around the folded row.
func TestPodAddressAlsoInterfaceAddress(t *testing.T) {
	t.Parallel()
	const recs = podsHeader + `
5 eni-a i-a 10.0.1.10 10.0.2.50 40001 5432 6 3 180 1700000000 1700000060 ACCEPT OK 2 10.0.1.200 10.0.2.50 egress
5 eni-a i-a 10.0.1.200 10.0.2.50 40002 5432 6 1 60 1700000000 1700000060 ACCEPT OK 2 10.0.1.200 10.0.2.50 egress
5 eni-a i-a 10.0.1.10 10.0.2.50 40003 5432 6 2 120 1700000000 1700000060 ACCEPT OK 2 10.0.1.10 10.0.2.50 egress
5 eni-b i-b 10.0.4.4 10.0.2.50 40004 5432 6 4 240 1700000000 1700000060 ACCEPT OK 2 10.0.4.4 10.0.2.50 egress
5 eni-b i-b 10.0.4.4 10.0.2.51 40005 5432 6 5 300 1700000000 1700000060 ACCEPT OK 2 10.0.4.9 10.0.2.51 egress
`
	want := []string{
		"eni-a outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=2 bytes=120 local=10.0.1.10",
		"eni-a outbound tcp/5432 10.0.2.50 accept exact flows=2 pkts=4 bytes=240 local=10.0.1.200",
		"eni-b outbound tcp/5432 10.0.2.50 accept exact flows=1 pkts=4 bytes=240 local=10.0.4.4",
		"eni-b outbound tcp/5432 10.0.2.51 accept exact flows=1 pkts=5 bytes=300 local=10.0.4.9",
	}
	dir := t.TempDir()
	for _, src := range []string{writeFile(t, dir, "pods.log", recs), writeFile(t, dir, "pods.parquet", podsParquet(t, recs))} {
		for _, workers := range []int{1, 2} {
			res := aggregate(t, []string{src}, Options{Workers: workers})
			got := rows(res)
			for i, o := range res.Observations {
				got[i] += " local=" + o.Local.String()
			}
			equalLines(t, got, want)
			if res.Stats.Observations != len(want) {
				t.Errorf("%s, %d workers: stats.observations %d", src, workers, res.Stats.Observations)
			}
		}
	}
}
