package netspace

// Builder accumulates a Set from many pieces, in the style of
// netipx.IPSetBuilder: Add and Remove in any order, then Set. The zero
// value is an empty builder. A Builder is not safe for concurrent use.
//
// It exists because folding hundreds of rule or observation sets one
// Union at a time re-copies the growing result each time. Builder queues
// consecutive Adds and unions them pairwise, like a merge sort, so each
// piece is copied O(log n) times.
type Builder struct {
	s       Set
	pending []Set
}

// Add adds every packet of t.
func (b *Builder) Add(t Set) {
	if !t.IsEmpty() {
		b.pending = append(b.pending, t)
	}
}

// Remove removes every packet of t, including those added before.
func (b *Builder) Remove(t Set) {
	if t.IsEmpty() {
		return
	}
	b.flush()
	b.s = b.s.Subtract(t)
}

// Set returns the packets added and not removed since. The Builder stays
// usable.
func (b *Builder) Set() Set {
	b.flush()
	return b.s
}

// flush folds the queued Adds into b.s.
func (b *Builder) flush() {
	if len(b.pending) == 0 {
		return
	}
	sets := append(b.pending, b.s)
	for len(sets) > 1 {
		n := 0
		for i := 0; i < len(sets); i += 2 {
			if i+1 < len(sets) {
				sets[n] = sets[i].Union(sets[i+1])
			} else {
				sets[n] = sets[i]
			}
			n++
		}
		sets = sets[:n]
	}
	b.s = sets[0]
	clear(b.pending[:cap(b.pending)])
	b.pending = b.pending[:0]
}
