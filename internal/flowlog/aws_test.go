package flowlog

import (
	"slices"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// The records of the AWS documentation's "Flow log record examples"
// (docs/semantics.md#flowlog-icmp), with the classification each one must get, written by hand.
func TestAWSExamples(t *testing.T) {
	t.Parallel()
	const eni = "eni-1235b8ca123456789"
	tests := []struct {
		name         string
		file         string
		inv          *vpc.Inventory
		want         []string
		forwarded    []string
		undetermined []string
		nodata       int64
		skipdata     int64
		skipdataIn   []string
	}{{
		// Without an inventory the two records share no address (the
		// documentation's examples use different ENI addresses), so the
		// interface's own side is undetermined: each connection is
		// reported once with each end as the local side, marked.
		name: "v2 default, no inventory", file: "v2-default.log",
		want: []string{
			eni + " outbound tcp/22 172.31.16.21 accept heuristic flows=1 pkts=20 bytes=4249 local=172.31.16.139 undetermined",
			eni + " inbound tcp/22 172.31.16.139 accept heuristic flows=1 pkts=20 bytes=4249 local=172.31.16.21 undetermined",
			eni + " outbound tcp/3389 172.31.9.12 reject heuristic flows=1 pkts=20 bytes=4249 local=172.31.9.69 undetermined",
			eni + " inbound tcp/3389 172.31.9.69 reject heuristic flows=1 pkts=20 bytes=4249 local=172.31.9.12 undetermined",
		},
		undetermined: []string{eni}, nodata: 1, skipdata: 1, skipdataIn: []string{"eni-11111111aaaaaaaaa"},
	}, {
		name: "v2 default, inventory", file: "v2-default.log",
		inv: eniInv(map[string][]string{eni: {"172.31.16.21", "172.31.9.12"}}),
		want: []string{
			eni + " inbound tcp/22 172.31.16.139 accept heuristic flows=1 pkts=20 bytes=4249",
			eni + " inbound tcp/3389 172.31.9.69 reject heuristic flows=1 pkts=20 bytes=4249",
		},
		nodata: 1, skipdata: 1, skipdataIn: []string{"eni-11111111aaaaaaaaa"},
	}, {
		// Ping from home: the echo request came in first (start 1432917027),
		// the reply went out later and the NACL rejected it. Both belong to
		// a connection the remote started (H3 pairing).
		name: "v2 ping", file: "v2-ping.log",
		want: []string{
			eni + " inbound icmp/0 203.0.113.12 accept heuristic flows=1 pkts=4 bytes=336",
			eni + " inbound icmp/0 203.0.113.12 reject heuristic flows=1 pkts=4 bytes=336",
		},
	}, {
		name: "v2 IPv6 SSH, inventory", file: "v2-ipv6.log",
		inv:  eniInv(map[string][]string{eni: {"10.0.0.5", "2001:db8:1234:a102:3304:8879:34cf:4071"}}),
		want: []string{eni + " inbound tcp/22 2001:db8:1234:a100:8d6e:3477:df66:f105 accept heuristic flows=1 pkts=54 bytes=8855"},
	}, {
		name: "v2 IPv6 SSH, no inventory: one peer, two public addresses", file: "v2-ipv6.log",
		want: []string{
			eni + " outbound tcp/22 2001:db8:1234:a102:3304:8879:34cf:4071 accept heuristic flows=1 pkts=54 bytes=8855 local=2001:db8:1234:a100:8d6e:3477:df66:f105 undetermined",
			eni + " inbound tcp/22 2001:db8:1234:a100:8d6e:3477:df66:f105 accept heuristic flows=1 pkts=54 bytes=8855 local=2001:db8:1234:a102:3304:8879:34cf:4071 undetermined",
		},
		undetermined: []string{eni},
	}, {
		// The tcp-flags sequence: SYN from the client, SYN-ACK from the
		// server (exact), a later window with FIN only, a short connection
		// with 3 and 19. All one inbound observation to tcp/5001.
		name: "v3 tcp-flags from the header", file: "v3-tcpflags.log",
		want: []string{eni + " inbound tcp/5001 52.213.180.42 accept exact flows=8 pkts=17121 bytes=23462480"},
	}, {
		name: "v5 instance calls S3", file: "v5-s3.log",
		want: []string{eni + " outbound tcp/80 52.95.128.179 accept exact flows=2 pkts=21 bytes=15515"},
	}, {
		// NAT gateway: the NAT ENI's records are forwarded traffic, between
		// the original endpoints (both legs: the instance's and the
		// translated one); on the instance the NAT is invisible: the
		// instance talks to 203.0.113.5.
		name: "NAT gateway, inventory", file: "nat.log",
		inv:  eniInv(map[string][]string{eni + ":natGateway": {"10.0.0.220"}, "eni-1111aaaa2222bbbb3": {"10.0.1.5"}}),
		want: []string{"eni-1111aaaa2222bbbb3 outbound tcp/443 203.0.113.5 accept heuristic flows=2 pkts=0 bytes=0"},
		forwarded: []string{
			eni + " tcp/443 10.0.0.220 -> 203.0.113.5 accept heuristic flows=2",
			eni + " tcp/443 10.0.1.5 -> 203.0.113.5 accept heuristic flows=2",
		},
	}, {
		// Without the inventory the records that name no instance
		// (instance-id "-") and carry other packet addresses are a
		// forwarder's.
		name: "NAT gateway, no inventory", file: "nat.log",
		want: []string{"eni-1111aaaa2222bbbb3 outbound tcp/443 203.0.113.5 accept heuristic flows=2 pkts=0 bytes=0"},
		forwarded: []string{
			eni + " tcp/443 10.0.0.220 -> 203.0.113.5 accept heuristic flows=2",
			eni + " tcp/443 10.0.1.5 -> 203.0.113.5 accept heuristic flows=2",
		},
	}, {
		name: "transit gateway, inventory", file: "tgw.log",
		inv: eniInv(map[string][]string{
			"eni-33333333333333333":                 {"10.40.2.236"},
			"eni-11111111111111111:transit_gateway": {"10.40.1.175"},
			"eni-22222222222222222:transit_gateway": {"10.40.2.31"},
		}),
		want: []string{"eni-33333333333333333 inbound tcp/80 10.20.33.164 accept exact flows=2 pkts=0 bytes=0"},
		forwarded: []string{
			"eni-11111111111111111 tcp/80 10.20.33.164 -> 10.40.2.236 accept exact flows=1",
			"eni-22222222222222222 tcp/80 10.20.33.164 -> 10.40.2.236 accept exact flows=1",
		},
	}, {
		// The web server's records name one peer, both private: which is
		// the server's own address is undetermined; the connection (who
		// started it, to which port) is exact either way.
		name: "transit gateway, no inventory", file: "tgw.log",
		want: []string{
			"eni-33333333333333333 outbound tcp/80 10.40.2.236 accept exact flows=2 pkts=0 bytes=0 local=10.20.33.164 undetermined",
			"eni-33333333333333333 inbound tcp/80 10.20.33.164 accept exact flows=2 pkts=0 bytes=0 local=10.40.2.236 undetermined",
		},
		forwarded: []string{
			"eni-11111111111111111 tcp/80 10.20.33.164 -> 10.40.2.236 accept exact flows=1",
			"eni-22222222222222222 tcp/80 10.20.33.164 -> 10.40.2.236 accept exact flows=1",
		},
		undetermined: []string{"eni-33333333333333333"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := aggregate(t, []string{"testdata/aws/" + tt.file}, Options{Inventory: tt.inv})
			equalLines(t, rows(res), tt.want)
			equalLines(t, forwardedRows(res), tt.forwarded)
			st := res.Stats
			if !slices.Equal(st.UndeterminedInterfaces, tt.undetermined) {
				t.Errorf("undetermined interfaces = %v, want %v", st.UndeterminedInterfaces, tt.undetermined)
			}
			var fwd uint64
			for _, f := range res.Forwarded {
				fwd += f.Flows
			}
			if st.ForwardedRecords != int64(fwd) || st.ForwardedFlows != len(res.Forwarded) || st.NoData != tt.nodata || st.SkipData != tt.skipdata {
				t.Errorf("forwarded/rows/nodata/skipdata = %d/%d/%d/%d, want %d/%d/%d/%d", st.ForwardedRecords, st.ForwardedFlows, st.NoData, st.SkipData,
					fwd, len(res.Forwarded), tt.nodata, tt.skipdata)
			}
			if !slices.Equal(st.SkipDataInterfaces, tt.skipdataIn) {
				t.Errorf("skipdata interfaces = %v, want %v", st.SkipDataInterfaces, tt.skipdataIn)
			}
			if st.BadLines != 0 {
				t.Errorf("bad lines: %v", st.BadLineExamples)
			}
		})
	}
}
