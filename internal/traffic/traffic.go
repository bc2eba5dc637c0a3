// Package traffic is the model of observed connections: what flow logs
// show once the initiator of each connection is decided. flowlog produces
// it; learn, plan, audit and the commands consume it without depending on
// the parser.
package traffic

import (
	"fmt"
	"net/netip"
	"time"
)

// Direction says who initiated the connections of an observation.
type Direction uint8

// Outbound: the interface initiated. Inbound: the remote side initiated.
const (
	Outbound Direction = iota + 1
	Inbound
)

// String returns "outbound" or "inbound", the JSON spelling .
func (d Direction) String() string {
	switch d {
	case Outbound:
		return "outbound"
	case Inbound:
		return "inbound"
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Direction) UnmarshalText(b []byte) error {
	switch string(b) {
	case "outbound":
		*d = Outbound
	case "inbound":
		*d = Inbound
	default:
		return fmt.Errorf("direction %q: want outbound or inbound", b)
	}
	return nil
}

// Confidence says how the initiator was decided, from proof to guess.
type Confidence uint8

// The confidences, strongest first:
//   - Exact: tcp-flags (SYN / SYN-ACK) named the initiator, directly or
//     inherited by later windows of the same 5-tuple.
//   - ByRules: the current security groups of both ends admit only this
//     direction (the other would have been denied, yet the record was
//     accepted and security groups are stateful).
//   - Heuristic: flags and rules left both directions open and the data's
//     own evidence decided: a port in the client's ephemeral range against
//     one outside it, or a listener learned from the data; or the
//     observation overlaps a SKIPDATA window.
//   - Ambiguous: nothing decided. Such a connection is reported once for
//     every direction still possible, each row marked ambiguous, so that
//     learn keeps what the connection needs whichever side started it and
//     replay checks every such direction.
const (
	Exact Confidence = iota + 1
	ByRules
	Heuristic
	Ambiguous
)

// String returns the JSON spelling: exact, by-rules, heuristic, ambiguous.
func (c Confidence) String() string {
	switch c {
	case Exact:
		return "exact"
	case ByRules:
		return "by-rules"
	case Heuristic:
		return "heuristic"
	case Ambiguous:
		return "ambiguous"
	}
	return "unknown"
}

// Proven reports whether the direction was proved (from flags or rules)
// rather than guessed or left open.
func (c Confidence) Proven() bool { return c == Exact || c == ByRules }

// MarshalText implements encoding.TextMarshaler.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Confidence) UnmarshalText(b []byte) error {
	for _, v := range []Confidence{Exact, ByRules, Heuristic, Ambiguous} {
		if string(b) == v.String() {
			*c = v
			return nil
		}
	}
	return fmt.Errorf("confidence %q: want exact, by-rules, heuristic or ambiguous", b)
}

// Observation is one row of evidence: connections of one interface, one
// initiator, one protocol and service port, one remote address. Accepted
// and rejected records are kept in separate rows; a rejected row is an
// attempt the current rules already stop and never becomes a need.
type Observation struct {
	InterfaceID string
	Direction   Direction
	Protocol    uint8
	// Port is the service port: the initiator's destination port. 0 for
	// protocols without ports and for ICMP, whose records carry no type or
	// code.
	Port uint16
	// Accepted is false for REJECT records: attempts the current rules
	// already stop, reported apart and never turned into needs.
	Accepted   bool
	Confidence Confidence
	Remote     netip.Addr
	// Local is the interface's own address seen: the packet's address
	// (pkt-srcaddr/pkt-dstaddr) where the record gives one, so a pod's or
	// a secondary address rather than the primary one. Each local address
	// is its own observation: two pods of one interface reaching the same
	// remote and port are two.
	Local netip.Addr
	// LocalUndetermined marks an observation whose interface's own address
	// could not be told (no flow-direction, no inventory entry, and records
	// that all name the same two private addresses): the connection is
	// reported once with each end as the local side, both rows marked, and
	// Local is the end this row takes for the interface.
	LocalUndetermined     bool
	Flows, Packets, Bytes uint64
	FirstSeen, LastSeen   time.Time
}

// ProtocolName renders an IANA protocol number as walls' JSON does: tcp,
// udp, icmp, icmpv6, or the number.
func ProtocolName(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1:
		return "icmp"
	case 58:
		return "icmpv6"
	case 255:
		return "unknown" // flowlog's stand-in for a format without protocol
	}
	return fmt.Sprint(p)
}

// InterfaceMeta is an interface's instance, subnet and VPC ids as its flow
// log records name them ("" when the format lacks the field).
type InterfaceMeta struct {
	InstanceID string `json:"instanceId,omitempty"`
	SubnetID   string `json:"subnetId,omitempty"`
	VpcID      string `json:"vpcId,omitempty"`
}

// Forwarded is traffic an interface forwards for others (a NAT gateway, a
// transit gateway attachment, a Gateway Load Balancer endpoint): rows of
// one interface, protocol, service port and pair of original endpoints.
// The interface has no security group of its own, so forwarded traffic
// never becomes a need for one.
type Forwarded struct {
	InterfaceID string
	Protocol    uint8
	Port        uint16 // the initiator's destination port (0 without ports)
	Accepted    bool
	Confidence  Confidence // how the initiator was decided
	// Initiator and Responder are the original endpoints: the packet
	// addresses (pkt-srcaddr, pkt-dstaddr) where the records give them,
	// else srcaddr and dstaddr.
	Initiator, Responder  netip.Addr
	Flows, Packets, Bytes uint64
	FirstSeen, LastSeen   time.Time
}
