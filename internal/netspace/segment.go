package netspace

import "sort"

// key is an ordered, bounded dimension of the packet space: the protocol
// number (uint8) or the port / ICMP type-code (uint16). Both are small
// enough that every position fits an int, which lets the sweep step past
// the last value without overflow.
type key interface{ ~uint8 | ~uint16 }

// seg is one piece of a piecewise-constant map over a key dimension: every
// key in lo..hi maps to v. A list of segs is canonical when the segs are
// sorted, disjoint, every v is non-empty (never nil), and two adjacent segs
// (hi+1 == next lo) never hold equal values. Canonical lists are what make
// Set equality a structural comparison.
type seg[K key, E any] struct {
	lo, hi K
	v      []E
}

// sweep walks the union of the breakpoints of two canonical seg lists and
// calls visit for every maximal run lo..hi on which both lists are constant
// and at least one of them is present (x or y is nil where a list has no
// seg). It stops early, returning false, when visit returns false; this is
// what lets Subset and Overlaps answer without building a result.
func sweep[K key, E any](a, b []seg[K, E], visit func(lo, hi K, x, y []E) bool) bool {
	i, j := 0, 0
	pos := 0 // first key not yet visited
	for i < len(a) || j < len(b) {
		end := int(^K(0))
		var x, y []E
		if i < len(a) {
			if s := a[i]; int(s.lo) <= pos {
				x, end = s.v, int(s.hi)
			} else {
				end = int(s.lo) - 1
			}
		}
		if j < len(b) {
			if s := b[j]; int(s.lo) <= pos {
				y, end = s.v, min(end, int(s.hi))
			} else {
				end = min(end, int(s.lo)-1)
			}
		}
		if (x != nil || y != nil) && !visit(K(pos), K(end), x, y) {
			return false
		}
		pos = end + 1
		if i < len(a) && int(a[i].hi) < pos {
			i++
		}
		if j < len(b) && int(b[j].hi) < pos {
			j++
		}
	}
	return true
}

// merge combines two canonical seg lists point by point with op (nil stands
// for "absent") and returns a canonical list: empty results are dropped and
// adjacent runs with eq values are joined. op may return one of its
// arguments; values are immutable once stored, so sharing is safe.
func merge[K key, E any](a, b []seg[K, E], op func(x, y []E) []E, eq func(x, y []E) bool) []seg[K, E] {
	var out []seg[K, E]
	sweep(a, b, func(lo, hi K, x, y []E) bool {
		v := op(x, y)
		if len(v) == 0 {
			return true
		}
		if n := len(out); n > 0 && int(out[n-1].hi)+1 == int(lo) && eq(out[n-1].v, v) {
			out[n-1].hi = hi
		} else {
			out = append(out, seg[K, E]{lo: lo, hi: hi, v: v})
		}
		return true
	})
	return out
}

// find returns the value of the seg holding k, or nil.
func find[K key, E any](segs []seg[K, E], k K) []E {
	i := sort.Search(len(segs), func(i int) bool { return segs[i].hi >= k })
	if i < len(segs) && segs[i].lo <= k {
		return segs[i].v
	}
	return nil
}

// segsEqual compares two seg lists, using eq on the values.
func segsEqual[K key, E any](a, b []seg[K, E], eq func(x, y []E) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].lo != b[i].lo || a[i].hi != b[i].hi || !eq(a[i].v, b[i].v) {
			return false
		}
	}
	return true
}
