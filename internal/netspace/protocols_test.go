package netspace

import (
	"net/netip"
	"strings"
	"testing"
)

func TestProtocolText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lo, hi uint8
		want   string
	}{
		{6, 6, "tcp"},
		{17, 17, "udp"},
		{1, 1, "icmp"},
		{58, 58, "icmpv6"},
		{50, 50, "esp (50)"},
		{0, 0, "hopopt (0)"},
		{89, 89, "ospf (89)"},
		{253, 253, "protocol 253"},
		{255, 255, "protocol 255"},
		{0, 255, "all"},
		{7, 16, "protocols 7-16 (cbt, egp, igp, …)"},
		{0, 5, "protocols 0-5 (icmp, igmp, ipv4, …)"},
		{7, 255, "protocols 7-255 (udp, icmpv6, gre, …)"},
		{18, 57, "protocols 18-57 (gre, esp, ah, …)"},
		{59, 255, "protocols 59-255 (sctp, ospf, pim, …)"},
		{142, 150, "protocols 142-150 (rohc, ethernet, aggfrag, …)"},
		{144, 200, "protocols 144-200 (aggfrag, nsh)"},
		{146, 252, "protocols 146-252"},
		{16, 7, "protocols 7-16 (cbt, egp, igp, …)"},
	} {
		if got := ProtocolText(tt.lo, tt.hi); got != tt.want {
			t.Errorf("ProtocolText(%d, %d) = %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}

// Every named protocol has one name, and numbers without one render as
// numbers: no run is ever printed as bare numbers when it has members
// people know by name.
func TestProtocolNames(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for p := 0; p < 256; p++ {
		n := ProtocolName(uint8(p))
		if n == "" {
			continue
		}
		if q, ok := seen[n]; ok {
			t.Errorf("%q names both %d and %d", n, q, p)
		}
		seen[n] = p
		if n != strings.ToLower(n) || strings.ContainsAny(n, " ,()") {
			t.Errorf("%d: name %q: want a lowercase keyword", p, n)
		}
	}
	if len(seen) < 140 {
		t.Errorf("%d protocols named, want the IANA list (140 or more)", len(seen))
	}
}

// Text names protocols; String, the exact form JSON keeps, does not.
func TestBoxTextNamesProtocols(t *testing.T) {
	t.Parallel()
	v4 := netip.MustParsePrefix("0.0.0.0/0")
	for _, tt := range []struct {
		b         Box
		str, text string
	}{
		{Box{7, 16, 0, 65535, v4}, "protocols 7-16 0.0.0.0/0", "protocols 7-16 (cbt, egp, igp, …) 0.0.0.0/0"},
		{Box{50, 50, 0, 65535, v4}, "protocol 50 0.0.0.0/0", "esp (50) 0.0.0.0/0"},
		{Box{6, 6, 443, 443, v4}, "tcp 443 0.0.0.0/0", "tcp 443 0.0.0.0/0"},
		{Box{0, 255, 0, 65535, v4}, "all 0.0.0.0/0", "all 0.0.0.0/0"},
		{Box{5, 7, 80, 81, v4}, "protocols 5-7 ports 80-81 0.0.0.0/0", "protocols 5-7 (tcp, st, cbt) ports 80-81 0.0.0.0/0"},
	} {
		if got := tt.b.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := tt.b.Text(); got != tt.text {
			t.Errorf("Text() = %q, want %q", got, tt.text)
		}
	}
}
