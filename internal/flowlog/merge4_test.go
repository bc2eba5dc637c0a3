package flowlog

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestAdd4MatchesAdd holds the IPv4 path of the merge to the general one:
// random decided facts over a small pool of addresses (so that inventory
// and learned addresses match), with and without flow-direction, packet
// addresses, ICMP, rejects, on interfaces with and without an inventory,
// a learned address, or a forwarding type.
func TestAdd4MatchesAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	pool := []uint64{0x0a000001, 0x0a000002, 0x0a000003, 0x08080808, 0xc0a80001}
	addr := func() uint64 { return pool[r.IntN(len(pool))] }
	enis := []eniState{
		{name: "eni-plain"},
		{name: "eni-learned", learned: 1, local: v4word16(0x0a000001)},
		{name: "eni-inv", own: map[[16]byte]bool{v4word16(0x0a000001): true, v4word16(0x0a000002): true}},
		{name: "eni-nat", transit: true, own: map[[16]byte]bool{v4word16(0x0a000003): true}},
		{name: "eni-both", learned: 1, local: v4word16(0x0a000002), own: map[[16]byte]bool{v4word16(0x0a000003): true}},
	}
	general := &merger{enis: enis, st: &Stats{}, undetermined: map[string]bool{}, fwd: map[fwdKey]*obsAcc{}}
	packed := &merger{enis: enis, st: &Stats{}, undetermined: map[string]bool{}, fwd: map[fwdKey]*obsAcc{}}
	for n := 0; n < 50000; n++ {
		var psrc, pdst uint64
		if r.IntN(3) == 0 {
			psrc = addr()
		}
		if r.IntN(3) == 0 {
			pdst = addr()
		}
		ev := evExact
		if r.IntN(2) == 0 {
			ev = evHeuristic
		}
		info := uint8(ev)<<infoEvShift | uint8(r.IntN(3))<<infoFlowShift
		if r.IntN(4) != 0 {
			info |= infoAccepted
		}
		if r.IntN(4) == 0 {
			info |= infoFullPorts
		}
		proto := []uint64{protoTCP, protoUDP, protoICMP, protoSCTP, 47}[r.IntN(5)]
		g := uint32(r.IntN(len(enis)))
		k := key4{addr() | addr()<<32, psrc | pdst<<32, uint64(g) | uint64(r.IntN(70000)&0xffff)<<32 | uint64(r.IntN(70000)&0xffff)<<48,
			proto | uint64(info)<<8 | 1<<16}
		v := factVal{flows: uint64(1 + r.IntN(3)), packets: uint64(r.IntN(100)), bytes: uint64(r.IntN(1000)), first: int64(r.IntN(50)), last: int64(50 + r.IntN(50))}
		u := k.unpack()
		fk := u.full()
		conf := Heuristic
		if ev == evExact {
			conf = Exact
		}
		general.add(&fk, &v, false, conf)
		packed.add4(&k, g, &v, conf)
		last := func(m *merger) string {
			s := fmt.Sprint(len(m.ents), len(m.rows), *m.st, len(m.undetermined), len(m.fwd))
			if len(m.ents) > 0 {
				s += fmt.Sprint(m.ents[len(m.ents)-1], m.rows[len(m.rows)-1])
			}
			if n == 49999 {
				var fw []string
				for k, a := range m.fwd {
					fw = append(fw, fmt.Sprint(k, *a))
				}
				slices.Sort(fw)
				s += strings.Join(fw, " ")
			}
			return s
		}
		if got, want := last(packed), last(general); got != want {
			t.Fatalf("fact %+v on %s:\nadd4 %s\nadd  %s", fk, enis[g].name, got, want)
		}
	}
}
