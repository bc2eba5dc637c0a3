package flowlog

import (
	"encoding/binary"
	"net/netip"
)

// The fast path: an OK record whose addresses are all IPv4 - nearly every
// record of a real VPC - is decoded from the scan's column offsets and
// folded into the worker's tables in one step, without the Record (its
// netip.Addr fields, the column table, the separate validation and the
// second reading in addRecord). It implements decode followed by addRecord
// for exactly those records and declines every other line before changing
// anything, so the general path decides them; FuzzParseText and
// TestFastPathMatchesGeneral hold the two paths to the same result.

// lineCols gives the columns of one line from the blank offsets that end
// them: column i is data[b[i-1]+1 : b[i]], column 0 starts at start.
type lineCols struct {
	data  []byte
	b     []uint32 // one per column: the blank (or newline) that ends it
	start uint32
}

// bounds returns the offsets of column i in data.
func (l *lineCols) bounds(i int16) (s, e uint32) {
	s = l.start
	if i > 0 {
		s = l.b[i-1] + 1
	}
	return s, l.b[i]
}

func (l *lineCols) col(i int16) []byte {
	s, e := l.bounds(i)
	return l.data[s:e]
}

// dash reports whether column i is "-".
func (l *lineCols) dash(i int16) bool {
	c := l.col(i)
	return len(c) == 1 && c[0] == '-'
}

// num reads an optional numeric column as decode does: absent or "-" is
// (0, false, true); ok is false when decode would refuse the value.
func (l *lineCols) num(i int16, max uint64) (v uint64, present, ok bool) {
	if i < 0 {
		return 0, false, true
	}
	c := l.col(i)
	if len(c) == 1 && c[0] == '-' {
		return 0, false, true
	}
	v, err := parseUint(c, max)
	return v, true, err == nil
}

// digitOrDash reports whether column i is absent, one digit or "-".
func (l *lineCols) digitOrDash(i int16) bool {
	if i < 0 {
		return true
	}
	c := l.col(i)
	return len(c) == 1 && (c[0]-'0' <= 9 || c[0] == '-')
}

// memo is a value remembered with the text it was read from: the text's
// length, its first eight bytes (only those of the text when it is
// shorter) and, from eight on, its last eight. Neighbouring records repeat
// start and end times (capture windows) and addresses (an interface's own
// is in all its records; a reply follows its request with the two
// swapped), and comparing two words costs less than reading the text.
type memo struct {
	w0, w1 uint64
	n      uint32
	v      uint64
}

// textKey is the memo key of data[s:e]: ok for up to 16 bytes with eight
// bytes readable from s (columns are never empty).
func (l *lineCols) textKey(s, e uint32) (k memo, ok bool) {
	n := e - s
	if n > 16 || int(s)+8 > len(l.data) {
		return k, false
	}
	k.n = n
	k.w0 = binary.LittleEndian.Uint64(l.data[s:])
	if n < 8 {
		k.w0 &= 1<<(8*n) - 1
	} else {
		k.w1 = binary.LittleEndian.Uint64(l.data[e-8:])
	}
	return k, true
}

func (m *memo) same(k *memo) bool { return m.n == k.n && m.w0 == k.w0 && m.w1 == k.w1 }

// numSame is num for a column that tends to repeat, through m.
func (l *lineCols) numSame(i int16, max uint64, m *memo) (v uint64, present, ok bool) {
	if i < 0 {
		return 0, false, true
	}
	s, e := l.bounds(i)
	k, keyed := l.textKey(s, e)
	if !keyed || e-s == 1 && l.data[s] == '-' {
		return l.num(i, max)
	}
	if k.same(m) {
		return m.v, true, true
	}
	v, err := parseUint(l.data[s:e], max)
	if err != nil {
		return 0, true, false
	}
	k.v = v
	*m = k
	return v, true, true
}

// addrMemo holds the last srcaddr and dstaddr read.
type addrMemo [2]memo

// addrSame reads the IPv4 column i (present, not "-"), from the memo when
// its text is one of the two there; a parsed value goes in slot (not at
// all when slot is negative).
func (l *lineCols) addrSame(i int16, m *addrMemo, slot int) (uint64, bool) {
	s, e := l.bounds(i)
	k, keyed := l.textKey(s, e)
	if keyed {
		for j := range m {
			if m[j].same(&k) {
				return m[j].v, true
			}
		}
	}
	v, ok := parseIPv4Bits(l.data[s:e])
	if ok && keyed && slot >= 0 {
		k.v = v
		m[slot] = k
	}
	return v, ok
}

// fast4 decodes and folds one line; false means "not for the fast path":
// nothing was changed and the caller must use decode and addRecord.
func (w *worker) fast4(f *Format, l *lineCols) bool {
	p := &f.pos
	if p[FieldInterfaceID] < 0 || p[FieldSrcAddr] < 0 || p[FieldDstAddr] < 0 {
		return false
	}
	// version and traffic-path are only checked: one digit or "-" (every
	// version and path AWS defines); anything else, valid or not, is left
	// to the general path.
	if !l.digitOrDash(p[FieldVersion]) || !l.digitOrDash(p[FieldTrafficPath]) {
		return false
	}
	if l.dash(p[FieldInterfaceID]) {
		return false
	}
	iface := l.col(p[FieldInterfaceID])
	src, ok := l.addrSame(p[FieldSrcAddr], &w.addrMemo, 0)
	if !ok {
		return false
	}
	dst, ok := l.addrSame(p[FieldDstAddr], &w.addrMemo, 1)
	if !ok {
		return false
	}
	// pkt-srcaddr and pkt-dstaddr: 0 in the key when absent or equal. Most
	// repeat srcaddr and dstaddr, which the memo now holds.
	var psrc, pdst uint64
	if i := p[FieldPktSrcAddr]; i >= 0 && !l.dash(i) {
		v, ok := l.addrSame(i, &w.addrMemo, -1)
		if !ok {
			return false // IPv6 or malformed: the general path
		}
		if v != src {
			psrc = v
		}
	}
	if i := p[FieldPktDstAddr]; i >= 0 && !l.dash(i) {
		v, ok := l.addrSame(i, &w.addrMemo, -1)
		if !ok {
			return false
		}
		if v != dst {
			pdst = v
		}
	}
	sport, dport, proto, flags := int32(-1), int32(-1), int16(-1), int16(-1)
	if v, pres, ok := l.num(p[FieldSrcPort], 65535); !ok {
		return false
	} else if pres {
		sport = int32(v)
	}
	if v, pres, ok := l.num(p[FieldDstPort], 65535); !ok {
		return false
	} else if pres {
		dport = int32(v)
	}
	if v, pres, ok := l.num(p[FieldProtocol], 255); !ok {
		return false
	} else if pres {
		proto = int16(v)
	}
	packets, _, ok := l.num(p[FieldPackets], 1<<63-1)
	if !ok {
		return false
	}
	nbytes, _, ok := l.num(p[FieldBytes], 1<<63-1)
	if !ok {
		return false
	}
	start, _, ok := l.numSame(p[FieldStart], 1<<40, &w.startMemo)
	if !ok {
		return false
	}
	end, _, ok := l.numSame(p[FieldEnd], 1<<40, &w.endMemo)
	if !ok || end < start && end != 0 {
		return false
	}
	action := ActionNone
	if i := p[FieldAction]; i >= 0 {
		switch string(l.col(i)) {
		case "ACCEPT":
			action = ActionAccept
		case "REJECT":
			action = ActionReject
		default:
			return false // "-" on an OK record, or not an action
		}
	}
	if i := p[FieldLogStatus]; i >= 0 {
		if c := l.col(i); string(c) != "OK" && string(c) != "-" {
			return false // NODATA, SKIPDATA or an error: the general path
		}
	}
	if v, pres, ok := l.num(p[FieldTCPFlags], 255); !ok {
		return false
	} else if pres {
		flags = int16(v)
	}
	fd := FlowUnknown
	if i := p[FieldFlowDirection]; i >= 0 {
		switch string(l.col(i)) {
		case "ingress":
			fd = FlowIngress
		case "egress":
			fd = FlowEgress
		case "-":
		default:
			return false
		}
	}

	// addRecord, for an OK IPv4 record.
	if w.since != 0 && end != 0 && int64(end) < w.since || w.until != 0 && int64(start) >= w.until && start != 0 {
		w.n.outside++
		return true
	}
	w.n.records++
	if action == ActionReject {
		w.n.rejected++
	}
	e := w.eni(iface)
	if !w.meta[e].done {
		w.noteMeta(e, p, l.col)
	}
	w.addrs[e].observe(addrFromBits(src), addrFromBits(dst))
	c := w.pc.classifyVals(proto, sport, dport, flags, action, fd)
	rv := factVal{flows: 1, packets: packets, bytes: nbytes, first: int64(start), last: int64(end), eph: ephOf(c.dropped)}
	k4 := packKey4(src, dst, psrc, pdst, c, e)
	w.addFact4(&k4, &rv)
	return true
}

// addrFromBits is an IPv4 address word (be32's form) as a netip.Addr.
func addrFromBits(v uint64) netip.Addr { return netip.AddrFrom4(un32(v)) }
