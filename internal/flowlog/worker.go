package flowlog

import (
	"bytes"
)

// worker holds one goroutine's partial aggregation. Nothing in it is
// shared; the merge stage combines workers in a fixed order.
type worker struct {
	pc           *portClasses
	since, until int64 // 0 = unbounded
	in           *interner
	addrs        []eniAddrs         // by local interface id
	skips        []span             // SKIPDATA windows by local interface id
	facts        factTable[factKey] // IPv6
	facts4       table4             // IPv4
	store        *store
	remap        []uint32 // local interface id -> store id
	flushAt      int
	// pend sums consecutive records of the same IPv4 fact (the request and
	// the reply of a connection are often adjacent) before the map sees them.
	pendKey key4
	pend    factVal
	pendOK  bool
	// queue holds facts on their way to facts4, added batch4 at a time.
	queue       [batch4]key4
	queueV      [batch4]factVal
	queued      int
	n           counters
	rec         Record
	maxExamples int
	scan        *scanOut
	piece       int // scanPiece; smaller in tests
	startMemo   memo
	endMemo     memo
	addrMemo    addrMemo
	// meta is what v3+ records tell of each interface (instance, subnet,
	// VPC), taken from its first record that names them.
	meta []eniMeta
}

// span is a time range in Unix seconds; the zero span is empty.
type span struct{ first, last int64 }

func (s *span) add(first, last int64) {
	if last < first {
		last = first
	}
	if s.first == 0 && s.last == 0 {
		s.first, s.last = first, last
		return
	}
	if first < s.first {
		s.first = first
	}
	if last > s.last {
		s.last = last
	}
}

func (s span) overlaps(first, last int64) bool {
	return !(s.first == 0 && s.last == 0) && first <= s.last && last >= s.first
}

// counters are the per-worker record counts, summed into Stats.
type counters struct {
	lines, records, noData, skipData, bad, outside, rejected, bytes int64
}

func (c *counters) add(o *counters) {
	c.lines += o.lines
	c.records += o.records
	c.noData += o.noData
	c.skipData += o.skipData
	c.bad += o.bad
	c.outside += o.outside
	c.rejected += o.rejected
	c.bytes += o.bytes
}

func newWorker(st *store, pc *portClasses, since, until int64, maxExamples int) *worker {
	return &worker{store: st, flushAt: flushAt, pc: pc, since: since, until: until, in: newInterner(),
		facts: newFactTable[factKey](), facts4: newTable4(), maxExamples: maxExamples}
}

func (w *worker) eni(id []byte) uint32 {
	e, isNew := w.in.id(id)
	if isNew {
		w.addrs = append(w.addrs, eniAddrs{n: -1})
		w.skips = append(w.skips, span{})
		w.meta = append(w.meta, eniMeta{})
	}
	return e
}

// eniMeta is an interface's InterfaceMeta as a worker collects it; seen
// once a record named any of its ids. inst says what the records' instance-id
// column showed (instDash, instNamed); done once nothing more is to learn.
type eniMeta struct {
	InterfaceMeta
	seen bool
	inst uint8
	done bool
}

// Bits of eniMeta.inst: a record carried instance-id and it was "-" (no
// instance: a requester-managed interface, NAT or transit gateway among
// them), or it named an instance.
const (
	instDash  = 1 << 0
	instNamed = 1 << 1
)

// noteMeta keeps the instance, subnet and VPC ids col gives for the
// interface e, once, and whether any record names an instance.
func (w *worker) noteMeta(e uint32, pos *[numFields]int16, col func(i int16) []byte) {
	m := &w.meta[e]
	if i := pos[FieldInstanceID]; i >= 0 {
		if c := col(i); len(c) == 0 || len(c) == 1 && c[0] == '-' {
			m.inst |= instDash
		} else {
			m.inst |= instNamed
		}
	}
	if !m.seen {
		get := func(f Field) string {
			if i := pos[f]; i >= 0 {
				if c := col(i); len(c) > 0 && !(len(c) == 1 && c[0] == '-') {
					return string(c)
				}
			}
			return ""
		}
		m.InstanceID, m.SubnetID, m.VpcID = get(FieldInstanceID), get(FieldSubnetID), get(FieldVpcID)
		m.seen = m.InstanceID != "" || m.SubnetID != "" || m.VpcID != ""
	}
	// An interface that names an instance is an instance's: later records
	// add nothing (the hot path then skips this call).
	m.done = m.seen && m.inst&instNamed != 0
}

// addRecord folds one parsed record into the worker's tables.
func (w *worker) addRecord(f *Format, r *Record) {
	if w.since != 0 && r.End != 0 && r.End < w.since || w.until != 0 && r.Start >= w.until && r.Start != 0 {
		w.n.outside++
		return
	}
	switch r.Status {
	case StatusNoData:
		w.n.noData++
		return
	case StatusSkipData:
		w.n.skipData++
		if len(r.InterfaceID) > 0 {
			e := w.eni(r.InterfaceID)
			w.skips[e].add(r.Start, r.End)
		}
		return
	}
	w.n.records++
	if r.Action == ActionReject {
		w.n.rejected++
	}
	e := w.eni(r.InterfaceID)
	if !w.meta[e].done {
		w.noteMeta(e, &f.pos, func(i int16) []byte { return r.Column(int(i)) })
	}
	w.addrs[e].observe(r.SrcAddr, r.DstAddr)
	rv := factVal{flows: 1, packets: r.Packets, bytes: r.Bytes, first: r.Start, last: r.End,
		eph: ephOf(w.pc.classify(r).dropped)}
	k4, ok := w.pc.key4(r, e)
	if !ok {
		d := w.pc.makeFact(r)
		w.facts.add(d.key(e), &rv)
		return
	}
	w.addFact4(&k4, &rv)
}

// addFact4 folds one IPv4 fact, through the pending one.
func (w *worker) addFact4(k4 *key4, rv *factVal) {
	if w.pendOK && *k4 == w.pendKey {
		w.pend.add(rv)
		return
	}
	if w.queuePending() == batch4 {
		w.facts4.addBatch(&w.queue, &w.queueV, w.queued)
		w.queued = 0
	}
	w.pendKey, w.pend, w.pendOK = *k4, *rv, true
}

// queuePending moves the pending fact, if any, to the queue and returns
// the queue's length.
func (w *worker) queuePending() int {
	if w.pendOK {
		w.queue[w.queued], w.queueV[w.queued] = w.pendKey, w.pend
		w.queued++
		w.pendOK = false
	}
	return w.queued
}

// flushPending moves the pending and queued IPv4 facts into the table.
func (w *worker) flushPending() {
	w.facts4.addBatch(&w.queue, &w.queueV, w.queuePending())
	w.queued = 0
}

// badLine is a malformed line found in a chunk, located by the chunk's
// sequence number and the line's index within it; absolute line numbers
// are computed at the end, so they do not depend on scheduling.
type badLine struct {
	src, seq int
	line     int64 // 1-based within the chunk
	reason   string
}

// chunkResult is what the line book needs to know about a parsed chunk.
type chunkResult struct {
	src, seq int
	lines    int64
	bad      []badLine
}

// parseText parses a newline-separated chunk of text records. skipFirst
// drops the first line (the file's header); header lines repeated inside
// the file (concatenated S3 objects) are skipped too.
//
// The chunk is scanned in pieces of scanPiece bytes (scan.go): a line whose
// blanks the scan found to be single and as many as the format's columns is
// cut into columns from the scan's offsets; every other line (runs of
// blanks, a CR, too few or too many fields, longer than a piece) goes to
// the general parser, so both paths accept and refuse the same lines.
func (w *worker) parseText(f *Format, data []byte, skipFirst bool, header []byte, src, seq int) chunkResult {
	res := chunkResult{src: src, seq: seq}
	w.n.bytes += int64(len(data))
	var ln int64
	nc := len(f.cols)
	if cap(w.rec.cols) < nc {
		w.rec.cols = make([][2]uint32, nc)
	}
	if w.piece == 0 {
		w.piece = scanPiece
	}
	if need := min(w.piece, len(data)); w.scan == nil || len(w.scan.blanks) < need+scanSlack {
		w.scan = newScanOut(need)
	}
	out := w.scan
	for pos := 0; pos < len(data); {
		end := min(pos+w.piece, len(data))
		nb, nn, nd := 0, 0, 0
		if uint64(end) < 1<<32 {
			nb, nn, nd, _ = scanBlocks(data[pos:end], uint32(pos), 1, out)
		}
		if nn == 0 {
			// No newline in the piece: a line longer than a piece, the last
			// line without its newline, or a chunk past 4 GiB.
			line := data[pos:]
			if i := bytes.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			ln++
			if len(line) > MaxLineLength {
				w.bad(errLongLine, line, header, &res, ln)
			} else {
				w.slowLine(f, line, skipFirst && ln == 1, header, &res, ln)
			}
			pos += len(line) + 1
			continue
		}
		blanks, dbls := out.blanks[:nb], out.dbls[:nd]
		j, d, start := 0, 0, pos
		for _, nl := range out.nls[:nn] {
			ln++
			e := int(nl)
			if j+nc <= nb && int(blanks[j+nc-1]) == e && (d == nd || int(dbls[d]) > e) && !(skipFirst && ln == 1) {
				lc := lineCols{data: data, b: blanks[j : j+nc], start: uint32(start)}
				j += nc
				if !w.fast4(f, &lc) {
					cols := w.rec.cols[:nc]
					prev := lc.start
					for i, b := range lc.b {
						cols[i] = [2]uint32{prev, b}
						prev = b + 1
					}
					w.rec.cols = cols
					if err := f.decode(&w.rec, data); err != nil {
						w.bad(err, data[start:e], header, &res, ln)
					} else {
						w.addRecord(f, &w.rec)
					}
				}
			} else {
				for j < nb && blanks[j] <= nl {
					j++
				}
				w.slowLine(f, data[start:e], skipFirst && ln == 1, header, &res, ln)
			}
			for d < nd && int(dbls[d]) <= e {
				d++
			}
			start = e + 1
		}
		pos = start
	}
	w.n.lines += ln
	res.lines = ln
	w.maybeFlush()
	return res
}

// scanPiece is how much of a chunk one scan covers: its offsets stay in
// the core's cache, and a line longer than this goes to the general parser,
// or is refused past MaxLineLength. It is at most MaxLineLength, so a line
// the scan finds whole within a piece is never too long.
const scanPiece = 64 << 10

var _ [MaxLineLength - scanPiece]struct{} // scanPiece <= MaxLineLength

// slowLine parses one line with the general parser.
func (w *worker) slowLine(f *Format, line []byte, skip bool, header []byte, res *chunkResult, ln int64) {
	if skip || len(line) == 0 || len(line) == 1 && line[0] == '\r' {
		return
	}
	if err := f.Parse(line, &w.rec); err != nil {
		w.bad(err, line, header, res, ln)
		return
	}
	w.addRecord(f, &w.rec)
}

// bad counts a line that is not a record, unless it repeats the header.
func (w *worker) bad(err error, line, header []byte, res *chunkResult, ln int64) {
	if header != nil && bytes.Equal(bytes.TrimRight(line, "\r"), header) {
		return
	}
	w.n.bad++
	if len(res.bad) < w.maxExamples {
		res.bad = append(res.bad, badLine{src: res.src, seq: res.seq, line: ln, reason: err.Error()})
	}
}

// maybeFlush moves the worker's facts to the shared store once its tables
// are large, bounding the memory of per-worker duplicates.
//
// When another worker is flushing, this one parses on instead of waiting
// for the store (workers fill their tables at the same pace, so they tend
// to flush together), and waits only past flushAt and an eighth: with a
// chunk's records on top (8 MiB, ~35 k) the table stays under the 3/4 of
// its slots that would make it grow.
func (w *worker) maybeFlush() {
	n := w.facts.len() + w.facts4.len()
	switch {
	case n >= w.flushAt+w.flushAt/8:
		w.store.mu.Lock()
	case n >= w.flushAt:
		if !w.store.mu.TryLock() {
			return
		}
	default:
		return
	}
	defer w.store.mu.Unlock()
	w.store.flushLocked(w)
}
