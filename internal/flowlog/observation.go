package flowlog

import (
	"cmp"
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

// String returns "outbound" or "inbound", the JSON spelling (docs/semantics.md#walls-choices).
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
	// code (docs/semantics.md#flowlog-icmp).
	Port uint16
	// Accepted is false for REJECT records: attempts the current rules
	// already stop, reported apart and never turned into needs.
	Accepted   bool
	Confidence Confidence
	Remote     netip.Addr
	// Local is the interface's own address seen (the lowest one when the
	// records showed several, for example secondary or pod addresses).
	Local                 netip.Addr
	Flows, Packets, Bytes uint64
	FirstSeen, LastSeen   time.Time
}

// compareObservations orders observations deterministically: interface,
// accepted before rejected, direction, protocol, port, remote.
func compareObservations(a, b *Observation) int {
	if c := cmp.Compare(a.InterfaceID, b.InterfaceID); c != 0 {
		return c
	}
	if a.Accepted != b.Accepted {
		if a.Accepted {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.Direction, b.Direction); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Protocol, b.Protocol); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Port, b.Port); c != 0 {
		return c
	}
	if c := a.Remote.Compare(b.Remote); c != 0 {
		return c
	}
	return a.Local.Compare(b.Local)
}

// ProtocolName renders an IANA protocol number as walls' JSON does: tcp,
// udp, icmp, icmpv6, or the number.
func ProtocolName(p uint8) string {
	switch p {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	case protoICMP:
		return "icmp"
	case protoICMPv6:
		return "icmpv6"
	case protoNone:
		return "unknown"
	}
	return fmt.Sprint(p)
}

// Result is the outcome of Aggregate.
type Result struct {
	Observations []Observation // sorted by compareObservations
	Stats        Stats
	// Interfaces holds what the records (version 3 and later) tell of
	// each interface they name, by interface id: how to find one that no
	// inventory knows any more.
	Interfaces map[string]InterfaceMeta
}

// InterfaceMeta is an interface's instance, subnet and VPC ids as its flow
// log records name them ("" when the format lacks the field).
type InterfaceMeta struct {
	InstanceID string `json:"instanceId,omitempty"`
	SubnetID   string `json:"subnetId,omitempty"`
	VpcID      string `json:"vpcId,omitempty"`
	seen       bool
}

// Stats says what was read and what could not be used.
type Stats struct {
	Files int `json:"files"`
	// SkippedFiles are entries of walked folders that are not regular
	// files (named pipes, devices, sockets, links to neither), each with
	// what it is; they were not read.
	SkippedFiles []string `json:"skippedFiles,omitempty"`
	BytesRead    int64    `json:"bytesRead"` // after decompression
	Lines        int64    `json:"lines"`
	Records      int64    `json:"records"` // OK records inside the time range
	// Rejected counts REJECT records (also in Records).
	Rejected int64 `json:"rejectedRecords"`
	NoData   int64 `json:"nodataRecords"`
	SkipData int64 `json:"skipdataRecords"`
	// SkipDataInterfaces had SKIPDATA windows: flows may be missing there,
	// and observations overlapping those windows are heuristic.
	SkipDataInterfaces []string  `json:"skipdataInterfaces,omitempty"`
	OutsideTimeRange   int64     `json:"outsideTimeRange"`
	BadLines           int64     `json:"badLines"`
	BadLineExamples    []BadLine `json:"badLineExamples,omitempty"`
	// Transit counts records of interfaces that forward others' packets
	// (NAT gateway, transit gateway, load balancer hops): left out.
	Transit int64 `json:"transitRecords"`
	// AmbiguousInterfaces are interfaces whose own address could not be
	// told from their records (no inventory entry, no flow-direction); their
	// AmbiguousRecords are reported, not guessed.
	AmbiguousInterfaces []string `json:"ambiguousInterfaces,omitempty"`
	AmbiguousRecords    int64    `json:"ambiguousRecords"`
	// ExactRecords and HeuristicRecords count how each record's initiator
	// was decided.
	ExactRecords     int64 `json:"exactRecords"`
	ByRulesRecords   int64 `json:"byRulesRecords"`
	HeuristicRecords int64 `json:"heuristicRecords"`
	// UndecidedRecords were left ambiguous: their observations are
	// reported once per direction still possible.
	UndecidedRecords int64 `json:"undecidedRecords"`
	// RuleConflictRecords are accepted records whose every direction the
	// current security groups exclude: the rules changed in the window, or
	// the inventory is not the one the flows went through.
	RuleConflictRecords int64 `json:"ruleConflictRecords,omitempty"`
	// UnrecoveredPortRecords: records the rules proved were started by the
	// other side than their ports suggested, to several ports of which
	// only the lowest and highest were kept.
	UnrecoveredPortRecords int64 `json:"unrecoveredPortRecords,omitempty"`
	Observations           int   `json:"observations"`
}

// BadLine locates a malformed line.
type BadLine struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

// String renders file:line: reason.
func (b BadLine) String() string { return fmt.Sprintf("%s:%d: %s", b.File, b.Line, b.Reason) }
