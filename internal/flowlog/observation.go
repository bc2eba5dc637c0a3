package flowlog

import (
	"cmp"
	"fmt"

	"github.com/walls-dev/walls/internal/traffic"
)

// The observation model lives in package traffic; these names keep
// flowlog's API.
type (
	Direction     = traffic.Direction
	Confidence    = traffic.Confidence
	Observation   = traffic.Observation
	InterfaceMeta = traffic.InterfaceMeta
	Forwarded     = traffic.Forwarded
)

// Directions and confidences: see package traffic.
const (
	Outbound  = traffic.Outbound
	Inbound   = traffic.Inbound
	Exact     = traffic.Exact
	ByRules   = traffic.ByRules
	Heuristic = traffic.Heuristic
	Ambiguous = traffic.Ambiguous
)

// compareObservations orders observations deterministically: interface,
// accepted before rejected, direction, protocol, port, remote.
func compareObservations(a, b *Observation) int {
	if c := cmp.Compare(a.InterfaceID, b.InterfaceID); c != 0 {
		return c
	}
	if a.LocalUndetermined != b.LocalUndetermined {
		if b.LocalUndetermined {
			return -1
		}
		return 1
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

// compareForwarded orders forwarded rows: interface, accepted before
// rejected, protocol, port, initiator, responder.
func compareForwarded(a, b *Forwarded) int {
	if c := cmp.Compare(a.InterfaceID, b.InterfaceID); c != 0 {
		return c
	}
	if a.Accepted != b.Accepted {
		if a.Accepted {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.Protocol, b.Protocol); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Port, b.Port); c != 0 {
		return c
	}
	if c := a.Initiator.Compare(b.Initiator); c != 0 {
		return c
	}
	return a.Responder.Compare(b.Responder)
}

// ProtocolName renders an IANA protocol number as walls' JSON does: tcp,
// udp, icmp, icmpv6, or the number.
func ProtocolName(p uint8) string { return traffic.ProtocolName(p) }

// Result is the outcome of Aggregate.
type Result struct {
	Observations []Observation // sorted by compareObservations
	// Forwarded is the traffic of forwarding interfaces (NAT and transit
	// gateways, Gateway Load Balancer endpoints), sorted by
	// compareForwarded: apart from the observations, never a need.
	Forwarded []Forwarded
	Stats     Stats
	// Interfaces holds what the records (version 3 and later) tell of
	// each interface they name, by interface id: how to find one that no
	// inventory knows any more.
	Interfaces map[string]InterfaceMeta
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
	// ForwardedRecords are the records of interfaces that forward others'
	// packets (NAT and transit gateways, Gateway Load Balancer endpoints):
	// reported in Result.Forwarded, ForwardedFlows rows.
	ForwardedRecords int64 `json:"forwardedRecords"`
	ForwardedFlows   int   `json:"forwardedRows,omitempty"`
	// UndeterminedInterfaces are interfaces whose own address could not be
	// told from their records (no inventory entry, no flow-direction); their
	// UndeterminedLocalRecords are reported with either end as the local
	// side, both rows marked LocalUndetermined.
	UndeterminedInterfaces   []string `json:"undeterminedLocalInterfaces,omitempty"`
	UndeterminedLocalRecords int64    `json:"undeterminedLocalRecords"`
	// ExactRecords, ByRulesRecords, HeuristicRecords and UndecidedRecords
	// count how the initiator of each record that is not forwarded was
	// decided: with ForwardedRecords they sum to Records.
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
