package netspace

import (
	"hash/fnv"
	"math/rand/v2"
	"testing"
)

// FuzzSetOps decodes the input into three rule lists and runs the same
// comparison with the model as the property tests (checkOps): every
// operation checked exhaustively on the breakpoint grid, plus canonical
// form, algebraic laws and the Boxes round trip. The fuzzer explores rule
// shapes the random generator rarely picks, including invalid ones, which
// RuleSet must reject exactly when the model says so.
//
// Seeds live in testdata/fuzz/FuzzSetOps. Run with
//
//	go test -run='^$' -fuzz=FuzzSetOps ./internal/netspace
func FuzzSetOps(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var lists [3][]rule
		for i, r := range decodeRules(data) {
			lists[i%3] = append(lists[i%3], r)
		}
		h := fnv.New64a()
		h.Write(data)
		rng := rand.New(rand.NewPCG(h.Sum64(), 4))
		checkOps(t, rng, lists[0], lists[1], lists[2])
	})
}

// fuzzMaxRules bounds the work one input can ask for.
const fuzzMaxRules = 24

// decodeRules reads 7 bytes per rule:
//
//	byte 0: bits 0-2 protocol choice, bit 3 NACL entry, bit 4 raw ports,
//	        bit 5 second prefix, bits 6-7 unused
//	bytes 1-4: from and to, interpreted per protocol (see below)
//	bytes 5-6: indexes into prefixPool
//
// Rules are dealt round-robin to the three lists.
func decodeRules(data []byte) []rule {
	protos := [8]int{-1, 1, 6, 17, 58, 50, 0, 255}
	var out []rule
	for len(data) >= 7 && len(out) < fuzzMaxRules {
		b := data[:7]
		data = data[7:]
		r := rule{proto: protos[b[0]&7], nacl: b[0]&8 != 0}
		switch {
		case b[0]&16 != 0:
			// Raw values, often invalid: -256..65279.
			r.from = int32(b[1])<<8 | int32(b[2]) - 256
			r.to = int32(b[3])<<8 | int32(b[4]) - 256
		case r.proto == 6 || r.proto == 17:
			r.from = int32(b[1])
			if b[2]&1 != 0 {
				r.from = 65535 - r.from
			}
			r.to = min(65535, r.from+int32(b[3]))
			if b[4]&1 != 0 {
				r.to = 65535
			}
			if b[1] == 0xff && b[2] == 0xff {
				r.from, r.to = -1, -1
			}
		case r.proto == 1 || r.proto == 58:
			types := [...]int32{-1, 0, 3, 4, 8, 11, 128, 135, 255, -1}
			codes := [...]int32{-1, 0, 1, 4, 255, -1}
			r.from, r.to = types[int(b[1])%len(types)], codes[int(b[3])%len(codes)]
		default:
			r.from, r.to = int32(b[1])-1, int32(b[3])-1
		}
		r.prefixes = append(r.prefixes, prefixPool[int(b[5])%len(prefixPool)])
		if b[0]&32 != 0 {
			r.prefixes = append(r.prefixes, prefixPool[int(b[6])%len(prefixPool)])
		}
		out = append(out, r)
	}
	return out
}
