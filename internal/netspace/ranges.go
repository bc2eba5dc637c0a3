package netspace

import (
	"net/netip"
	"slices"
	"sort"

	"go4.org/netipx"
)

// An address set is held as a canonical []netipx.IPRange: sorted, disjoint,
// never adjacent, each range within one family (netip orders every IPv4
// address before every IPv6 one, and the last IPv4 address has no Next, so
// the two families never merge). This is exactly what netipx.IPSet keeps
// inside; holding the slice directly lets the operations below run as
// linear merges without a builder's allocation and re-sorting, and makes
// equality a slice comparison. A nil slice is the empty set.

var (
	allV4 = netipx.IPRangeFrom(netip.IPv4Unspecified(), netip.AddrFrom4([4]byte{255, 255, 255, 255}))
	allV6 = netipx.IPRangeFrom(netip.IPv6Unspecified(), netip.AddrFrom16([16]byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	}))
)

// allAddrs returns a fresh canonical list of every IPv4 and IPv6 address.
func allAddrs() []netipx.IPRange { return []netipx.IPRange{allV4, allV6} }

// adjacent reports whether range b starts right after a ends.
func adjacent(a, b netipx.IPRange) bool {
	n := a.To().Next()
	return n.IsValid() && n == b.From()
}

// rangesOf returns the canonical range list of an IPSet, keeping only the
// ranges for which keep is true (nil keep keeps all). A nil set is empty.
func rangesOf(s *netipx.IPSet, keep func(netipx.IPRange) bool) []netipx.IPRange {
	if s == nil {
		return nil
	}
	rr := s.Ranges() // a fresh copy, already canonical
	if keep != nil {
		rr = slices.DeleteFunc(rr, func(r netipx.IPRange) bool { return !keep(r) })
	}
	if len(rr) == 0 {
		return nil
	}
	return slices.Clip(rr)
}

func isV4(r netipx.IPRange) bool { return r.From().Is4() }
func isV6(r netipx.IPRange) bool { return r.From().Is6() }

// unionRanges returns a ∪ b.
func unionRanges(a, b []netipx.IPRange) []netipx.IPRange {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]netipx.IPRange, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var r netipx.IPRange
		if j >= len(b) || (i < len(a) && a[i].From().Less(b[j].From())) {
			r, i = a[i], i+1
		} else {
			r, j = b[j], j+1
		}
		if n := len(out); n > 0 {
			last := out[n-1]
			if !last.To().Less(r.From()) || adjacent(last, r) {
				if last.To().Less(r.To()) {
					out[n-1] = netipx.IPRangeFrom(last.From(), r.To())
				}
				continue
			}
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

// intersectRanges returns a ∩ b.
func intersectRanges(a, b []netipx.IPRange) []netipx.IPRange {
	var out []netipx.IPRange
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := a[i].From(), a[i].To()
		if bl := b[j].From(); lo.Less(bl) {
			lo = bl
		}
		if bh := b[j].To(); bh.Less(hi) {
			hi = bh
		}
		if !hi.Less(lo) {
			out = append(out, netipx.IPRangeFrom(lo, hi))
		}
		if a[i].To().Less(b[j].To()) {
			i++
		} else {
			j++
		}
	}
	return slices.Clip(out)
}

// subtractRanges returns a \ b. When b removes nothing it returns a itself.
func subtractRanges(a, b []netipx.IPRange) []netipx.IPRange {
	if len(a) == 0 || len(b) == 0 {
		return a
	}
	var out []netipx.IPRange
	changed := false
	j := 0
	for _, r := range a {
		for j < len(b) && b[j].To().Less(r.From()) {
			j++
		}
		cur, covered := r.From(), false
		for k := j; k < len(b) && !r.To().Less(b[k].From()); k++ {
			changed = true
			if cur.Less(b[k].From()) {
				out = append(out, netipx.IPRangeFrom(cur, b[k].From().Prev()))
			}
			if !b[k].To().Less(r.To()) {
				covered = true
				break
			}
			cur = b[k].To().Next()
		}
		if !covered {
			out = append(out, netipx.IPRangeFrom(cur, r.To()))
		}
	}
	if !changed {
		return a
	}
	return slices.Clip(out)
}

// subsetRanges reports whether a ⊆ b. Because b's ranges are never
// adjacent, each range of a must lie inside a single range of b.
func subsetRanges(a, b []netipx.IPRange) bool {
	j := 0
	for _, r := range a {
		for j < len(b) && b[j].To().Less(r.From()) {
			j++
		}
		if j == len(b) || r.From().Less(b[j].From()) || b[j].To().Less(r.To()) {
			return false
		}
	}
	return true
}

// overlapRanges reports whether a ∩ b is non-empty.
func overlapRanges(a, b []netipx.IPRange) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if !a[i].To().Less(b[j].From()) && !b[j].To().Less(a[i].From()) {
			return true
		}
		if a[i].To().Less(b[j].To()) {
			i++
		} else {
			j++
		}
	}
	return false
}

// containsAddr reports whether addr lies in the canonical list rr.
func containsAddr(rr []netipx.IPRange, addr netip.Addr) bool {
	i := sort.Search(len(rr), func(i int) bool { return !rr[i].To().Less(addr) })
	return i < len(rr) && !addr.Less(rr[i].From())
}
