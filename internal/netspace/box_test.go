package netspace

import (
	"net/netip"
	"slices"
	"testing"
)

func TestBoxString(t *testing.T) {
	t.Parallel()
	v4 := netip.MustParsePrefix("0.0.0.0/0")
	n10 := netip.MustParsePrefix("10.0.0.0/8")
	cases := []struct {
		box  Box
		want string
	}{
		{Box{6, 6, 443, 443, v4}, "tcp 443 0.0.0.0/0"},
		{Box{6, 6, 20, 21, netip.MustParsePrefix("10.0.0.0/16")}, "tcp 20-21 10.0.0.0/16"},
		{Box{17, 17, 0, 65535, v4}, "udp all ports 0.0.0.0/0"},
		{Box{0, 255, 0, 65535, netip.MustParsePrefix("::/0")}, "all ::/0"},
		{Box{1, 1, ICMPPort(8, 0), ICMPPort(8, 0), v4}, "icmp type 8 code 0 0.0.0.0/0"},
		{Box{1, 1, ICMPPort(3, 0), ICMPPort(3, 255), n10}, "icmp type 3 10.0.0.0/8"},
		{Box{1, 1, ICMPPort(3, 1), ICMPPort(3, 4), n10}, "icmp type 3 codes 1-4 10.0.0.0/8"},
		{Box{58, 58, ICMPPort(1, 0), ICMPPort(4, 255), n10}, "icmpv6 types 1-4 10.0.0.0/8"},
		{Box{58, 58, 0, 65535, n10}, "icmpv6 all types 10.0.0.0/8"},
		{Box{1, 1, ICMPPort(3, 4), ICMPPort(5, 2), n10}, "icmp type 3 code 4 to type 5 code 2 10.0.0.0/8"},
		{Box{50, 50, 0, 65535, n10}, "protocol 50 10.0.0.0/8"},
		{Box{7, 16, 0, 65535, v4}, "protocols 7-16 0.0.0.0/0"},
		// Hand-made boxes that no Set produces still say what they hold.
		{Box{50, 50, 80, 80, n10}, "protocol 50 ports 80 10.0.0.0/8"},
		{Box{5, 7, 80, 81, n10}, "protocols 5-7 ports 80-81 10.0.0.0/8"},
		{Box{0, 255, 80, 80, n10}, "all ports 80 10.0.0.0/8"},
	}
	for _, tc := range cases {
		if got := tc.box.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.box, got, tc.want)
		}
	}
}

func TestSetString(t *testing.T) {
	t.Parallel()
	if got := (Set{}).String(); got != "none" {
		t.Errorf("empty set = %q, want none", got)
	}
	s, _ := RuleSet(6, 22, 22, cidrs("10.0.0.0/8 ::/0"))
	if got, want := s.String(), "tcp 22 10.0.0.0/8, tcp 22 ::/0"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := Full().String(), "all 0.0.0.0/0, all ::/0"; got != want {
		t.Errorf("Full = %q, want %q", got, want)
	}
}

// TestBoxesOrderAndCover checks the documented ordering (protocol, port,
// family, address) and that ranges become their minimal CIDR cover.
func TestBoxesOrderAndCover(t *testing.T) {
	t.Parallel()
	var b Builder
	for _, r := range []struct {
		proto    int
		from, to int32
		addrs    string
	}{
		{17, 53, 53, "::/0"},
		{6, 443, 443, "2001:db8::/32 10.0.0.1/32"},
		{6, 80, 80, "10.0.0.2/31 10.0.0.1/32"}, // 10.0.0.1-10.0.0.3
		{-1, -1, -1, "192.168.0.0/16"},
	} {
		s, err := RuleSet(r.proto, r.from, r.to, cidrs(r.addrs))
		if err != nil {
			t.Fatal(err)
		}
		b.Add(s)
	}
	// 192.168.0.0/16 allows everything, so the runs around tcp and udp
	// and the ports around 80, 443 and 53 all carry it.
	got := boxStrings(b.Set())
	wantFull := []string{
		"protocols 0-5 192.168.0.0/16",
		"tcp 0-79 192.168.0.0/16",
		"tcp 80 10.0.0.1/32", "tcp 80 10.0.0.2/31", "tcp 80 192.168.0.0/16",
		"tcp 81-442 192.168.0.0/16",
		"tcp 443 10.0.0.1/32", "tcp 443 192.168.0.0/16", "tcp 443 2001:db8::/32",
		"tcp 444-65535 192.168.0.0/16",
		"protocols 7-16 192.168.0.0/16",
		"udp 0-52 192.168.0.0/16",
		"udp 53 192.168.0.0/16", "udp 53 ::/0",
		"udp 54-65535 192.168.0.0/16",
		"protocols 18-255 192.168.0.0/16",
	}
	if !slices.Equal(got, wantFull) {
		t.Errorf("Boxes =\n%q\nwant\n%q", got, wantFull)
	}
	if n := b.Set().NumBoxes(); n != len(wantFull) {
		t.Errorf("NumBoxes = %d, want %d", n, len(wantFull))
	}
}

func TestSplitICMP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lo, hi uint16
		want   [][2]uint16
	}{
		{0, 65535, [][2]uint16{{0, 65535}}},
		{0x0300, 0x03ff, [][2]uint16{{0x0300, 0x03ff}}},
		{0x0304, 0x0306, [][2]uint16{{0x0304, 0x0306}}},
		{0x0304, 0x0502, [][2]uint16{{0x0304, 0x03ff}, {0x0400, 0x04ff}, {0x0500, 0x0502}}},
		{0x0304, 0x0402, [][2]uint16{{0x0304, 0x03ff}, {0x0400, 0x0402}}},
		{0x0300, 0x0402, [][2]uint16{{0x0300, 0x03ff}, {0x0400, 0x0402}}},
		{0x0304, 0x04ff, [][2]uint16{{0x0304, 0x03ff}, {0x0400, 0x04ff}}},
		{0x00ff, 0xff00, [][2]uint16{{0x00ff, 0x00ff}, {0x0100, 0xfeff}, {0xff00, 0xff00}}},
	}
	for _, tc := range cases {
		runs, n := splitICMP(tc.lo, tc.hi)
		if got := runs[:n]; !slices.Equal(got, tc.want) {
			t.Errorf("splitICMP(%#x, %#x) = %#x, want %#x", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestBoxSet(t *testing.T) {
	t.Parallel()
	if s := (Box{ProtoLo: 6, ProtoHi: 6, PortLo: 1, PortHi: 2}).Set(); !s.IsEmpty() {
		t.Errorf("box with no prefix = %v, want none", s)
	}
	if s := (Box{6, 6, 3, 2, netip.MustParsePrefix("::/0")}).Set(); !s.IsEmpty() {
		t.Errorf("inverted port run = %v, want none", s)
	}
	if s := (Box{7, 6, 0, 65535, netip.MustParsePrefix("::/0")}).Set(); !s.IsEmpty() {
		t.Errorf("inverted protocol run = %v, want none", s)
	}
	// Host bits in the prefix are masked, as AWS canonicalises CIDRs.
	s := Box{6, 6, 22, 22, netip.MustParsePrefix("10.1.2.3/8")}.Set()
	if got, want := s.String(), "tcp 22 10.0.0.0/8"; got != want {
		t.Errorf("unmasked prefix: %q, want %q", got, want)
	}
	// Portless protocols in a box's run take every port.
	s = Box{5, 7, 80, 80, netip.MustParsePrefix("10.0.0.0/8")}.Set()
	if got, want := boxStrings(s), []string{"protocol 5 10.0.0.0/8", "tcp 80 10.0.0.0/8", "protocol 7 10.0.0.0/8"}; !slices.Equal(got, want) {
		t.Errorf("mixed box = %q, want %q", got, want)
	}
	if !s.Contains(pkt(5, 9999, "10.0.0.1")) || s.Contains(pkt(6, 9999, "10.0.0.1")) {
		t.Errorf("mixed box membership wrong: %v", s)
	}
}

func TestContainsOddAddresses(t *testing.T) {
	t.Parallel()
	s := Full()
	if s.Contains(Packet{Protocol: 6, Port: 22}) {
		t.Error("Full contains the zero address")
	}
	if s.Contains(Packet{Protocol: 6, Port: 22, Addr: netip.MustParseAddr("fe80::1%eth0")}) {
		t.Error("Full contains a zoned address")
	}
	v4only, _ := RuleSet(-1, -1, -1, cidrs("10.0.0.0/8"))
	if v4only.Contains(pkt(6, 22, "::ffff:10.0.0.1")) {
		t.Error("an IPv4 rule matched an IPv4-mapped IPv6 address")
	}
}

func TestAddrs(t *testing.T) {
	t.Parallel()
	var b Builder
	for _, r := range []struct {
		proto    int
		from, to int32
		addrs    string
	}{
		{6, 443, 443, "10.0.0.0/8"},
		{6, 400, 500, "10.0.0.0/8 192.168.0.0/16"},
		{-1, -1, -1, "::/0"},
	} {
		s, _ := RuleSet(r.proto, r.from, r.to, cidrs(r.addrs))
		b.Add(s)
	}
	s := b.Set()
	if got, want := s.Addrs(6, 443).Prefixes(), []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("::/0"),
	}; !slices.Equal(got, want) {
		t.Errorf("Addrs(tcp, 443) = %v, want %v", got, want)
	}
	if got := s.Addrs(17, 443).Prefixes(); !slices.Equal(got, []netip.Prefix{netip.MustParsePrefix("::/0")}) {
		t.Errorf("Addrs(udp, 443) = %v, want ::/0", got)
	}
	if got := (Set{}).Addrs(6, 1).Prefixes(); len(got) != 0 {
		t.Errorf("empty set Addrs = %v", got)
	}
}

func TestBuilderOrder(t *testing.T) {
	t.Parallel()
	ssh, _ := RuleSet(6, 22, 22, cidrs("0.0.0.0/0"))
	web, _ := RuleSet(6, 443, 443, cidrs("0.0.0.0/0"))
	var b Builder
	b.Add(ssh)
	b.Remove(ssh) // removes what came before
	b.Add(web)
	b.Add(ssh) // and later adds are kept
	b.Add(Set{})
	b.Remove(Set{})
	want := ssh.Union(web)
	if got := b.Set(); !got.Equal(want) {
		t.Errorf("builder = %v, want %v", got, want)
	}
	if got := b.Set(); !got.Equal(want) {
		t.Errorf("second Set() = %v, want %v", got, want)
	}
	var empty Builder
	if !empty.Set().IsEmpty() {
		t.Error("zero Builder is not empty")
	}
}

func TestICMPPort(t *testing.T) {
	t.Parallel()
	if got := ICMPPort(3, 4); got != 0x0304 {
		t.Errorf("ICMPPort(3, 4) = %#x", got)
	}
	if got := ICMPPort(255, 255); got != 0xffff {
		t.Errorf("ICMPPort(255, 255) = %#x", got)
	}
}
