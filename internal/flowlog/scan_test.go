package flowlog

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// scanNaive is the byte-by-byte definition scanBlocks must match.
func scanNaive(data []byte, base uint32, carry uint64) (blanks, nls, dbls []uint32, carryOut uint64) {
	prev := carry == 1
	for i, c := range data {
		off := base + uint32(i)
		b := c <= ' '
		if b {
			blanks = append(blanks, off)
			if prev {
				dbls = append(dbls, off)
			}
		}
		if c == '\n' {
			nls = append(nls, off)
		}
		prev = b
	}
	if len(data) == 0 {
		return blanks, nls, dbls, carry
	}
	if prev {
		carryOut = 1
	}
	return blanks, nls, dbls, carryOut
}

func checkScan(t *testing.T, data []byte, base uint32, carry uint64) {
	t.Helper()
	wb, wn, wd, wc := scanNaive(data, base, carry)
	for _, impl := range []struct {
		name string
		f    func([]byte, uint32, uint64, *scanOut) (int, int, int, uint64)
	}{{"go", scanBlocksGo}, {"simd", scanBlocks}} {
		out := newScanOut(len(data))
		nb, nn, nd, c := impl.f(data, base, carry, out)
		if !slices.Equal(out.blanks[:nb], wb) && !(nb == 0 && len(wb) == 0) ||
			!slices.Equal(out.nls[:nn], wn) && !(nn == 0 && len(wn) == 0) ||
			!slices.Equal(out.dbls[:nd], wd) && !(nd == 0 && len(wd) == 0) || c != wc {
			t.Fatalf("%s scan of %q (base %d, carry %d):\nblanks %v want %v\nnls %v want %v\ndbls %v want %v\ncarry %d want %d",
				impl.name, data, base, carry, out.blanks[:nb], wb, out.nls[:nn], wn, out.dbls[:nd], wd, c, wc)
		}
	}
}

func TestScanBlocks(t *testing.T) {
	t.Logf("AVX2 scanner: %v", haveScanAVX2)
	checkScan(t, nil, 0, 1)
	checkScan(t, []byte(benchLine), 0, 1)
	checkScan(t, []byte("a  b\t\r\n\n"+string(benchLine)+"\n \x00\x1f\x20\x21\x7f\x80\xff"), 100, 0)
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab -\n\t\r\x00\x1f !\x80\xff\x7f")
	for n := 0; n < 300; n++ {
		for rep := 0; rep < 4; rep++ {
			data := make([]byte, n)
			for i := range data {
				data[i] = alphabet[r.IntN(len(alphabet))]
			}
			checkScan(t, data, uint32(r.IntN(1000)), uint64(r.IntN(2)))
		}
	}
	// Every blank in a block, the worst case for the eight-at-a-time writes.
	all := make([]byte, 64*5+17)
	checkScan(t, all, 0, 0)
}

func FuzzScanBlocks(f *testing.F) {
	f.Add([]byte(benchLine), uint32(0), true)
	f.Add([]byte("a  b\r\n\n- -"), uint32(7), false)
	f.Fuzz(func(t *testing.T, data []byte, base uint32, carry bool) {
		if uint64(base)+uint64(len(data)) >= 1<<32 {
			return
		}
		c := uint64(0)
		if carry {
			c = 1
		}
		checkScan(t, data, base, c)
	})
}

// BenchmarkScan measures stage one alone over the first 32 MiB of the corpus
// named by WALLS_BENCH_FLOWS.
func BenchmarkScan(b *testing.B) {
	data := benchCorpus(b, 32<<20)
	out := newScanOut(scanPiece)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for pos := 0; pos < len(data); pos += scanPiece {
			scanBlocks(data[pos:min(pos+scanPiece, len(data))], 0, 1, out)
		}
	}
}
