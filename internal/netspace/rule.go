package netspace

import (
	"errors"
	"fmt"

	"go4.org/netipx"
)

// ErrInvalidRule is wrapped by every error RuleSet, NACLEntrySet and PortSet
// return, so loaders can tell a bad rule (report it with its location) from
// other failures with errors.Is.
var ErrInvalidRule = errors.New("invalid rule")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRule, fmt.Sprintf(format, args...))
}

// RuleSet returns the packets a security-group rule matches, following
// AWS's matching semantics (docs/semantics.md#protocols). addrs is the
// rule's peer: a CIDR, a prefix list's entries, or a referenced group's
// addresses; nil means no address.
//
//   - protocol -1: every protocol, port and type; the ports are ignored.
//   - 6 (tcp), 17 (udp): ports fromPort..toPort inclusive, each 0-65535.
//     -1 is refused, as AWS refuses it: every port is 0-65535.
//   - 1 (icmp), 58 (icmpv6): fromPort is the ICMP type and toPort the code,
//     -1 meaning any. Type -1 means every type and code and needs code -1,
//     as AWS requires. Type T with code -1
//     is T<<8 .. T<<8|255. An icmp rule keeps only the IPv4 part of addrs
//     and an icmpv6 rule only the IPv6 part, because ICMP and ICMPv6 belong
//     to one family each: an icmp rule with an IPv6 CIDR matches nothing.
//   - any other protocol 0–255: the whole protocol; the ports are ignored,
//     as AWS ignores them.
//
// It returns an error wrapping ErrInvalidRule for a protocol outside
// -1..255, or for ports that AWS would reject on tcp, udp, icmp or icmpv6:
// tcp/udp ports outside 0..65535 or fromPort > toPort, ICMP values outside
// -1..255, or an ICMP type -1 with a code other than -1. It accepts and
// refuses exactly the values vpc.RulePorts does (the inventory readers'
// one rule; internal/inventory/equivalence checks the two agree).
func RuleSet(protocol int, fromPort, toPort int32, addrs *netipx.IPSet) (Set, error) {
	switch {
	case protocol == -1:
		return box(0, 255, 0, 65535, rangesOf(addrs, nil)), nil
	case protocol < -1 || protocol > 255:
		return Set{}, invalid("protocol %d: want -1 or 0-255", protocol)
	case protocol == protoTCP || protocol == protoUDP:
		if fromPort == -1 || toPort == -1 {
			return Set{}, invalid("protocol %d ports %d-%d: want 0-65535 (-1 is not a port)", protocol, fromPort, toPort)
		}
		lo, hi, err := portRange(protocol, fromPort, toPort)
		if err != nil {
			return Set{}, err
		}
		return box(uint8(protocol), uint8(protocol), lo, hi, rangesOf(addrs, nil)), nil
	case isICMP(protocol):
		if fromPort == -1 && toPort != -1 {
			return Set{}, invalid("protocol %d type -1 code %d: want code -1 with type -1", protocol, toPort)
		}
		lo, hi, err := icmpRange(protocol, fromPort, toPort)
		if err != nil {
			return Set{}, err
		}
		family := isV4
		if protocol == protoICMPv6 {
			family = isV6
		}
		return box(uint8(protocol), uint8(protocol), lo, hi, rangesOf(addrs, family)), nil
	default:
		return box(uint8(protocol), uint8(protocol), 0, 65535, rangesOf(addrs, nil)), nil
	}
}

// NACLEntrySet returns the packets a network-ACL entry matches, following
// the NACL semantics (docs/semantics.md#nacl-icmp), which differ from
// RuleSet's in how ICMP meets address families: NACL entries are matched
// literally on protocol number and address, so an icmp (1) entry applies
// its type and code to whatever family its CIDR has, and an icmpv6 (58)
// entry with an IPv4 CIDR matches protocol 58 with every type and code
// while its IPv6 part is restricted by type and code. An ICMP type -1
// covers every code whatever the code says (vpc.NACLEntryPorts stores
// code -1 there). Everything else (-1, tcp/udp port ranges, whole other
// protocols, validation) is as in RuleSet. Whether the entry allows or
// denies is the caller's business.
func NACLEntrySet(protocol int, fromPort, toPort int32, addrs *netipx.IPSet) (Set, error) {
	switch protocol {
	case protoICMP:
		lo, hi, err := icmpRange(protocol, fromPort, toPort)
		if err != nil {
			return Set{}, err
		}
		return box(protoICMP, protoICMP, lo, hi, rangesOf(addrs, nil)), nil
	case protoICMPv6:
		lo, hi, err := icmpRange(protocol, fromPort, toPort)
		if err != nil {
			return Set{}, err
		}
		v4 := box(protoICMPv6, protoICMPv6, 0, 65535, rangesOf(addrs, isV4))
		v6 := box(protoICMPv6, protoICMPv6, lo, hi, rangesOf(addrs, isV6))
		return v4.Union(v6), nil
	}
	return RuleSet(protocol, fromPort, toPort, addrs)
}

// PortSet returns the literal box protocol × fromPort..toPort × addrs, with
// none of RuleSet's AWS interpretation: for ICMP the ports are already
// packed type<<8|code values (see ICMPPort), and no address family is
// dropped. It is for sets that come from observed traffic rather than from
// rules, such as a flow-log record's protocol, port and peer. protocol -1
// means every protocol and fromPort -1 every port. As everywhere in a Set,
// protocols without ports cover every port whatever the range says.
func PortSet(protocol int, fromPort, toPort int32, addrs *netipx.IPSet) (Set, error) {
	if protocol < -1 || protocol > 255 {
		return Set{}, invalid("protocol %d: want -1 or 0-255", protocol)
	}
	lo, hi, err := portRange(protocol, fromPort, toPort)
	if err != nil {
		return Set{}, err
	}
	if protocol == -1 {
		return Box{ProtoLo: 0, ProtoHi: 255, PortLo: lo, PortHi: hi}.withRanges(rangesOf(addrs, nil)), nil
	}
	p := uint8(protocol)
	return Box{ProtoLo: p, ProtoHi: p, PortLo: lo, PortHi: hi}.withRanges(rangesOf(addrs, nil)), nil
}

// portRange validates a tcp/udp (or raw) port range, -1 meaning all ports.
func portRange(protocol int, from, to int32) (lo, hi uint16, err error) {
	switch {
	case from == -1:
		return 0, 65535, nil
	case from < 0 || from > 65535 || to < 0 || to > 65535:
		return 0, 0, invalid("protocol %d ports %d-%d: want -1 or 0-65535", protocol, from, to)
	case from > to:
		return 0, 0, invalid("protocol %d ports %d-%d: from port after to port", protocol, from, to)
	}
	return uint16(from), uint16(to), nil
}

// icmpRange validates an ICMP type and code and packs them into a run of
// the port dimension.
func icmpRange(protocol int, typ, code int32) (lo, hi uint16, err error) {
	if typ < -1 || typ > 255 || code < -1 || code > 255 {
		return 0, 0, invalid("protocol %d type %d code %d: want -1 or 0-255", protocol, typ, code)
	}
	switch {
	case typ == -1:
		return 0, 65535, nil
	case code == -1:
		return ICMPPort(uint8(typ), 0), ICMPPort(uint8(typ), 255), nil
	}
	p := ICMPPort(uint8(typ), uint8(code))
	return p, p, nil
}
