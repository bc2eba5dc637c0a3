package flowlog

import (
	"math/rand/v2"
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

// TestCompareEntries checks that the integer sort keys order observations
// exactly as compareKeys does.
func TestCompareEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	addr := func() [16]byte {
		var a [16]byte
		if rng.IntN(2) == 0 {
			a = v4mapped([4]byte{byte(rng.IntN(3)), 0, 0, byte(rng.IntN(3))})
		} else {
			a[0], a[15] = byte(rng.IntN(3)*0x7f), byte(rng.IntN(3))
		}
		return a
	}
	key := func() obsKey {
		return obsKey{remote: addr(), eni: uint32(rng.IntN(3)) * 0x7fffffff, port: uint16(rng.IntN(3)) * 0x7fff,
			proto: uint8(rng.IntN(3)) * 0x7f, dir: Direction(1 + rng.IntN(2)), accepted: rng.IntN(2) == 0}
	}
	for i := 0; i < 100000; i++ {
		xk, yk := key(), key()
		xe, ye := newObsEntry(xk, 1, 0), newObsEntry(yk, 2, 0)
		if xe.key() != xk {
			t.Fatalf("key round trip: %+v -> %+v", xk, xe.key())
		}
		if xe.sameKey(&ye) != (xk == yk) {
			t.Fatalf("%+v %+v: sameKey %v", xk, yk, xe.sameKey(&ye))
		}
		if got, want := compareEntries(xe, ye), compareKeys(&xk, &yk); got != want {
			t.Fatalf("%+v %+v: compareEntries %d, compareKeys %d", xk, yk, got, want)
		}
	}
}
