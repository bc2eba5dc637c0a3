package flowlog

import "math/bits"

// key4 is a factKey4 packed into four words, the key of table4: hashing
// and comparing it is a few multiplications and four compares, where the
// Go map hashes and compares 28 bytes through the runtime. The last word
// is never zero (bit 16 is set), so a zero word marks an empty slot.
type key4 [4]uint64

func be32(a [4]byte) uint64 {
	return uint64(a[0])<<24 | uint64(a[1])<<16 | uint64(a[2])<<8 | uint64(a[3])
}

func un32(w uint64) [4]byte { return [4]byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w)} }

func pack4(k *factKey4) key4 {
	return key4{
		be32(k.src) | be32(k.dst)<<32,
		be32(k.psrc) | be32(k.pdst)<<32,
		uint64(k.eni) | uint64(k.sport)<<32 | uint64(k.dport)<<48,
		uint64(k.proto) | uint64(k.info)<<8 | 1<<16,
	}
}

func (p *key4) unpack() factKey4 {
	return factKey4{
		src: un32(p[0]), dst: un32(p[0] >> 32), psrc: un32(p[1]), pdst: un32(p[1] >> 32),
		eni: uint32(p[2]), sport: uint16(p[2] >> 32), dport: uint16(p[2] >> 48),
		proto: uint8(p[3]), info: uint8(p[3] >> 8),
	}
}

// eni, info and evidence read the packed fields.
func (p *key4) eni() uint32        { return uint32(p[2]) }
func (p *key4) info() uint8        { return uint8(p[3] >> 8) }
func (p *key4) evidence() evidence { return evidence(p.info() >> infoEvShift & 3) }

func (p *key4) hash() uint64 {
	h := p[0]*0x9e3779b97f4a7c15 ^ p[1]*0xc2b2ae3d27d4eb4f ^ p[2]*0x165667b19e3779f9 ^ p[3]*0xd6e8feb86659fd93
	h ^= h >> 29
	return h * 0x94d049bb133111eb
}

// hash2 is the store's hash, unrelated in order to hash: flushes insert a
// worker table's facts in its slot order, which is hash order, and with the
// same hash a linear-probing table fed in hash order piles into ever longer
// runs (each insert lands at the end of the run the previous ones built).
func (p *key4) hash2() uint64 {
	h := p.hash()
	h ^= h >> 32
	return h * 0xff51afd7ed558ccd
}

// slot4 is one entry of table4: key and sums in one 72-byte slot, so an
// update touches one place.
type slot4 struct {
	k key4
	v factVal
}

// table4 is the worker's IPv4 fact table: open addressing with linear
// probing, at most 3/4 full, indexed by the top bits of the key's hash.
type table4 struct {
	slots   []slot4
	n       int
	shift   uint   // 64 - log2(len(slots))
	touched uint64 // keeps addBatch's early loads
}

func newTable4() table4 {
	const initial = 1 << 10
	return table4{slots: make([]slot4, initial), shift: uint(64 - bits.TrailingZeros(initial))}
}

func (t *table4) add(k *key4, o *factVal) {
	m := len(t.slots) - 1
	for i := int(k.hash() >> t.shift); ; i = (i + 1) & m {
		s := &t.slots[i]
		if s.k == *k {
			s.v.add(o)
			return
		}
		if s.k[3] == 0 {
			s.k, s.v = *k, *o
			if t.n++; t.n*4 > len(t.slots)*3 {
				t.grow()
			}
			return
		}
	}
}

// batch4 is how many facts a worker queues before adding them together.
const batch4 = 16

// addBatch adds ks[i], vs[i] for i < n. It first reads every key's home
// slot: loads that do not depend on each other, which the CPU keeps in
// flight together, so the inserts that follow find their slots in cache
// (Go has no prefetch instruction; one insert at a time waited for each
// cache miss in turn).
func (t *table4) addBatch(ks *[batch4]key4, vs *[batch4]factVal, n int) {
	var x uint64
	for i := 0; i < n; i++ {
		x += t.slots[int(ks[i].hash()>>t.shift)].k[3]
	}
	t.touched += x
	for i := 0; i < n; i++ {
		t.add(&ks[i], &vs[i])
	}
}

func (t *table4) grow() {
	old := t.slots
	t.slots = make([]slot4, 2*len(old))
	// Write the fresh pages before probing reads them: a read first maps
	// the kernel's zero page, and the first write then costs a second
	// fault and a TLB shootdown per page.
	clear(t.slots)
	t.shift--
	m := len(t.slots) - 1
	for j := range old {
		s := &old[j]
		if s.k[3] == 0 {
			continue
		}
		i := int(s.k.hash() >> t.shift)
		for t.slots[i].k[3] != 0 {
			i = (i + 1) & m
		}
		t.slots[i] = *s
	}
}

func (t *table4) len() int { return t.n }

// eachKey calls fn for every fact with its packed key, in slot order.
func (t *table4) eachKey(fn func(k *key4, v *factVal)) {
	for j := range t.slots {
		if s := &t.slots[j]; s.k[3] != 0 {
			fn(&s.k, &s.v)
		}
	}
}

func (t *table4) reset() {
	if t.n > 0 {
		clear(t.slots)
		t.n = 0
	}
}

// index4 is the store's IPv4 table: the facts with their sums in a dense
// slice (slot4, in arrival order), found through 8-byte slots holding the
// entry's index and 32 bits of its hash. The store holds every fact of the
// run and is updated only at flushes; the merge reads it front to back.
type index4 struct {
	slots []uint64 // 0: empty; else index+1 in the low half, hash bits in the high
	ents  []slot4
	shift uint
}

func newIndex4() index4 {
	const initial = 1 << 12
	return index4{slots: make([]uint64, initial), shift: uint(64 - bits.TrailingZeros(initial))}
}

// add adds o to fact k.
func (t *index4) add(k *key4, o *factVal) {
	h := k.hash2()
	tag := h << 32 // the hash's low half: the slot index uses the high bits
	m := len(t.slots) - 1
	for i := int(h >> t.shift); ; i = (i + 1) & m {
		s := t.slots[i]
		if s == 0 {
			t.ents = append(t.ents, slot4{k: *k, v: *o})
			t.slots[i] = tag | uint64(len(t.ents))
			if len(t.ents)*4 > len(t.slots)*3 {
				t.grow()
			}
			return
		}
		if s&0xffffffff00000000 == tag {
			if e := &t.ents[uint32(s)-1]; e.k == *k {
				e.v.add(o)
				return
			}
		}
	}
}

func (t *index4) grow() {
	t.slots = make([]uint64, 2*len(t.slots))
	clear(t.slots) // see table4.grow
	t.shift--
	m := len(t.slots) - 1
	for j := range t.ents {
		h := t.ents[j].k.hash2()
		i := int(h >> t.shift)
		for t.slots[i] != 0 {
			i = (i + 1) & m
		}
		t.slots[i] = h<<32 | uint64(j+1)
	}
}

func (t *index4) len() int { return len(t.ents) }

// reserve makes room for n facts without growing; the table must be empty.
func (t *index4) reserve(n int) {
	size := 1 << 12
	for size*3 < n*4 {
		size *= 2
	}
	t.slots = make([]uint64, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	t.ents = make([]slot4, 0, n)
}

// eachKey calls fn for every fact with its packed key, in arrival order.
func (t *index4) eachKey(fn func(k *key4, v *factVal)) {
	for j := range t.ents {
		fn(&t.ents[j].k, &t.ents[j].v)
	}
}
