package flowlog

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// dirInv builds an inventory for direction tests: interfaces with one
// address and their groups, groups with ingress and egress rules written
// as "tcp 22 10.0.0.0/16", "udp 123 sg-x", "icmp 8/0 0.0.0.0/0",
// "all 0.0.0.0/0".
func dirInv(t testing.TB, enis map[string]string, groupsOf map[string][]string, ingress, egress map[string][]string) *vpc.Inventory {
	t.Helper()
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	for id, a := range enis {
		inv.Interfaces[id] = &vpc.Interface{ID: id, PrivateIPs: []netip.Addr{netip.MustParseAddr(a)}, GroupIDs: groupsOf[id]}
	}
	parse := func(g string, egress bool, i int, s string) vpc.Rule {
		f := strings.Fields(s)
		r := vpc.Rule{GroupID: g, Egress: egress, Index: i, FromPort: -1, ToPort: -1}
		proto, ports, peer := f[0], "", f[len(f)-1]
		if len(f) == 3 {
			ports = f[1]
		}
		switch proto {
		case "all":
			r.Protocol = vpc.ProtoAll
		default:
			p, err := vpc.ParseProtocol(proto)
			if err != nil {
				t.Fatal(err)
			}
			r.Protocol = p
		}
		if ports != "" {
			var a, b int32
			if n, _ := fmt.Sscanf(ports, "%d/%d", &a, &b); n == 2 {
				r.FromPort, r.ToPort = a, b
			} else if n, _ := fmt.Sscanf(ports, "%d-%d", &a, &b); n == 2 {
				r.FromPort, r.ToPort = a, b
			} else {
				fmt.Sscanf(ports, "%d", &a)
				r.FromPort, r.ToPort = a, a
			}
		}
		if strings.HasPrefix(peer, "sg-") {
			r.Peer = vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: peer}}
		} else {
			r.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(peer)}
		}
		return r
	}
	ids := map[string]bool{}
	for g := range ingress {
		ids[g] = true
	}
	for g := range egress {
		ids[g] = true
	}
	for g := range ids {
		sg := &vpc.SecurityGroup{ID: g, RulesKnown: true}
		for i, s := range ingress[g] {
			sg.Ingress = append(sg.Ingress, parse(g, false, i, s))
		}
		for i, s := range egress[g] {
			sg.Egress = append(sg.Egress, parse(g, true, i, s))
		}
		inv.Groups[g] = sg
	}
	return inv
}

// TestDirectionFromRules holds the initiator to proof before guess: an
// accepted record passed the current rules of both ends, so a direction
// they exclude is not the one the connection was started in. Each case
// has v2 records (no tcp-flags) of both directions.
func TestDirectionFromRules(t *testing.T) {
	t.Parallel()
	const v2 = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
	rec := func(eni, src, dst string, sp, dp, proto int) string {
		return fmt.Sprintf("2 123456789012 %s %s %s %d %d %d 3 300 100 160 ACCEPT OK\n", eni, src, dst, sp, dp, proto)
	}
	both := func(eni, client, server string, cp, sp, proto int) string {
		return rec(eni, client, server, cp, sp, proto) + rec(eni, server, client, sp, cp, proto)
	}
	workerOnly := map[string]string{"eni-w": "10.0.1.10"}
	workerGroups := map[string][]string{"eni-w": {"sg-w"}}
	sshOnly := map[string][]string{"sg-w": {"tcp 22 10.0.0.0/16"}}
	allOut := map[string][]string{"sg-w": {"all 0.0.0.0/0"}}
	tests := []struct {
		name string
		data string
		inv  *vpc.Inventory
		want []string
	}{{
		// Passive FTP data: both ports ephemeral. The worker admits nothing
		// inbound on 40200, so it started the connection, to 50001.
		name: "passive FTP data from a worker",
		data: both("eni-w", "10.0.1.10", "203.0.113.9", 40200, 50001, 6),
		inv:  dirInv(t, workerOnly, workerGroups, sshOnly, allOut),
		want: []string{"eni-w outbound tcp/50001 203.0.113.9 accept by-rules flows=2 pkts=6 bytes=600"},
	}, {
		// The same without an inventory: nothing decides, one row per
		// possible direction.
		name: "passive FTP data, no inventory",
		data: both("eni-w", "10.0.1.10", "203.0.113.9", 40200, 50001, 6),
		want: []string{
			"eni-w outbound tcp/50001 203.0.113.9 accept ambiguous flows=2 pkts=6 bytes=600",
			"eni-w inbound tcp/40200 203.0.113.9 accept ambiguous flows=2 pkts=6 bytes=600",
		},
	}, {
		// A member calls a high port of another member; both log it. B
		// admits A on 50000, A admits only SSH: A started it, on both ends.
		name: "member calls a high port of another member",
		data: both("eni-a", "10.0.1.10", "10.0.2.20", 45000, 50000, 6) + both("eni-b", "10.0.1.10", "10.0.2.20", 45000, 50000, 6),
		inv: dirInv(t, map[string]string{"eni-a": "10.0.1.10", "eni-b": "10.0.2.20"},
			map[string][]string{"eni-a": {"sg-a"}, "eni-b": {"sg-b"}},
			map[string][]string{"sg-a": {"tcp 22 10.0.0.0/16"}, "sg-b": {"tcp 50000 sg-a"}},
			map[string][]string{"sg-a": {"all 0.0.0.0/0"}, "sg-b": {"all 0.0.0.0/0"}}),
		want: []string{
			"eni-a outbound tcp/50000 10.0.2.20 accept by-rules flows=2 pkts=6 bytes=600",
			"eni-b inbound tcp/50000 10.0.1.10 accept by-rules flows=2 pkts=6 bytes=600",
		},
	}, {
		// Ingress admits everything from inside the VPC on both ends: the
		// rules leave both directions open and the ports cannot tell.
		name: "open VPC, both directions possible",
		data: both("eni-a", "10.0.1.10", "10.0.2.20", 45000, 50000, 6),
		inv: dirInv(t, map[string]string{"eni-a": "10.0.1.10", "eni-b": "10.0.2.20"},
			map[string][]string{"eni-a": {"sg-a"}, "eni-b": {"sg-a"}},
			map[string][]string{"sg-a": {"all 10.0.0.0/16"}}, map[string][]string{"sg-a": {"all 0.0.0.0/0"}}),
		want: []string{
			"eni-a outbound tcp/50000 10.0.2.20 accept ambiguous flows=2 pkts=6 bytes=600",
			"eni-a inbound tcp/45000 10.0.2.20 accept ambiguous flows=2 pkts=6 bytes=600",
		},
	}, {
		// Same-port UDP (NTP): the server's egress allows only tcp 443, so
		// it cannot have started it; the client's ingress admits nothing.
		name: "same-port UDP",
		data: both("eni-c", "10.0.1.10", "10.0.2.20", 123, 123, 17) + both("eni-s", "10.0.1.10", "10.0.2.20", 123, 123, 17),
		inv: dirInv(t, map[string]string{"eni-c": "10.0.1.10", "eni-s": "10.0.2.20"},
			map[string][]string{"eni-c": {"sg-c"}, "eni-s": {"sg-s"}},
			map[string][]string{"sg-s": {"udp 123 10.0.0.0/16"}},
			map[string][]string{"sg-c": {"udp 123 10.0.0.0/16"}, "sg-s": {"tcp 443 0.0.0.0/0"}}),
		want: []string{
			"eni-c outbound udp/123 10.0.2.20 accept by-rules flows=2 pkts=6 bytes=600",
			"eni-s inbound udp/123 10.0.1.10 accept by-rules flows=2 pkts=6 bytes=600",
		},
	}, {
		// A ping from the internet: the member admits echo requests and may
		// send only tcp 443; the answering side gets no outbound row. A ping
		// by the worker (egress icmp 8/0 only, no icmp ingress) is outbound.
		name: "ping both ways",
		data: both("eni-p", "198.51.100.7", "10.0.1.10", 0, 0, 1) + both("eni-w", "10.0.1.20", "203.0.113.1", 0, 0, 1),
		inv: dirInv(t, map[string]string{"eni-p": "10.0.1.10", "eni-w": "10.0.1.20"},
			map[string][]string{"eni-p": {"sg-p"}, "eni-w": {"sg-w"}},
			map[string][]string{"sg-p": {"icmp 8/0 0.0.0.0/0"}, "sg-w": {"tcp 22 10.0.0.0/16"}},
			map[string][]string{"sg-p": {"tcp 443 0.0.0.0/0"}, "sg-w": {"icmp 8/0 0.0.0.0/0"}}),
		want: []string{
			"eni-p inbound icmp/0 198.51.100.7 accept by-rules flows=2 pkts=6 bytes=600",
			"eni-w outbound icmp/0 203.0.113.1 accept by-rules flows=2 pkts=6 bytes=600",
		},
	}, {
		// The ports suggest the task (ephemeral 33000) called the load
		// balancer on 5000; the balancer admits only 443 from the internet,
		// so the balancer started it, to the task's port 33000 (a dynamic
		// host port behind a load balancer).
		name: "rules overturn the port classes",
		data: both("eni-t", "10.0.5.5", "10.0.2.7", 5000, 33000, 6) + both("eni-lb", "10.0.5.5", "10.0.2.7", 5000, 33000, 6),
		inv: dirInv(t, map[string]string{"eni-t": "10.0.2.7", "eni-lb": "10.0.5.5"},
			map[string][]string{"eni-t": {"sg-t"}, "eni-lb": {"sg-lb"}},
			map[string][]string{"sg-t": {"tcp 32768-65535 sg-lb"}, "sg-lb": {"tcp 443 0.0.0.0/0"}},
			map[string][]string{"sg-t": {"all 0.0.0.0/0"}, "sg-lb": {"all 0.0.0.0/0"}}),
		want: []string{
			"eni-lb outbound tcp/33000 10.0.2.7 accept by-rules flows=2 pkts=6 bytes=600",
			"eni-t inbound tcp/33000 10.0.5.5 accept by-rules flows=2 pkts=6 bytes=600",
		},
	}, {
		// The port classes agree with the rules: by-rules; an HTTPS call to
		// the internet where the worker also admits everything inbound stays
		// a heuristic.
		name: "port classes confirmed or left heuristic",
		data: both("eni-w", "10.0.1.10", "203.0.113.9", 40000, 443, 6) + both("eni-o", "10.0.1.11", "203.0.113.9", 40001, 443, 6),
		inv: dirInv(t, map[string]string{"eni-w": "10.0.1.10", "eni-o": "10.0.1.11"},
			map[string][]string{"eni-w": {"sg-w"}, "eni-o": {"sg-o"}},
			map[string][]string{"sg-w": {"tcp 22 10.0.0.0/16"}, "sg-o": {"all 0.0.0.0/0"}},
			map[string][]string{"sg-w": {"all 0.0.0.0/0"}, "sg-o": {"all 0.0.0.0/0"}}),
		want: []string{
			"eni-o outbound tcp/443 203.0.113.9 accept heuristic flows=2 pkts=6 bytes=600",
			"eni-w outbound tcp/443 203.0.113.9 accept by-rules flows=2 pkts=6 bytes=600",
		},
	}, {
		// Private addresses repeat across VPCs: the interface of another
		// VPC that holds the remote's address (and admits nothing) must
		// not lend its rules. Only eni-a's own rules count: open both ways.
		name: "another VPC's interface with the remote's address",
		data: both("eni-a", "10.0.1.10", "10.0.2.20", 45000, 50000, 6),
		inv: func() *vpc.Inventory {
			inv := dirInv(t, map[string]string{"eni-a": "10.0.1.10", "eni-other": "10.0.2.20"},
				map[string][]string{"eni-a": {"sg-a"}, "eni-other": {"sg-closed"}},
				map[string][]string{"sg-a": {"all 10.0.0.0/16"}, "sg-closed": {"tcp 22 10.0.0.0/16"}},
				map[string][]string{"sg-a": {"all 0.0.0.0/0"}, "sg-closed": {"all 0.0.0.0/0"}})
			inv.Interfaces["eni-a"].VpcID = "vpc-a"
			inv.Interfaces["eni-other"].VpcID = "vpc-b"
			return inv
		}(),
		want: []string{
			"eni-a outbound tcp/50000 10.0.2.20 accept ambiguous flows=2 pkts=6 bytes=600",
			"eni-a inbound tcp/45000 10.0.2.20 accept ambiguous flows=2 pkts=6 bytes=600",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, header := range []bool{false, true} {
				data := tt.data
				if header {
					data = v2 + data
				}
				p := writeFile(t, t.TempDir(), "flows.log", data)
				res := aggregate(t, []string{p}, Options{Inventory: tt.inv})
				equalLines(t, rows(res), tt.want)
			}
		})
	}
}

// TestInterfaceMeta: version 3+ records name each interface's instance,
// subnet and VPC, so that an interface no inventory knows can be found.
func TestInterfaceMeta(t *testing.T) {
	t.Parallel()
	data := "version vpc-id subnet-id instance-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
		"3 vpc-1 subnet-9 i-0abc eni-gone 10.0.1.10 203.0.113.9 40000 443 6 3 300 100 160 ACCEPT OK\n" +
		"3 - - - eni-bare 10.0.1.11 203.0.113.9 40001 443 6 3 300 100 160 ACCEPT OK\n" +
		"3 vpc-1 subnet-9 i-0abc eni-6 2001:db8::1 2001:db8::2 40000 443 6 3 300 100 160 ACCEPT OK\n"
	p := writeFile(t, t.TempDir(), "flows.log", data)
	res := aggregate(t, []string{p}, Options{})
	want := map[string]InterfaceMeta{
		"eni-gone": {InstanceID: "i-0abc", SubnetID: "subnet-9", VpcID: "vpc-1"},
		"eni-6":    {InstanceID: "i-0abc", SubnetID: "subnet-9", VpcID: "vpc-1"},
	}
	if fmt.Sprint(res.Interfaces) != fmt.Sprint(want) {
		t.Errorf("Interfaces = %+v, want %+v", res.Interfaces, want)
	}
}

// TestBothEndsAgree: a connection between two interfaces whose logs use
// different formats. eni-a's v5 log shows the handshake; eni-b's v2 log
// has no flags and the rules leave both directions open. The handshake
// seen at one end decides the other end too.
func TestBothEndsAgree(t *testing.T) {
	t.Parallel()
	inv := dirInv(t, map[string]string{"eni-a": "10.0.1.10", "eni-b": "10.0.2.20"},
		map[string][]string{"eni-a": {"sg-open"}, "eni-b": {"sg-open"}},
		map[string][]string{"sg-open": {"all 10.0.0.0/16"}}, map[string][]string{"sg-open": {"all 0.0.0.0/0"}})
	dir := t.TempDir()
	v5 := "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags flow-direction\n" +
		"5 eni-a 10.0.1.10 10.0.2.20 45000 50000 6 3 300 100 160 ACCEPT OK 2 egress\n" +
		"5 eni-a 10.0.2.20 10.0.1.10 50000 45000 6 3 300 100 160 ACCEPT OK 18 ingress\n"
	v2 := "2 123456789012 eni-b 10.0.1.10 10.0.2.20 45000 50000 6 3 300 100 160 ACCEPT OK\n" +
		"2 123456789012 eni-b 10.0.2.20 10.0.1.10 50000 45000 6 3 300 100 160 ACCEPT OK\n"
	a, b := writeFile(t, dir, "a.log", v5), writeFile(t, dir, "b.log", v2)
	res := aggregate(t, []string{a, b}, Options{Inventory: inv})
	equalLines(t, rows(res), []string{
		"eni-a outbound tcp/50000 10.0.2.20 accept exact flows=2 pkts=6 bytes=600",
		"eni-b inbound tcp/50000 10.0.1.10 accept exact flows=2 pkts=6 bytes=600",
	})
}
