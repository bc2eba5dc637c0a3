package netspace

import "go4.org/netipx"

// The binary operations sweep the protocol breakpoints of both operands,
// then, inside each protocol run, the port breakpoints, and apply the
// address-set operation at the leaves. merge re-normalises each level, so
// every result is canonical. An absent run is passed as nil, which each
// leaf operation treats as the empty set.

// Union returns the packets in s or t: what a security group allows given
// all its rules.
func (s Set) Union(t Set) Set {
	if s.IsEmpty() {
		return t
	}
	if t.IsEmpty() {
		return s
	}
	return Set{protos: merge(s.protos, t.protos, unionPorts, portsEqual)}
}

func unionPorts(x, y []portSeg) []portSeg {
	if x == nil {
		return y
	}
	if y == nil {
		return x
	}
	return merge(x, y, unionRanges, rangesEqual)
}

// Intersect returns the packets in both s and t: the traffic that must get
// through both an SG and a NACL, or that two rules both allow.
func (s Set) Intersect(t Set) Set {
	if s.IsEmpty() || t.IsEmpty() {
		return Set{}
	}
	return Set{protos: merge(s.protos, t.protos, intersectPorts, portsEqual)}
}

func intersectPorts(x, y []portSeg) []portSeg {
	if x == nil || y == nil {
		return nil
	}
	return merge(x, y, func(a, b []netipx.IPRange) []netipx.IPRange {
		if a == nil || b == nil {
			return nil
		}
		return intersectRanges(a, b)
	}, rangesEqual)
}

// Subtract returns the packets in s but not in t: what a proposed rule
// change would stop allowing, or what a NACL deny entry takes away from the
// entries after it.
func (s Set) Subtract(t Set) Set {
	if s.IsEmpty() || t.IsEmpty() {
		return s
	}
	return Set{protos: merge(s.protos, t.protos, subtractPorts, portsEqual)}
}

func subtractPorts(x, y []portSeg) []portSeg {
	if x == nil || y == nil {
		return x
	}
	return merge(x, y, subtractRanges, rangesEqual)
}

// Subset reports whether every packet of s is in t (s ⊆ t). This is the
// redundancy proof: a rule is redundant when its set is a subset of the
// union of the other rules. It stops at the first uncovered piece and
// builds no intermediate set.
func (s Set) Subset(t Set) bool {
	return sweep(s.protos, t.protos, func(_, _ uint8, x, y []portSeg) bool {
		if x == nil {
			return true
		}
		if y == nil {
			return false
		}
		return sweep(x, y, func(_, _ uint16, a, b []netipx.IPRange) bool {
			if a == nil {
				return true
			}
			return b != nil && subsetRanges(a, b)
		})
	})
}

// Overlaps reports whether s and t share a packet, without building their
// intersection: the cheap test for "does this deny entry shadow that allow
// entry at all".
func (s Set) Overlaps(t Set) bool {
	return !sweep(s.protos, t.protos, func(_, _ uint8, x, y []portSeg) bool {
		if x == nil || y == nil {
			return true
		}
		return sweep(x, y, func(_, _ uint16, a, b []netipx.IPRange) bool {
			return a == nil || b == nil || !overlapRanges(a, b)
		})
	})
}
