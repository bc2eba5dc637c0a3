package netspace

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"go4.org/netipx"
)

// cidrs parses an IPSet for table tests; "" means nil.
func cidrs(list string) *netipx.IPSet {
	if list == "" {
		return nil
	}
	var ps []netip.Prefix
	for _, s := range strings.Fields(list) {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ipset(ps...)
}

func pkt(proto uint8, port uint16, addr string) Packet {
	return Packet{Protocol: proto, Port: port, Addr: netip.MustParseAddr(addr)}
}

func boxStrings(s Set) []string {
	var out []string
	for _, b := range s.Boxes() {
		out = append(out, b.String())
	}
	return out
}

type ruleCase struct {
	name     string
	proto    int
	from, to int32
	addrs    string
	want     []string // Boxes, rendered
	in, out  []Packet
	wantErr  bool
}

func runRuleCases(t *testing.T, ctor func(int, int32, int32, *netipx.IPSet) (Set, error), cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ctor(tc.proto, tc.from, tc.to, cidrs(tc.addrs))
			if tc.wantErr {
				if err == nil || !errors.Is(err, ErrInvalidRule) {
					t.Fatalf("err = %v, want an ErrInvalidRule; set %v", err, s)
				}
				if !s.IsEmpty() {
					t.Fatalf("set with error = %v, want empty", s)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := boxStrings(s); !slices.Equal(got, tc.want) {
				t.Errorf("boxes = %q\nwant    %q", got, tc.want)
			}
			for _, p := range tc.in {
				if !s.Contains(p) {
					t.Errorf("does not contain %v", p)
				}
			}
			for _, p := range tc.out {
				if s.Contains(p) {
					t.Errorf("contains %v", p)
				}
			}
			checkCanonical(t, tc.name, s)
		})
	}
}

func TestRuleSet(t *testing.T) {
	t.Parallel()
	runRuleCases(t, RuleSet, []ruleCase{
		{name: "all traffic v4 and v6", proto: -1, from: -1, to: -1, addrs: "0.0.0.0/0 ::/0",
			want: []string{"all 0.0.0.0/0", "all ::/0"},
			in:   []Packet{pkt(6, 22, "1.2.3.4"), pkt(50, 0, "2001:db8::1"), pkt(255, 65535, "255.255.255.255"), pkt(0, 0, "::")}},
		{name: "all traffic ignores ports", proto: -1, from: 80, to: 80, addrs: "10.0.0.0/8",
			want: []string{"all 10.0.0.0/8"},
			in:   []Packet{pkt(6, 22, "10.1.1.1"), pkt(17, 53, "10.0.0.0")},
			out:  []Packet{pkt(6, 22, "11.0.0.0")}},
		{name: "all traffic ignores invalid ports", proto: -1, from: 99999, to: -7, addrs: "::/0",
			want: []string{"all ::/0"}},
		{name: "tcp one port", proto: 6, from: 443, to: 443, addrs: "0.0.0.0/0",
			want: []string{"tcp 443 0.0.0.0/0"},
			in:   []Packet{pkt(6, 443, "8.8.8.8")},
			out:  []Packet{pkt(6, 442, "8.8.8.8"), pkt(6, 444, "8.8.8.8"), pkt(17, 443, "8.8.8.8"), pkt(6, 443, "2001:db8::1")}},
		{name: "tcp range", proto: 6, from: 20, to: 21, addrs: "10.0.0.0/16",
			want: []string{"tcp 20-21 10.0.0.0/16"},
			in:   []Packet{pkt(6, 20, "10.0.255.255"), pkt(6, 21, "10.0.0.0")},
			out:  []Packet{pkt(6, 19, "10.0.0.1"), pkt(6, 22, "10.0.0.1"), pkt(6, 20, "10.1.0.0")}},
		{name: "tcp full range written out", proto: 6, from: 0, to: 65535, addrs: "10.0.0.0/8",
			want: []string{"tcp all ports 10.0.0.0/8"}},
		{name: "udp v4 and v6", proto: 17, from: 53, to: 53, addrs: "10.0.0.2/32 fd00::2/128",
			want: []string{"udp 53 10.0.0.2/32", "udp 53 fd00::2/128"},
			in:   []Packet{pkt(17, 53, "10.0.0.2"), pkt(17, 53, "fd00::2")},
			out:  []Packet{pkt(6, 53, "10.0.0.2"), pkt(17, 53, "10.0.0.3")}},
		{name: "udp edge ports", proto: 17, from: 65535, to: 65535, addrs: "0.0.0.0/0",
			want: []string{"udp 65535 0.0.0.0/0"}},
		{name: "non-canonical addresses merge", proto: 6, from: 22, to: 22, addrs: "10.0.0.0/9 10.128.0.0/9 10.1.2.3/32",
			want: []string{"tcp 22 10.0.0.0/8"}},
		{name: "icmp type and code", proto: 1, from: 8, to: 0, addrs: "0.0.0.0/0",
			want: []string{"icmp type 8 code 0 0.0.0.0/0"},
			in:   []Packet{pkt(1, ICMPPort(8, 0), "1.1.1.1")},
			out:  []Packet{pkt(1, ICMPPort(8, 1), "1.1.1.1"), pkt(1, ICMPPort(0, 0), "1.1.1.1"), pkt(58, ICMPPort(8, 0), "1.1.1.1")}},
		{name: "icmp type any code", proto: 1, from: 3, to: -1, addrs: "10.0.0.0/8",
			want: []string{"icmp type 3 10.0.0.0/8"},
			in:   []Packet{pkt(1, ICMPPort(3, 0), "10.0.0.1"), pkt(1, ICMPPort(3, 255), "10.0.0.1")},
			out:  []Packet{pkt(1, ICMPPort(2, 255), "10.0.0.1"), pkt(1, ICMPPort(4, 0), "10.0.0.1")}},
		{name: "icmp all", proto: 1, from: -1, to: -1, addrs: "0.0.0.0/0",
			want: []string{"icmp all types 0.0.0.0/0"},
			in:   []Packet{pkt(1, 0, "1.1.1.1"), pkt(1, 65535, "1.1.1.1")}},
		{name: "icmp type 255 code 255", proto: 1, from: 255, to: 255, addrs: "0.0.0.0/0",
			want: []string{"icmp type 255 code 255 0.0.0.0/0"}},
		{name: "icmp with v6 CIDR matches nothing", proto: 1, from: -1, to: -1, addrs: "::/0",
			want: nil, out: []Packet{pkt(1, 0, "::1")}},
		{name: "icmp keeps only the v4 part", proto: 1, from: 3, to: 4, addrs: "10.0.0.0/8 2001:db8::/32",
			want: []string{"icmp type 3 code 4 10.0.0.0/8"},
			out:  []Packet{pkt(1, ICMPPort(3, 4), "2001:db8::1")}},
		{name: "icmpv6 wildcard", proto: 58, from: -1, to: -1, addrs: "::/0",
			want: []string{"icmpv6 all types ::/0"},
			in:   []Packet{pkt(58, ICMPPort(2, 0), "2001:db8::1"), pkt(58, ICMPPort(135, 0), "fe80::1")},
			out:  []Packet{pkt(1, ICMPPort(2, 0), "2001:db8::1")}},
		{name: "icmpv6 with v4 CIDR matches nothing", proto: 58, from: -1, to: -1, addrs: "0.0.0.0/0"},
		{name: "icmpv6 keeps only the v6 part", proto: 58, from: 2, to: 0, addrs: "0.0.0.0/0 ::/0",
			want: []string{"icmpv6 type 2 code 0 ::/0"}},
		{name: "protocol 50 ignores ports", proto: 50, from: 80, to: 90, addrs: "10.0.0.0/8",
			want: []string{"protocol 50 10.0.0.0/8"},
			in:   []Packet{pkt(50, 0, "10.0.0.1"), pkt(50, 65535, "10.0.0.1"), pkt(50, 85, "10.0.0.1")},
			out:  []Packet{pkt(51, 85, "10.0.0.1"), pkt(6, 85, "10.0.0.1")}},
		{name: "protocol 50 ignores invalid ports", proto: 50, from: -5, to: 70000, addrs: "::/0",
			want: []string{"protocol 50 ::/0"}},
		{name: "protocol 0", proto: 0, from: -1, to: -1, addrs: "0.0.0.0/0",
			want: []string{"protocol 0 0.0.0.0/0"}},
		{name: "protocol 255", proto: 255, addrs: "0.0.0.0/0",
			want: []string{"protocol 255 0.0.0.0/0"}},
		{name: "nil addresses", proto: 6, from: 22, to: 22, addrs: ""},
		{name: "empty address set", proto: -1, from: -1, to: -1, addrs: " "},

		{name: "protocol 256", proto: 256, from: -1, to: -1, addrs: "0.0.0.0/0", wantErr: true},
		{name: "protocol -2", proto: -2, from: -1, to: -1, addrs: "0.0.0.0/0", wantErr: true},
		{name: "tcp port above 65535", proto: 6, from: 80, to: 65536, addrs: "0.0.0.0/0", wantErr: true},
		{name: "tcp from after to", proto: 6, from: 81, to: 80, addrs: "0.0.0.0/0", wantErr: true},
		{name: "tcp -1/-1 is not all ports", proto: 6, from: -1, to: -1, addrs: "10.0.0.0/8", wantErr: true},
		{name: "udp -1 with a real to", proto: 17, from: -1, to: 53, addrs: "10.0.0.0/8", wantErr: true},
		{name: "icmp type -1 needs code -1", proto: 1, from: -1, to: 4, addrs: "0.0.0.0/0", wantErr: true},
		{name: "tcp to -1 with real from", proto: 6, from: 80, to: -1, addrs: "0.0.0.0/0", wantErr: true},
		{name: "udp from -2", proto: 17, from: -2, to: 53, addrs: "0.0.0.0/0", wantErr: true},
		{name: "icmp type 256", proto: 1, from: 256, to: -1, addrs: "0.0.0.0/0", wantErr: true},
		{name: "icmp code 300", proto: 1, from: 3, to: 300, addrs: "0.0.0.0/0", wantErr: true},
		{name: "icmpv6 code -2", proto: 58, from: 3, to: -2, addrs: "::/0", wantErr: true},
		{name: "invalid even with no addresses", proto: 6, from: 9, to: 1, addrs: "", wantErr: true},
	})
}

func TestNACLEntrySet(t *testing.T) {
	t.Parallel()
	runRuleCases(t, NACLEntrySet, []ruleCase{
		{name: "all", proto: -1, from: -1, to: -1, addrs: "0.0.0.0/0",
			want: []string{"all 0.0.0.0/0"}},
		{name: "tcp ephemeral", proto: 6, from: 1024, to: 65535, addrs: "0.0.0.0/0",
			want: []string{"tcp 1024-65535 0.0.0.0/0"}},
		{name: "icmp keeps both families", proto: 1, from: 3, to: 4, addrs: "0.0.0.0/0 ::/0",
			want: []string{"icmp type 3 code 4 0.0.0.0/0", "icmp type 3 code 4 ::/0"}},
		{name: "icmpv6 with v4 CIDR is all types", proto: 58, from: 2, to: 0, addrs: "10.0.0.0/8",
			want: []string{"icmpv6 all types 10.0.0.0/8"}},
		{name: "icmpv6 with v6 CIDR uses type and code", proto: 58, from: 2, to: 0, addrs: "::/0",
			want: []string{"icmpv6 type 2 code 0 ::/0"},
			out:  []Packet{pkt(58, ICMPPort(2, 1), "::1")}},
		{name: "icmpv6 with both families", proto: 58, from: 2, to: -1, addrs: "10.0.0.0/8 ::/0",
			// Disjoint boxes, so the IPv4 part is cut where the IPv6 part starts.
			want: []string{"icmpv6 types 0-1 10.0.0.0/8", "icmpv6 type 2 10.0.0.0/8", "icmpv6 type 2 ::/0", "icmpv6 types 3-255 10.0.0.0/8"},
			in:   []Packet{pkt(58, ICMPPort(200, 7), "10.9.9.9"), pkt(58, ICMPPort(2, 9), "2001:db8::1")},
			out:  []Packet{pkt(58, ICMPPort(3, 0), "2001:db8::1")}},
		{name: "protocol 47 ignores ports", proto: 47, from: 1, to: 2, addrs: "::/0",
			want: []string{"protocol 47 ::/0"}},
		{name: "icmp type -1 covers every code", proto: 1, from: -1, to: 4, addrs: "0.0.0.0/0",
			want: []string{"icmp all types 0.0.0.0/0"}},
		{name: "tcp -1 is not a port here either", proto: 6, from: -1, to: -1, addrs: "0.0.0.0/0", wantErr: true},
		{name: "bad icmp code", proto: 1, from: 3, to: 256, addrs: "0.0.0.0/0", wantErr: true},
		{name: "bad protocol", proto: 300, addrs: "0.0.0.0/0", wantErr: true},
	})
}

func TestPortSet(t *testing.T) {
	t.Parallel()
	runRuleCases(t, PortSet, []ruleCase{
		{name: "tcp 443", proto: 6, from: 443, to: 443, addrs: "10.0.0.1/32",
			want: []string{"tcp 443 10.0.0.1/32"}},
		{name: "icmp packed, both families kept", proto: 1, from: int32(ICMPPort(8, 0)), to: int32(ICMPPort(8, 0)), addrs: "10.0.0.0/8 ::/0",
			want: []string{"icmp type 8 code 0 10.0.0.0/8", "icmp type 8 code 0 ::/0"}},
		{name: "icmp packed run across types", proto: 58, from: int32(ICMPPort(1, 4)), to: int32(ICMPPort(4, 2)), addrs: "::/0",
			want: []string{"icmpv6 type 1 codes 4-255 ::/0", "icmpv6 types 2-3 ::/0", "icmpv6 type 4 codes 0-2 ::/0"}},
		{name: "portless protocol ignores ports", proto: 50, from: 1, to: 2, addrs: "::/0",
			want: []string{"protocol 50 ::/0"}},
		{name: "every protocol, one port", proto: -1, from: 80, to: 80, addrs: "::/0",
			want: []string{
				"protocol 0 ::/0", "icmp type 0 code 80 ::/0", "protocols 2-5 ::/0", "tcp 80 ::/0",
				"protocols 7-16 ::/0", "udp 80 ::/0", "protocols 18-57 ::/0", "icmpv6 type 0 code 80 ::/0",
				"protocols 59-255 ::/0",
			}},
		{name: "every protocol, every port", proto: -1, from: -1, to: -1, addrs: "::/0",
			want: []string{"all ::/0"}},
		{name: "bad port", proto: 6, from: 1, to: 70000, addrs: "::/0", wantErr: true},
		{name: "bad protocol", proto: -3, addrs: "::/0", wantErr: true},
	})
}
