//go:build !amd64

package flowlog

const haveScanAVX2 = false

func scanBlocks(data []byte, base uint32, carry uint64, out *scanOut) (nb, nn, nd int, carryOut uint64) {
	return scanBlocksGo(data, base, carry, out)
}
