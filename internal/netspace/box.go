package netspace

import (
	"net/netip"
	"strconv"
	"strings"

	"go4.org/netipx"
)

// Box is a rule-like rectangle of the space: a protocol run × a port run ×
// one CIDR prefix. Boxes are how a Set is shown to people (audit findings,
// plan diffs) and turned back into rules, because each reads like an SG or
// NACL rule; see Set.Boxes.
type Box struct {
	// ProtoLo..ProtoHi is an inclusive protocol run; 0..255 renders as "all".
	ProtoLo, ProtoHi uint8
	// PortLo..PortHi is an inclusive port run. For ICMP and ICMPv6 the
	// values are packed type<<8|code (see ICMPPort).
	PortLo, PortHi uint16
	// Prefix is the peer CIDR, IPv4 or IPv6.
	Prefix netip.Prefix
}

// Set returns the packets in b. An invalid prefix or an inverted run gives
// the empty set. As everywhere in a Set, protocols without ports cover
// every port whatever b's port run says, so a box spanning tcp and other
// protocols with a narrow port run is not itself a single box as a Set.
// Boxes from Set.Boxes always convert back exactly.
func (b Box) Set() Set {
	if !b.Prefix.IsValid() {
		return Set{}
	}
	return b.withRanges([]netipx.IPRange{netipx.RangeOfPrefix(b.Prefix.Masked())})
}

// withRanges returns b's protocol and port runs over the canonical range
// list rr, giving portless protocols every port.
func (b Box) withRanges(rr []netipx.IPRange) Set {
	if len(rr) == 0 || b.ProtoLo > b.ProtoHi || b.PortLo > b.PortHi {
		return Set{}
	}
	if b.PortLo == 0 && b.PortHi == 65535 {
		return box(b.ProtoLo, b.ProtoHi, 0, 65535, rr)
	}
	full := []portSeg{{lo: 0, hi: 65535, v: rr}}
	part := []portSeg{{lo: b.PortLo, hi: b.PortHi, v: rr}}
	var segs []protoSeg
	start := int(b.ProtoLo)
	for p := int(b.ProtoLo); p <= int(b.ProtoHi); p++ {
		if !hasPorts(p) {
			continue
		}
		// Port protocols are never adjacent to each other, and their
		// narrow port run differs from the full one around them, so
		// these segments are already canonical.
		if start < p {
			segs = append(segs, protoSeg{lo: uint8(start), hi: uint8(p - 1), v: full})
		}
		segs = append(segs, protoSeg{lo: uint8(p), hi: uint8(p), v: part})
		start = p + 1
	}
	if start <= int(b.ProtoHi) {
		segs = append(segs, protoSeg{lo: uint8(start), hi: b.ProtoHi, v: full})
	}
	return Set{protos: segs}
}

// Boxes renders s as disjoint boxes in a deterministic order: by protocol,
// then port, then address family (IPv4 first), then address. The boxes are
// the product of s's canonical protocol runs, port runs and the minimal
// CIDR cover of each address range, so equal sets give identical slices,
// which is what makes golden files and plan diffs stable. For a single ICMP
// protocol, a port run that crosses type boundaries is split so each box
// is one of "all types", "types A-B", or "type T codes C1-C2", the shapes
// an ICMP rule can take. Boxes are exact but not a minimal cover: a set
// may need fewer, overlapping rules.
func (s Set) Boxes() []Box {
	out := make([]Box, 0, len(s.protos))
	s.eachBox(func(b Box) { out = append(out, b) })
	return out
}

// NumBoxes returns len(s.Boxes()) without building the slice: a size
// measure of how many rule-like lines s takes to show, for learn's and
// audit's thresholds.
func (s Set) NumBoxes() int {
	n := 0
	s.eachBox(func(Box) { n++ })
	return n
}

// eachBox calls f for every box of s in Boxes order.
func (s Set) eachBox(f func(Box)) {
	var pfx []netip.Prefix
	for _, ps := range s.protos {
		icmp := ps.lo == ps.hi && isICMP(int(ps.lo))
		for _, pt := range ps.v {
			runs, n := [3][2]uint16{{pt.lo, pt.hi}}, 1
			if icmp {
				runs, n = splitICMP(pt.lo, pt.hi)
			}
			for _, run := range runs[:n] {
				for _, r := range pt.v {
					pfx = r.AppendPrefixes(pfx[:0])
					for _, p := range pfx {
						f(Box{ProtoLo: ps.lo, ProtoHi: ps.hi, PortLo: run[0], PortHi: run[1], Prefix: p})
					}
				}
			}
		}
	}
}

// splitICMP cuts the packed run lo..hi at ICMP type boundaries into at
// most three runs: a partial leading type, whole types, a partial
// trailing type.
func splitICMP(lo, hi uint16) (runs [3][2]uint16, n int) {
	if lo>>8 == hi>>8 {
		return [3][2]uint16{{lo, hi}}, 1
	}
	if lo&0xff != 0 {
		runs[n] = [2]uint16{lo, lo | 0xff}
		n++
		lo = (lo | 0xff) + 1
	}
	var tail [2]uint16
	hasTail := hi&0xff != 0xff
	if hasTail {
		tail = [2]uint16{hi &^ 0xff, hi}
		hi = hi&^0xff - 1
	}
	if lo <= hi {
		runs[n] = [2]uint16{lo, hi}
		n++
	}
	if hasTail {
		runs[n] = tail
		n++
	}
	return runs, n
}

// String renders b like a rule, protocols as numbers: "tcp 443
// 0.0.0.0/0", "tcp 20-21 10.0.0.0/16", "udp all ports ::/0", "all ::/0",
// "icmp type 8 code 0 0.0.0.0/0", "icmp type 3 10.0.0.0/8", "icmpv6 all
// types ::/0", "protocol 50 10.0.0.0/8", "protocols 7-16 0.0.0.0/0". It is
// the exact form for JSON and keys; Text is the one people read.
func (b Box) String() string { return b.format(false) }

// Text renders b as String does, with protocol names (ProtocolText): "esp
// (50) 10.0.0.0/8", "protocols 7-16 (cbt, egp, igp, …) 0.0.0.0/0".
func (b Box) Text() string { return b.format(true) }

func (b Box) format(named bool) string {
	var sb strings.Builder
	fullPorts := b.PortLo == 0 && b.PortHi == 65535
	single := b.ProtoLo == b.ProtoHi
	switch {
	case b.ProtoLo == 0 && b.ProtoHi == 255:
		sb.WriteString("all")
	case single && (b.ProtoLo == protoTCP || b.ProtoLo == protoUDP):
		sb.WriteString(ProtocolName(b.ProtoLo) + " ")
		if fullPorts {
			sb.WriteString("all ports")
		} else {
			sb.WriteString(portRun(b.PortLo, b.PortHi))
		}
		fullPorts = true // already written
	case single && isICMP(int(b.ProtoLo)):
		sb.WriteString(ProtocolName(b.ProtoLo) + " ")
		sb.WriteString(icmpRun(b.PortLo, b.PortHi))
		fullPorts = true
	case named:
		sb.WriteString(ProtocolText(b.ProtoLo, b.ProtoHi))
	case !single:
		sb.WriteString("protocols " + strconv.Itoa(int(b.ProtoLo)) + "-" + strconv.Itoa(int(b.ProtoHi)))
	default:
		sb.WriteString("protocol " + strconv.Itoa(int(b.ProtoLo)))
	}
	if !fullPorts {
		// Only a hand-made Box gets here: a Set's boxes never restrict
		// the ports of a run that includes portless protocols.
		sb.WriteString(" ports " + portRun(b.PortLo, b.PortHi))
	}
	sb.WriteByte(' ')
	sb.WriteString(b.Prefix.String())
	return sb.String()
}

func portRun(lo, hi uint16) string {
	if lo == hi {
		return strconv.Itoa(int(lo))
	}
	return strconv.Itoa(int(lo)) + "-" + strconv.Itoa(int(hi))
}

// icmpRun renders a packed ICMP run as types and codes.
func icmpRun(lo, hi uint16) string {
	tl, cl, th, ch := lo>>8, lo&0xff, hi>>8, hi&0xff
	itoa := func(v uint16) string { return strconv.Itoa(int(v)) }
	switch {
	case lo == 0 && hi == 65535:
		return "all types"
	case tl == th && cl == 0 && ch == 0xff:
		return "type " + itoa(tl)
	case tl == th && cl == ch:
		return "type " + itoa(tl) + " code " + itoa(cl)
	case tl == th:
		return "type " + itoa(tl) + " codes " + itoa(cl) + "-" + itoa(ch)
	case cl == 0 && ch == 0xff:
		return "types " + itoa(tl) + "-" + itoa(th)
	}
	return "type " + itoa(tl) + " code " + itoa(cl) + " to type " + itoa(th) + " code " + itoa(ch)
}

// String renders s as its boxes joined by ", ", or "none" for the empty
// set, for messages and test failures.
func (s Set) String() string {
	if s.IsEmpty() {
		return "none"
	}
	var sb strings.Builder
	first := true
	s.eachBox(func(b Box) {
		if !first {
			sb.WriteString(", ")
		}
		first = false
		sb.WriteString(b.String())
	})
	return sb.String()
}

// Covering returns the protocol × port runs on which s holds every
// address of addrs, over the addresses of over: every packet (protocol,
// port, a) with a in over such that (protocol, port, b) is in s for every b
// in addrs. It is the complement of the protocol × port projection of
// (full over addrs minus s), without building that difference; audit asks it which
// protocols and ports a group opens to the whole internet. An empty addrs
// is covered everywhere.
func (s Set) Covering(addrs, over *netipx.IPSet) Set {
	rr := rangesOf(addrs, nil)
	if len(rr) == 0 {
		return box(0, 255, 0, 65535, rangesOf(over, nil))
	}
	ov := rangesOf(over, nil)
	if len(ov) == 0 {
		return Set{}
	}
	var protos []protoSeg
	for _, ps := range s.protos {
		var ports []portSeg
		for _, pt := range ps.v {
			if !subsetRanges(rr, pt.v) {
				continue
			}
			if n := len(ports); n > 0 && int(ports[n-1].hi)+1 == int(pt.lo) {
				ports[n-1].hi = pt.hi
				continue
			}
			ports = append(ports, portSeg{lo: pt.lo, hi: pt.hi, v: ov})
		}
		if len(ports) == 0 {
			continue
		}
		if n := len(protos); n > 0 && int(protos[n-1].hi)+1 == int(ps.lo) && portsEqual(protos[n-1].v, ports) {
			protos[n-1].hi = ps.hi
			continue
		}
		protos = append(protos, protoSeg{lo: ps.lo, hi: ps.hi, v: ports})
	}
	return Set{protos: protos}
}

// PortRuns returns the sorted, disjoint, maximal port runs on which s holds
// some packet of protocol, whatever its address: the port projection of
// one protocol, read without building a set. Runs of an ICMP protocol are
// packed type and code (see ICMPPort); a protocol without ports gives
// 0-65535 when s holds it.
func (s Set) PortRuns(protocol uint8) [][2]uint16 {
	var out [][2]uint16
	for _, pt := range find(s.protos, protocol) {
		if n := len(out); n > 0 && int(out[n-1][1])+1 == int(pt.lo) {
			out[n-1][1] = pt.hi
			continue
		}
		out = append(out, [2]uint16{pt.lo, pt.hi})
	}
	return out
}
