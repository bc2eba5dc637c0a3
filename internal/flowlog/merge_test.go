package flowlog

import (
	"net/netip"
	"testing"
)

func TestCmpAddr16MatchesNetip(t *testing.T) {
	addrs := []string{"0.0.0.0", "10.0.0.1", "255.255.255.255", "::", "::1", "::fffe:1:2", "64:ff9b::1", "2001:db8::1", "fe80::1", "ffff::"}
	for _, x := range addrs {
		for _, y := range addrs {
			a, b := netip.MustParseAddr(x), netip.MustParseAddr(y)
			a16, b16 := a.As16(), b.As16()
			if got, want := cmpAddr16(&a16, &b16), a.Compare(b); got != want {
				t.Errorf("cmpAddr16(%s, %s) = %d, want %d", x, y, got, want)
			}
		}
	}
}
