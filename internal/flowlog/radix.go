package flowlog

import "slices"

// sortEntries sorts entries as compareEntries orders them: a least
// significant digit radix sort on 11-bit digits of loc, r2, r1 and sk,
// skipping the digits that are the same in every entry (loc without packet
// addresses; for IPv4 remotes, r1 and the top of r2; the top of sk). A few linear passes instead of n log n
// comparisons through a function value. tmp must be as long as ents.
func sortEntries(ents, tmp []obsEntry) {
	if len(ents) < 512 {
		slices.SortFunc(ents, compareEntries)
		return
	}
	const bits, buckets = 11, 1 << 11
	var vary [4]uint64 // loc, r2, r1, sk: the bits that differ somewhere
	f := ents[0]
	for i := range ents {
		vary[0] |= uint64(ents[i].loc ^ f.loc)
		vary[1] |= ents[i].r2 ^ f.r2
		vary[2] |= ents[i].r1 ^ f.r1
		vary[3] |= ents[i].sk ^ f.sk
	}
	word := func(e *obsEntry, w int) uint64 {
		switch w {
		case 0:
			return uint64(e.loc)
		case 1:
			return e.r2
		case 2:
			return e.r1
		}
		return e.sk
	}
	src, dst := ents, tmp[:len(ents)]
	var count [buckets]int
	for w := 0; w < 4; w++ {
		for shift := uint(0); shift < 64; shift += bits {
			if vary[w]>>shift&(buckets-1) == 0 {
				continue
			}
			clear(count[:])
			for i := range src {
				count[word(&src[i], w)>>shift&(buckets-1)]++
			}
			sum := 0
			for b, c := range count {
				count[b] = sum
				sum += c
			}
			for i := range src {
				d := word(&src[i], w) >> shift & (buckets - 1)
				dst[count[d]] = src[i]
				count[d]++
			}
			src, dst = dst, src
		}
	}
	if &src[0] != &ents[0] {
		copy(ents, src)
	}
}
