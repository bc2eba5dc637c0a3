package flowlog

import (
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"sort"
)

// Facts computed elsewhere (the Athena query of package athena) enter the
// same merge as the workers' own: a remote engine classifies each record
// as classifyVals does and groups the records on the fact's key, and
// MergeFacts takes those groups, so that the decisions that need the whole
// data set or the inventory (merge.go) are made in one place.

// The bits of FactRow.Info, as classifyVals sets them: the remote engine
// builds the same integer.
const (
	FactAccepted      = infoAccepted  // the record was not REJECTed
	FactFlowShift     = infoFlowShift // 2 bits: 0 unknown, 1 ingress, 2 egress (after the swap)
	FactEvidenceShift = infoEvShift   // 2 bits: FactUndecided, FactExact, FactHeuristic
	FactFullPorts     = infoFullPorts // both ports kept
	FactUndecided     = uint8(evUndecided)
	FactExact         = uint8(evExact)
	FactHeuristic     = uint8(evHeuristic)
	// FactNoProtocol is the protocol of records without one.
	FactNoProtocol = protoNone
)

// ServicePorts lists the ports at or above 1024 that the port-class
// heuristic (H1) treats as service ports, with extra added, sorted: every
// port below 1024 is one too.
func ServicePorts(extra []uint16) []uint16 {
	var out []uint16
	pc := newPortClasses(extra)
	for p := 1024; p < 65536; p++ {
		if pc.isService(uint16(p)) {
			out = append(out, uint16(p))
		}
	}
	return out
}

// FactRow is one fact with the sums of its records: the addresses and
// ports after the swap that puts the initiator in the src slot (when the
// record decided it), the initiator's port 0 in collapsed facts, and the
// range of dropped ports (EphLo 0: none).
type FactRow struct {
	Interface             string
	Src, Dst              netip.Addr
	PktSrc, PktDst        netip.Addr // invalid when absent or equal to Src, Dst
	SrcPort, DstPort      uint16
	Protocol              uint8
	Info                  uint8
	Flows, Packets, Bytes uint64
	First, Last           int64 // earliest non-zero start, latest end (Unix seconds)
	EphLo, EphHi          uint16
}

// AddrCount is how many of an interface's OK records name Addr as srcaddr
// or dstaddr (a record naming it twice counts once).
type AddrCount struct {
	Interface string
	Addr      netip.Addr
	Records   uint64
}

// MetaRow is one distinct (instance, subnet, VPC) triple an interface's OK
// records name; the smallest wins, as between workers. InstanceField says
// the records carried instance-id (so an empty Meta.InstanceID is "-":
// no instance), which decides, without an inventory, whether an interface
// with packet addresses unlike its own forwards them.
type MetaRow struct {
	Interface     string
	Meta          InterfaceMeta
	InstanceField bool
}

// SkipRow is an interface's SKIPDATA records: the earliest start and the
// latest end (at least the start).
type SkipRow struct {
	Interface   string
	First, Last int64
}

// FactCounts are the record counters.
type FactCounts struct {
	Records, Rejected, NoData, SkipData, Outside, Bad int64
}

// Facts is what a remote engine computed over the records.
type Facts struct {
	Rows   []FactRow
	Addrs  []AddrCount
	Meta   []MetaRow
	Skips  []SkipRow
	Counts FactCounts
}

// MergeFacts runs the merge (merge.go) on facts a remote engine computed,
// with the inventory of opts (Inventory and MaxBadRatio are read): the
// observations and statistics Aggregate gives for the same records,
// except Files, Lines and BytesRead, which a remote engine does not see.
// Past MaxBadRatio malformed records the result comes with a
// *TooManyBadLinesError, as from Aggregate.
func MergeFacts(f *Facts, opts Options) (*Result, error) {
	st := newStore()
	nw := max(1, min(runtime.GOMAXPROCS(0), MaxWorkers))
	workers := make([]*worker, nw)
	for i := range workers {
		workers[i] = newWorker(st, nil, 0, 0, 0)
	}
	w := workers[0]
	// Interfaces in name order, so that ids do not depend on row order.
	var names []string
	seen := map[string]bool{}
	note := func(n string) error {
		if n == "" {
			return fmt.Errorf("a fact row without an interface id")
		}
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
		return nil
	}
	for i := range f.Rows {
		if err := note(f.Rows[i].Interface); err != nil {
			return nil, err
		}
	}
	for _, s := range f.Skips {
		if err := note(s.Interface); err != nil {
			return nil, err
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w.eni([]byte(n))
	}
	records := make([]uint64, len(names))
	for i := range f.Rows {
		row := &f.Rows[i]
		if err := row.check(); err != nil {
			return nil, fmt.Errorf("fact row %d (%s): %w", i+1, row.Interface, err)
		}
		e, _ := w.in.id([]byte(row.Interface))
		records[e] += row.Flows
		sid, ok := st.ids[row.Interface]
		if !ok {
			sid = uint32(len(st.names))
			st.ids[row.Interface] = sid
			st.names = append(st.names, row.Interface)
		}
		k := factKey{src: row.Src.As16(), dst: row.Dst.As16(), psrc: as16(row.PktSrc), pdst: as16(row.PktDst),
			eni: sid, sport: row.SrcPort, dport: row.DstPort, proto: row.Protocol, info: row.Info}
		if !row.Src.Is4() {
			k.info |= infoIPv6
		}
		v := factVal{flows: row.Flows, packets: row.Packets, bytes: row.Bytes, first: row.First, last: row.Last}
		if row.EphLo != 0 {
			v.eph = uint32(row.EphLo) | uint32(row.EphHi)<<16
		}
		st.facts.add(k, &v)
	}
	// An interface's own addresses: those every one of its records names.
	counts := map[uint32]map[netip.Addr]uint64{}
	for _, a := range f.Addrs {
		e, ok := w.in.ids[a.Interface]
		if !ok {
			return nil, fmt.Errorf("address row for %s, an interface without records", a.Interface)
		}
		if counts[e] == nil {
			counts[e] = map[netip.Addr]uint64{}
		}
		counts[e][a.Addr] += a.Records
	}
	for e := range names {
		if records[e] == 0 {
			continue
		}
		var own []netip.Addr
		for a, c := range counts[uint32(e)] {
			if c == records[e] {
				own = append(own, a)
			}
		}
		if len(own) > 2 {
			return nil, fmt.Errorf("interface %s: %d addresses in every record, at most 2 possible", names[e], len(own))
		}
		slices.SortFunc(own, func(a, b netip.Addr) int { return a.Compare(b) })
		ea := &w.addrs[e]
		ea.n = int8(len(own))
		copy(ea.a[:], own)
	}
	for _, m := range f.Meta {
		e, ok := w.in.ids[m.Interface]
		if !ok {
			return nil, fmt.Errorf("metadata row for %s, an interface without records", m.Interface)
		}
		if m.InstanceField {
			if m.Meta.InstanceID == "" {
				w.meta[e].inst |= instDash
			} else {
				w.meta[e].inst |= instNamed
			}
		}
		if m.Meta == (InterfaceMeta{}) {
			continue
		}
		if have := &w.meta[e]; !have.seen || lessMeta(m.Meta, have.InterfaceMeta) {
			have.InterfaceMeta, have.seen = m.Meta, true
		}
	}
	for _, s := range f.Skips {
		e := w.in.ids[s.Interface]
		w.skips[e].add(s.First, s.Last)
	}
	c := f.Counts
	w.n = counters{records: c.Records, rejected: c.Rejected, noData: c.NoData, skipData: c.SkipData,
		outside: c.Outside, bad: c.Bad}
	w.n.lines = c.Records + c.NoData + c.SkipData + c.Outside + c.Bad
	res := merge(workers, st, opts.Inventory)
	ratio := opts.MaxBadRatio
	if ratio == 0 {
		ratio = DefaultMaxBadRatio
	}
	if total := w.n.lines; ratio >= 0 && c.Bad > 0 && float64(c.Bad) > ratio*float64(total) {
		return res, &TooManyBadLinesError{Bad: c.Bad, Lines: total, Ratio: ratio}
	}
	return res, nil
}

// check refuses a row the merge could not have met: the info bits and
// addresses classifyVals never produces.
func (r *FactRow) check() error {
	switch {
	case !r.Src.IsValid() || !r.Dst.IsValid():
		return fmt.Errorf("missing address")
	case r.Src.Is4() != r.Dst.Is4():
		return fmt.Errorf("address families differ")
	case r.Info&(1<<5|infoIPv6) != 0, r.Info>>infoFlowShift&3 == 3, r.Info>>infoEvShift&3 == 3:
		return fmt.Errorf("info %d: not a fact's bits", r.Info)
	case r.Flows == 0:
		return fmt.Errorf("no records")
	case r.EphHi < r.EphLo:
		return fmt.Errorf("dropped ports %d-%d", r.EphLo, r.EphHi)
	}
	return nil
}
