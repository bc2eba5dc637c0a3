package flowlog

import (
	"net/netip"
	"testing"
)

// parseIPv4Ref is the byte-by-byte reader parseIPv4 replaced: the reference
// for FuzzParseIPv4.
func parseIPv4Ref(b []byte) (netip.Addr, bool) {
	var ip [4]byte
	n, val, digits := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || n == 4 {
				return netip.Addr{}, false
			}
			ip[n] = byte(val)
			n++
			val, digits = 0, 0
			continue
		}
		d := b[i] - '0'
		if d > 9 || digits == 3 || digits > 0 && val == 0 {
			return netip.Addr{}, false
		}
		val = val*10 + int(d)
		if val > 255 {
			return netip.Addr{}, false
		}
		digits++
	}
	if n != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(ip), true
}

// FuzzParseIPv4 checks parseIPv4 against the reference reader.
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"10.0.1.10", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.",
		".1.2.3", "1..2.3", "1.2.3.4.5", "1.2.3.1234", "100.200.300.1", "9.99.199.249", "1.2.3.04", "", "::1", "1.2.3.0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := parseIPv4(b)
		ra, rok := parseIPv4Ref(b)
		if ok != rok || a != ra {
			t.Fatalf("%q: %v %v, reference %v %v", b, a, ok, ra, rok)
		}
		if ok {
			if na, err := netip.ParseAddr(string(b)); err != nil || na != a {
				t.Fatalf("%q: %v, netip %v %v", b, a, na, err)
			}
		}
	})
}
