package flowlog

import (
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// Hand-made connections on one instance (eni-0a0000000000000001, 10.0.1.10):
// an admin SSHes in, the instance runs yum against a mirror, and a scanner
// probes RDP and is rejected. Each in the v2 default format (flags absent:
// heuristic) and in a v5 custom format (flags and flow-direction: exact),
// with the expected classification written out by hand.
const (
	hmENI = "eni-0a0000000000000001"

	handmadeV2 = `2 123456789012 eni-0a0000000000000001 198.51.100.7 10.0.1.10 50022 22 6 12 2400 1700000000 1700000060 ACCEPT OK
2 123456789012 eni-0a0000000000000001 10.0.1.10 198.51.100.7 22 50022 6 10 3100 1700000000 1700000060 ACCEPT OK
2 123456789012 eni-0a0000000000000001 10.0.1.10 203.0.113.50 41234 443 6 8 900 1700000010 1700000040 ACCEPT OK
2 123456789012 eni-0a0000000000000001 203.0.113.50 10.0.1.10 443 41234 6 30 42000 1700000010 1700000040 ACCEPT OK
2 123456789012 eni-0a0000000000000001 192.0.2.99 10.0.1.10 61000 3389 6 1 44 1700000020 1700000020 REJECT OK
`
	hmV5Format = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags} ${flow-direction} ${pkt-srcaddr} ${pkt-dstaddr}"

	// The SSH session spans two windows; the second has no SYN (flags 0)
	// and still belongs to the exact inbound observation.
	handmadeV5 = `5 123456789012 eni-0a0000000000000001 198.51.100.7 10.0.1.10 50022 22 6 12 2400 1700000000 1700000060 ACCEPT OK 2 ingress 198.51.100.7 10.0.1.10
5 123456789012 eni-0a0000000000000001 10.0.1.10 198.51.100.7 22 50022 6 10 3100 1700000000 1700000060 ACCEPT OK 18 egress 10.0.1.10 198.51.100.7
5 123456789012 eni-0a0000000000000001 198.51.100.7 10.0.1.10 50022 22 6 5 300 1700000060 1700000120 ACCEPT OK 0 ingress 198.51.100.7 10.0.1.10
5 123456789012 eni-0a0000000000000001 10.0.1.10 198.51.100.7 22 50022 6 4 500 1700000060 1700000120 ACCEPT OK 1 egress 10.0.1.10 198.51.100.7
5 123456789012 eni-0a0000000000000001 10.0.1.10 203.0.113.50 41234 443 6 8 900 1700000010 1700000040 ACCEPT OK 3 egress 10.0.1.10 203.0.113.50
5 123456789012 eni-0a0000000000000001 203.0.113.50 10.0.1.10 443 41234 6 30 42000 1700000010 1700000040 ACCEPT OK 19 ingress 203.0.113.50 10.0.1.10
5 123456789012 eni-0a0000000000000001 192.0.2.99 10.0.1.10 61000 3389 6 1 44 1700000020 1700000020 REJECT OK 2 ingress 192.0.2.99 10.0.1.10
`
)

func TestHandmadeConnections(t *testing.T) {
	t.Parallel()
	v5, err := ParseLogFormat(hmV5Format)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		data   string
		format *Format
		want   []string
	}{{
		name: "v2: heuristic from ports", data: handmadeV2,
		want: []string{
			hmENI + " outbound tcp/443 203.0.113.50 accept heuristic flows=2 pkts=38 bytes=42900",
			hmENI + " inbound tcp/22 198.51.100.7 accept heuristic flows=2 pkts=22 bytes=5500",
			hmENI + " inbound tcp/3389 192.0.2.99 reject heuristic flows=1 pkts=1 bytes=44",
		},
	}, {
		name: "v5: exact from tcp-flags", data: handmadeV5, format: v5,
		want: []string{
			hmENI + " outbound tcp/443 203.0.113.50 accept exact flows=2 pkts=38 bytes=42900",
			hmENI + " inbound tcp/22 198.51.100.7 accept exact flows=4 pkts=31 bytes=6300",
			hmENI + " inbound tcp/3389 192.0.2.99 reject exact flows=1 pkts=1 bytes=44",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, t.TempDir(), "flows.log", tt.data)
			res := aggregate(t, []string{p}, Options{Format: tt.format})
			equalLines(t, rows(res), tt.want)
			if len(res.Stats.UndeterminedInterfaces) > 0 || res.Stats.BadLines > 0 {
				t.Errorf("stats: %+v", res.Stats)
			}
			ob := res.Observations[1]
			if ob.Local.String() != "10.0.1.10" || ob.FirstSeen.Unix() != 1700000000 {
				t.Errorf("local %v first %v", ob.Local, ob.FirstSeen)
			}
		})
	}
}

// Undecided port pairs are resolved with what the rest of the data shows.
func TestResolveUndecided(t *testing.T) {
	t.Parallel()
	const f = "${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${tcp-flags}"
	format, err := ParseLogFormat(f)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		inv  *vpc.Inventory
		want []string
	}{{
		// E3: a later window of the same 5-tuple inherits the SYN's answer.
		// Both ports are unremarkable (20001, 7000), so nothing else could.
		name: "same 5-tuple handshake",
		data: `eni-a 10.0.1.10 10.0.2.20 20001 7000 6 1 60 100 160 ACCEPT 2
eni-a 10.0.2.20 10.0.1.10 7000 20001 6 1 60 100 160 ACCEPT 18
eni-a 10.0.1.10 10.0.2.20 20001 7000 6 9 900 160 220 ACCEPT 0
eni-a 10.0.2.20 10.0.1.10 7000 20001 6 9 900 160 220 ACCEPT 0
eni-a 10.0.1.10 10.0.3.30 20001 20002 6 1 1 100 101 ACCEPT 0
`,
		inv: eniInv(map[string][]string{"eni-a": {"10.0.1.10"}}),
		want: []string{
			"eni-a outbound tcp/7000 10.0.2.20 accept exact flows=4 pkts=20 bytes=1920",
			// nothing decides (no flags, no rules, no reply, both ports
			// unremarkable): one row per possible direction, never "the
			// lower port is the service"
			"eni-a outbound tcp/20002 10.0.3.30 accept ambiguous flows=1 pkts=1 bytes=1",
			"eni-a inbound tcp/20001 10.0.3.30 accept ambiguous flows=1 pkts=1 bytes=1",
		},
	}, {
		// b: 10.0.2.20:7000 answered a SYN-ACK elsewhere in the data, so a
		// flagless connection to it from another port is to that service.
		name: "learned listening port",
		data: `eni-b 10.0.2.20 10.0.1.10 7000 20001 6 1 60 100 160 ACCEPT 18
eni-b 10.0.1.10 10.0.2.20 20001 7000 6 1 60 100 160 ACCEPT 2
eni-b 10.0.1.11 10.0.2.20 9000 7000 6 5 500 300 360 ACCEPT 0
eni-b 10.0.2.20 10.0.1.11 7000 9000 6 5 500 300 360 ACCEPT 0
`,
		inv: eniInv(map[string][]string{"eni-b": {"10.0.2.20"}}),
		want: []string{
			"eni-b inbound tcp/7000 10.0.1.10 accept exact flows=2 pkts=2 bytes=120",
			"eni-b inbound tcp/7000 10.0.1.11 accept heuristic flows=2 pkts=10 bytes=1000",
		},
	}, {
		// c: the interface's SG admits tcp/7000 and has no egress: only the
		// remote can have started it (by-rules, a proof).
		name: "SG ingress rule",
		data: `eni-c 10.0.1.11 10.0.2.20 9000 7000 6 5 500 300 360 ACCEPT -
eni-c 10.0.2.20 10.0.1.11 7000 9000 6 5 500 300 360 ACCEPT -
`,
		inv: func() *vpc.Inventory {
			inv := eniInv(map[string][]string{"eni-c": {"10.0.2.20"}})
			inv.Interfaces["eni-c"].GroupIDs = []string{"sg-1"}
			inv.Groups["sg-1"] = &vpc.SecurityGroup{ID: "sg-1", RulesKnown: true, Ingress: []vpc.Rule{{
				GroupID: "sg-1", Protocol: vpc.ProtoTCP, FromPort: 7000, ToPort: 7000}}}
			return inv
		}(),
		want: []string{"eni-c inbound tcp/7000 10.0.1.11 accept by-rules flows=2 pkts=10 bytes=1000"},
	}, {
		// d: a listener learned from the data: 10.0.2.20:7000 is reached
		// from two remotes on three client ports.
		name: "learned listener",
		data: `eni-d 10.0.1.11 10.0.2.20 9001 7000 6 1 1 300 360 ACCEPT -
eni-d 10.0.2.20 10.0.1.11 7000 9001 6 1 1 300 360 ACCEPT -
eni-d 10.0.1.11 10.0.2.20 9002 7000 6 1 1 300 360 ACCEPT -
eni-d 10.0.2.20 10.0.1.11 7000 9002 6 1 1 300 360 ACCEPT -
eni-e 10.0.1.12 10.0.2.20 9003 7000 6 1 1 300 360 ACCEPT -
`,
		inv: eniInv(map[string][]string{"eni-d": {"10.0.1.11"}, "eni-e": {"10.0.1.12"}}),
		want: []string{"eni-d outbound tcp/7000 10.0.2.20 accept heuristic flows=4 pkts=4 bytes=4",
			"eni-e outbound tcp/7000 10.0.2.20 accept heuristic flows=1 pkts=1 bytes=1"},
	}, {
		// One remote on varying ports is no listener: ambiguous.
		name: "one remote is no listener",
		data: `eni-d 10.0.1.11 10.0.2.20 9001 7000 6 1 1 300 360 ACCEPT -
eni-d 10.0.2.20 10.0.1.11 7000 9001 6 1 1 300 360 ACCEPT -
eni-d 10.0.1.11 10.0.2.20 9002 7000 6 1 1 300 360 ACCEPT -
eni-d 10.0.2.20 10.0.1.11 7000 9002 6 1 1 300 360 ACCEPT -
`,
		inv: eniInv(map[string][]string{"eni-d": {"10.0.1.11"}}),
		want: []string{"eni-d outbound tcp/7000 10.0.2.20 accept ambiguous flows=4 pkts=4 bytes=4",
			"eni-d inbound tcp/9001 10.0.2.20 accept ambiguous flows=2 pkts=2 bytes=2",
			"eni-d inbound tcp/9002 10.0.2.20 accept ambiguous flows=2 pkts=2 bytes=2"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeFile(t, t.TempDir(), "flows.log", tt.data)
			res := aggregate(t, []string{p}, Options{Format: format, Inventory: tt.inv})
			equalLines(t, rows(res), tt.want)
		})
	}
}

func TestStdinAndTimeRange(t *testing.T) {
	t.Parallel()
	res := aggregate(t, []string{"-"}, Options{Stdin: strings.NewReader(handmadeV2)})
	if len(res.Observations) != 3 || res.Stats.Records != 5 {
		t.Fatalf("stdin: %v %+v", rows(res), res.Stats)
	}
	// Only the SSH windows (1700000000-1700000060) reach past 1700000041.
	res = aggregate(t, []string{"-"}, Options{Stdin: strings.NewReader(handmadeV2),
		Since: unix(1700000041), Until: unix(1700000100)})
	equalLines(t, rows(res), []string{hmENI + " inbound tcp/22 198.51.100.7 accept heuristic flows=2 pkts=22 bytes=5500"})
	if res.Stats.OutsideTimeRange != 3 {
		t.Errorf("outside = %d, want 3", res.Stats.OutsideTimeRange)
	}
}
