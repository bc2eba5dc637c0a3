package flowlog

import (
	"math/rand/v2"
	"testing"
)

// TestTable4 checks the open-addressing table against a Go map, across
// growth, and the key packing round trip.
func TestTable4(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab, idx := newTable4(), newIndex4()
	want := map[factKey4]factVal{}
	for i := 0; i < 50000; i++ {
		k := factKey4{src: [4]byte{10, 0, byte(rng.IntN(4)), byte(rng.IntN(256))}, dst: [4]byte{byte(rng.IntN(3)), 1, 2, 3},
			eni: uint32(rng.IntN(5)), sport: uint16(rng.IntN(3)), dport: uint16(rng.IntN(65536)), proto: uint8(rng.IntN(256)), info: uint8(rng.IntN(256))}
		if rng.IntN(2) == 0 {
			k.psrc, k.pdst = [4]byte{255, 255, 255, 255}, [4]byte{1, 0, 0, byte(rng.IntN(256))}
		}
		if p := pack4(&k); p.unpack() != k {
			t.Fatalf("pack round trip: %+v -> %+v", k, p.unpack())
		}
		v := factVal{flows: 1, packets: uint64(rng.IntN(100)), bytes: uint64(rng.IntN(10000)), first: int64(rng.IntN(1000) + 1), last: int64(rng.IntN(1000) + 1000)}
		p := pack4(&k)
		tab.add(&p, &v)
		idx.add(&p, &v)
		w := want[k]
		w.add(&v)
		want[k] = w
	}
	if tab.len() != len(want) {
		t.Fatalf("%d facts, want %d", tab.len(), len(want))
	}
	seen := 0
	tab.eachKey(func(p *key4, v *factVal) {
		k := p.unpack()
		seen++
		if want[k] != *v {
			t.Fatalf("%+v: %+v, want %+v", k, *v, want[k])
		}
	})
	if seen != len(want) {
		t.Fatalf("each saw %d facts, want %d", seen, len(want))
	}
	seen = 0
	idx.eachKey(func(p *key4, v *factVal) {
		k := p.unpack()
		seen++
		if want[k] != *v {
			t.Fatalf("index4 %+v: %+v, want %+v", k, *v, want[k])
		}
	})
	if seen != len(want) || idx.len() != len(want) {
		t.Fatalf("index4 saw %d facts (len %d), want %d", seen, idx.len(), len(want))
	}
	tab.reset()
	if tab.len() != 0 {
		t.Fatal("reset left facts")
	}
	tab.eachKey(func(*key4, *factVal) { t.Fatal("fact after reset") })
}
