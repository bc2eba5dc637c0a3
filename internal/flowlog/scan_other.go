//go:build !amd64

package flowlog

import "math/bits"

const haveScanAVX2 = false

func scanBlocks(data []byte, base uint32, carry uint64, out *scanOut) (nb, nn, nd int, carryOut uint64) {
	return scanBlocksGo(data, base, carry, out)
}

func trailingZeros(m uint64) int { return bits.TrailingZeros64(m) }
