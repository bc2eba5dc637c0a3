package flowlog

import "golang.org/x/sys/cpu"

var haveScanAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasPOPCNT

// scanAVX2 is scanBlocksGo for n bytes, n a multiple of 64.
//
//go:noescape
func scanAVX2(data *byte, n int, base uint32, carry uint64, blanks, nls, dbls *uint32) (nb, nn, nd int, carryOut uint64)

// scanBlocks is scanBlocksGo, 64 bytes an instruction where the CPU can.
func scanBlocks(data []byte, base uint32, carry uint64, out *scanOut) (nb, nn, nd int, carryOut uint64) {
	whole := len(data) &^ 63
	if !haveScanAVX2 || whole == 0 {
		return scanBlocksGo(data, base, carry, out)
	}
	nb, nn, nd, carry = scanAVX2(&data[0], whole, base, carry, &out.blanks[0], &out.nls[0], &out.dbls[0])
	if whole == len(data) {
		return nb, nn, nd, carry
	}
	tail := &scanOut{blanks: out.blanks[nb:], nls: out.nls[nn:], dbls: out.dbls[nd:]}
	b, n, d, carry := scanBlocksGo(data[whole:], base+uint32(whole), carry, tail)
	return nb + b, nn + n, nd + d, carry
}
