// Package netspace is exact set algebra over network traffic: sets of
// packets in the space IP protocol (0–255) × port (0–65535) × address
// (IPv4 and IPv6 together).
//
// Security-group and network-ACL questions are set questions: is rule A
// redundant given rules B and C (A ⊆ B ∪ C)? What does a proposed change
// stop allowing (old \ new)? Which flows does a NACL deny entry shadow?
// Answering them with sampled packets or with pairwise rule comparisons gets
// overlapping rules wrong; answering them with exact sets does not. Sets are
// immutable values in the style of netip and netipx, so they can be shared
// freely between goroutines and stored in other values.
//
// The port dimension holds the destination port for TCP and UDP and, for
// ICMP and ICMPv6, the type and code packed as type<<8|code (see ICMPPort),
// so that "type 3, any code" is the contiguous run 0x0300–0x03ff. Protocols
// without ports always cover the whole port dimension, so the port of a
// packet of such a protocol never matters.
//
// Addresses are those of the peer in a rule: the source of inbound traffic
// or the destination of outbound traffic. A Set does not know which; the
// caller keeps ingress and egress apart.
package netspace

import (
	"net/netip"
	"slices"

	"go4.org/netipx"
)

// portSeg maps a run of ports to the addresses allowed on them.
type portSeg = seg[uint16, netipx.IPRange]

// protoSeg maps a run of protocols to their port map.
type protoSeg = seg[uint8, portSeg]

// Set is an immutable, canonical set of packets. The zero value is the empty
// set.
//
// Internally a Set is a piecewise-constant function protocol → (port →
// address set): sorted, disjoint protocol runs, each holding sorted,
// disjoint port runs, each holding a non-empty canonical list of address
// ranges. Adjacent runs with equal contents are always merged and empty
// runs dropped, so two Sets holding the same packets have identical
// representations: Equal is a structural comparison and Boxes renders the
// same way however the set was built. Sets hold slices, so compare them
// with Equal, not ==.
type Set struct {
	protos []protoSeg
}

// Packet is one point of the space: what a Set answers Contains for. It is
// the shape of a flow-log record reduced to what SG and NACL rules match on.
type Packet struct {
	Protocol uint8
	// Port is the destination port for TCP and UDP, or type<<8|code for
	// ICMP and ICMPv6 (see ICMPPort). It is ignored for other protocols.
	Port uint16
	// Addr is the peer address. A zoned or invalid address is in no Set.
	Addr netip.Addr
}

// IP protocol numbers whose port dimension carries meaning (docs/semantics.md#protocols). Every other protocol is matched whole.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// hasPorts reports whether rules can restrict protocol p by port or by
// ICMP type and code.
func hasPorts(p int) bool {
	return p == protoTCP || p == protoUDP || p == protoICMP || p == protoICMPv6
}

func isICMP(p int) bool { return p == protoICMP || p == protoICMPv6 }

// ICMPPort packs an ICMP type and code into the port dimension. Packing the
// type into the high byte keeps "one type, every code" contiguous, which is
// what lets ICMP rules be boxes like port ranges are.
func ICMPPort(typ, code uint8) uint16 { return uint16(typ)<<8 | uint16(code) }

// box returns the set protoLo..protoHi × portLo..portHi × rr, where rr is
// a canonical range list that box takes ownership of. It does not apply
// the rule that portless protocols cover every port; callers do.
func box(protoLo, protoHi uint8, portLo, portHi uint16, rr []netipx.IPRange) Set {
	if len(rr) == 0 || protoLo > protoHi || portLo > portHi {
		return Set{}
	}
	ports := []portSeg{{lo: portLo, hi: portHi, v: rr}}
	return Set{protos: []protoSeg{{lo: protoLo, hi: protoHi, v: ports}}}
}

// Full returns the set of every packet: every protocol, port and address,
// IPv4 and IPv6. It is what an "allow all" rule to 0.0.0.0/0 and ::/0
// permits, and the universe Complement is taken against.
func Full() Set { return box(0, 255, 0, 65535, allAddrs()) }

// IsEmpty reports whether s holds no packet. Together with Subtract it is
// the basis of every "does this change block anything" question.
func (s Set) IsEmpty() bool { return len(s.protos) == 0 }

// Equal reports whether s and t hold the same packets. Because Sets are
// canonical this compares representations, with no set arithmetic.
func (s Set) Equal(t Set) bool {
	return segsEqual(s.protos, t.protos, portsEqual)
}

func portsEqual(a, b []portSeg) bool { return segsEqual(a, b, rangesEqual) }

func rangesEqual(a, b []netipx.IPRange) bool { return slices.Equal(a, b) }

// Contains reports whether packet p is in s. For protocols without ports
// p.Port does not matter. A zoned or invalid p.Addr is never contained,
// as in netipx, because rules never name zones.
func (s Set) Contains(p Packet) bool {
	if !p.Addr.IsValid() || p.Addr.Zone() != "" {
		return false
	}
	return containsAddr(find(find(s.protos, p.Protocol), p.Port), p.Addr)
}

// Addrs returns the addresses a such that Packet{protocol, port, a} is in s:
// the answer to "who may talk to me on tcp/443" that reach and audit need.
// The result is a fresh IPSet the caller may keep.
func (s Set) Addrs(protocol uint8, port uint16) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, r := range find(find(s.protos, protocol), port) {
		b.AddRange(r)
	}
	set, _ := b.IPSet() // only valid ranges are ever added
	return set
}

// Complement returns every packet not in s. It turns an allow list into
// what it denies, for NACL first-match evaluation and for audit messages.
func (s Set) Complement() Set { return Full().Subtract(s) }
