package flowlog

import (
	"encoding/binary"
	"math/bits"
)

// Stage one of the text parser: one pass over a piece of a chunk records
// where its blanks (bytes <= ' ', newlines included), its newlines and its
// doubled blanks (a blank right after a blank, or at the start of the piece)
// are, as offsets. A line with no doubled blank and exactly as many blanks
// as the format has columns is then cut into columns without looking at its
// bytes again; any other line goes to the general parser (Format.Parse).
//
// On amd64 with AVX2 the pass runs 64 bytes an iteration in assembly
// (scan_amd64.s); scanBlocksGo is the portable version and the reference
// the assembly is fuzzed against.

// scanOut receives the offsets; each slice needs room for every byte it
// could record plus scanSlack.
type scanOut struct {
	blanks, nls, dbls []uint32
}

const scanSlack = 8 // the assembly writes blanks eight at a time

func newScanOut(n int) *scanOut {
	return &scanOut{blanks: make([]uint32, n+scanSlack), nls: make([]uint32, n+scanSlack), dbls: make([]uint32, n+scanSlack)}
}

// scanBlocksGo scans data (any length) whose first byte is at offset base.
// carry is 1 when the byte before data was a blank (or data starts a
// line), and the returned carry says the same of data's last byte.
func scanBlocksGo(data []byte, base uint32, carry uint64, out *scanOut) (nb, nn, nd int, carryOut uint64) {
	for i := 0; i < len(data); i += 64 {
		var blk [64]byte
		valid := 64
		if i+64 <= len(data) {
			blk = [64]byte(data[i : i+64])
		} else {
			valid = copy(blk[:], data[i:])
			for k := valid; k < 64; k++ {
				blk[k] = 'x'
			}
		}
		blank := blankMask(&blk)
		nl := newlineMask(&blk)
		dbl := blank & (blank<<1 | carry)
		if valid < 64 {
			carry = blank >> (valid - 1) & 1
		} else {
			carry = blank >> 63
		}
		off := base + uint32(i)
		nb = flatten(blank, off, out.blanks, nb)
		nn = flatten(nl, off, out.nls, nn)
		nd = flatten(dbl, off, out.dbls, nd)
	}
	return nb, nn, nd, carry
}

func flatten(m uint64, off uint32, dst []uint32, n int) int {
	for m != 0 {
		dst[n] = off + uint32(bits.TrailingZeros64(m))
		n++
		m &= m - 1
	}
	return n
}

// newlineMask returns the '\n' bytes of a 64-byte block as a bitmask.
func newlineMask(b *[64]byte) uint64 {
	var m uint64
	for w := 0; w < 8; w++ {
		x := binary.LittleEndian.Uint64(b[w*8:]) ^ 0x0a0a0a0a0a0a0a0a
		// a zero byte of x is a newline: exact per byte (no borrow across).
		z := ^(((x & swarLow7) + swarLow7) | x) & swarHi
		m |= z >> 7 * swarGather >> 56 << (w * 8)
	}
	return m
}
