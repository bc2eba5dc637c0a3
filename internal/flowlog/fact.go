package flowlog

import (
	"encoding/binary"
	"net/netip"
	"sync"
)

// A fact is what one record says on its own, reduced so that the tables
// grow with distinct observations rather than with connections: when the
// record alone names the initiator (exactly from tcp-flags, or by the
// port-class heuristic H1), the initiator's ephemeral port is dropped.
// Only records the record alone cannot decide keep both ports, so that the
// merge stage can resolve them with what the whole data set taught.
type factKey struct {
	src, dst     [16]byte // srcaddr, dstaddr: the interface-level addresses
	psrc, pdst   [16]byte // pkt-srcaddr, pkt-dstaddr when present and different, else zero
	eni          uint32   // interned interface id (per worker, then global)
	sport, dport uint16   // the initiator's port is 0 in collapsed facts
	proto        uint8
	info         uint8 // info* bits below
}

const (
	infoAccepted  = 1 << 0
	infoFlowShift = 1 // 2 bits: FlowDirection
	infoEvShift   = 3 // 2 bits: evidence
	// bit 5 unused: decided facts are normalised so the src slot initiated
	infoFullPorts = 1 << 6 // both ports kept (undecided, or exact with undecided ports)
	infoIPv6      = 1 << 7
)

// evidence is what a single record tells about its initiator.
type evidence uint8

const (
	evUndecided evidence = iota
	evExact              // tcp-flags: SYN (sender initiated) or SYN-ACK (receiver initiated)
	evHeuristic          // H1: service port against ephemeral port
)

func (k *factKey) accepted() bool         { return k.info&infoAccepted != 0 }
func (k *factKey) flowDir() FlowDirection { return FlowDirection(k.info >> infoFlowShift & 3) }
func (k *factKey) evidence() evidence     { return evidence(k.info >> infoEvShift & 3) }
func (k *factKey) fullPorts() bool        { return k.info&infoFullPorts != 0 }

// factVal sums the records of one fact.
type factVal struct {
	flows, packets, bytes uint64
	first, last           int64
	// eph is the range of the initiator's ports a collapsed fact dropped
	// (0 when none was): should the current rules exclude the direction the
	// ports suggested, the other side started the connection and these
	// were its service ports. See ephOf.
	eph uint32
}

// ephOf packs a dropped port as a one-port range: lo in the low 16 bits,
// hi in the high ones, and port 0 as "none" (a port-0 fact keeps both
// ports, so 0 is never dropped).
func ephOf(p uint16) uint32 { return uint32(p) | uint32(p)<<16 }

func ephRange(e uint32) (lo, hi uint16) { return uint16(e), uint16(e >> 16) }

func mergeEph(a, b uint32) uint32 {
	switch {
	case a == b || b == 0:
		return a
	case a == 0:
		return b
	}
	alo, ahi := ephRange(a)
	blo, bhi := ephRange(b)
	return uint32(min(alo, blo)) | uint32(max(ahi, bhi))<<16
}

// factKey4 is factKey for IPv4 records: a third of the size, so the hot
// map hashes and probes less memory.
type factKey4 struct {
	src, dst, psrc, pdst [4]byte
	eni                  uint32
	sport, dport         uint16
	proto, info          uint8
}

func (k4 *factKey4) full() factKey {
	k := factKey{eni: k4.eni, sport: k4.sport, dport: k4.dport, proto: k4.proto, info: k4.info}
	k.src, k.dst = v4mapped(k4.src), v4mapped(k4.dst)
	if k4.psrc != ([4]byte{}) {
		k.psrc = v4mapped(k4.psrc)
	}
	if k4.pdst != ([4]byte{}) {
		k.pdst = v4mapped(k4.pdst)
	}
	return k
}

func v4mapped(a [4]byte) [16]byte {
	return [16]byte{10: 0xff, 11: 0xff, 12: a[0], 13: a[1], 14: a[2], 15: a[3]}
}

// factTable holds facts with their sums inline in the map: one cache line
// per update, where an index into a separate slice cost two misses on
// large tables.
type factTable[K comparable] struct {
	m map[K]factVal
}

func newFactTable[K comparable]() factTable[K] { return factTable[K]{m: make(map[K]factVal, 1<<10)} }

func (t *factTable[K]) add(k K, o *factVal) {
	v, ok := t.m[k]
	if !ok {
		t.m[k] = *o
		return
	}
	v.add(o)
	t.m[k] = v
}

func (t *factTable[K]) len() int { return len(t.m) }

func (t *factTable[K]) reset() { clear(t.m) }

// indexTable is the store's layout: the map holds indexes into a value
// slice. It costs a second cache miss per update, but the store is only
// updated at flushes and holds every fact of the run, where 32-byte map
// slots and a dense slice take less memory than 72-byte slots.
type indexTable[K comparable] struct {
	idx  map[K]uint32
	vals []factVal
}

func newIndexTable[K comparable]() indexTable[K] {
	return indexTable[K]{idx: make(map[K]uint32, 1<<12)}
}

func (t *indexTable[K]) add(k K, o *factVal) {
	i, ok := t.idx[k]
	if !ok {
		t.idx[k] = uint32(len(t.vals))
		t.vals = append(t.vals, *o)
		return
	}
	t.vals[i].add(o)
}

// store is the shared fact table that workers flush into whenever their
// own tables grow past flushAt: memory then holds each fact about once,
// plus a bounded table per worker. The merge reads the store and each
// worker's last table; a fact in several becomes several rows, summed
// when observations are grouped. Sums commute, so flush timing does not
// change the result.
type store struct {
	mu     sync.Mutex
	ids    map[string]uint32 // interface ids in arrival order
	names  []string
	facts  indexTable[factKey]
	facts4 index4
}

const flushAt = 1 << 17

func newStore() *store {
	return &store{ids: map[string]uint32{}, facts: newIndexTable[factKey](), facts4: newIndex4()}
}

// flushLocked moves a worker's facts into the store; s.mu is held.
func (s *store) flushLocked(w *worker) {
	w.flushPending()
	if w.facts.len() == 0 && w.facts4.len() == 0 {
		return
	}
	if len(s.facts4.ents) == 0 {
		// The first flush sizes the store for twice its facts, skipping
		// the grows (each a rehash into fresh pages) of a small start.
		s.facts4.reserve(2 * w.facts4.len())
	}
	for l := len(w.remap); l < len(w.in.names); l++ {
		name := w.in.names[l]
		id, ok := s.ids[name]
		if !ok {
			id = uint32(len(s.names))
			s.ids[name] = id
			s.names = append(s.names, name)
		}
		w.remap = append(w.remap, id)
	}
	w.facts4.eachKey(func(k *key4, v *factVal) {
		g := *k
		g[2] = g[2]&^0xffffffff | uint64(w.remap[uint32(g[2])])
		s.facts4.add(&g, v)
	})
	for k, v := range w.facts.m {
		k.eni = w.remap[k.eni]
		s.facts.add(k, &v)
	}
	w.facts4.reset()
	w.facts.reset()
}

// Protocol numbers the classifier treats specially.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoSCTP   = 132
	protoICMPv6 = 58
	protoNone   = 255 // the format lacks ${protocol}, or it is "-"
)

func hasPorts(p uint8) bool { return p == protoTCP || p == protoUDP || p == protoSCTP }

// portClasses classifies ports for H1: service ports (below 1024 or on
// the configured list) against all others.
type portClasses struct {
	service [65536 / 64]uint64 // bitset
}

// defaultServicePorts are well-known service ports at or above 1024.
var defaultServicePorts = []uint16{1433, 1521, 2049, 2181, 2379, 2380, 3306, 3389, 5432, 5439,
	5671, 5672, 6379, 6443, 8080, 8443, 9042, 9092, 9200, 9300, 10250, 11211, 27017}

func newPortClasses(extra []uint16) *portClasses {
	pc := &portClasses{}
	for p := 0; p < 1024; p++ {
		pc.set(uint16(p))
	}
	for _, p := range defaultServicePorts {
		pc.set(p)
	}
	for _, p := range extra {
		pc.set(p)
	}
	return pc
}

func (pc *portClasses) set(p uint16)            { pc.service[p>>6] |= 1 << (p & 63) }
func (pc *portClasses) isService(p uint16) bool { return pc.service[p>>6]&(1<<(p&63)) != 0 }

// h1 decides from the port classes alone who initiated: the side on an
// unremarkable port talking to a service port. It returns evUndecided when
// both or neither side look like a service.
func (pc *portClasses) h1(sport, dport uint16) (ev evidence, receiverInit bool) {
	sSvc, dSvc := pc.isService(sport), pc.isService(dport)
	switch {
	case dSvc && !sSvc:
		return evHeuristic, false
	case sSvc && !dSvc:
		return evHeuristic, true
	}
	// Two unremarkable ports decide nothing here, not even one in the
	// Linux or Windows ephemeral range against one below it: load
	// balancers, NAT gateways and Lambda take client ports from all of
	// 1024-65535, and services listen on high ports too (passive FTP data,
	// dynamic host ports). The merge asks the rules and the data.
	return evUndecided, false
}

// draft is a fact before it becomes a table key, for records that are not
// all IPv4 (those go straight to key4).
type draft struct {
	src, dst, psrc, pdst netip.Addr // psrc, pdst: zero when absent or equal
	sport, dport         uint16
	proto, info          uint8
}

func as16(a netip.Addr) [16]byte {
	if a.IsValid() {
		return a.As16()
	}
	return [16]byte{}
}

func (d *draft) key(eni uint32) factKey {
	k := factKey{src: d.src.As16(), dst: d.dst.As16(), psrc: as16(d.psrc), pdst: as16(d.pdst),
		eni: eni, sport: d.sport, dport: d.dport, proto: d.proto, info: d.info}
	if !d.src.Is4() {
		k.info |= infoIPv6
	}
	return k
}

// makeFact reduces an OK record to its fact. The caller has checked that
// the record is OK and carries both addresses.
func (pc *portClasses) makeFact(r *Record) draft {
	c := pc.classify(r)
	d := draft{src: r.SrcAddr, dst: r.DstAddr, sport: c.sport, dport: c.dport, proto: c.proto, info: c.info}
	if r.PktSrcAddr != r.SrcAddr {
		d.psrc = r.PktSrcAddr
	}
	if r.PktDstAddr != r.DstAddr {
		d.pdst = r.PktDstAddr
	}
	if c.swap {
		d.src, d.dst = d.dst, d.src
		d.psrc, d.pdst = d.pdst, d.psrc
	}
	return d
}

// key4 is makeFact(r)'s fact packed for table4, for a record whose addresses are all
// IPv4 (pkt-* ones may be absent), built from the addresses' words without
// the draft; ok is false for other records.
func (pc *portClasses) key4(r *Record, eni uint32) (k key4, ok bool) {
	if !r.SrcAddr.Is4() || !r.DstAddr.Is4() {
		return k, false
	}
	var psrc, pdst uint64
	if r.PktSrcAddr != r.SrcAddr && r.PktSrcAddr.IsValid() {
		if !r.PktSrcAddr.Is4() {
			return k, false
		}
		psrc = be32(r.PktSrcAddr.As4())
	}
	if r.PktDstAddr != r.DstAddr && r.PktDstAddr.IsValid() {
		if !r.PktDstAddr.Is4() {
			return k, false
		}
		pdst = be32(r.PktDstAddr.As4())
	}
	return packKey4(be32(r.SrcAddr.As4()), be32(r.DstAddr.As4()), psrc, pdst, pc.classify(r), eni), true
}

// packKey4 packs an IPv4 fact: addresses as big-endian words, psrc and
// pdst 0 when absent or equal to srcaddr and dstaddr.
func packKey4(src, dst, psrc, pdst uint64, c class, eni uint32) key4 {
	if c.swap {
		src, dst = dst, src
		psrc, pdst = pdst, psrc
	}
	return key4{src | dst<<32, psrc | pdst<<32, uint64(eni) | uint64(c.sport)<<32 | uint64(c.dport)<<48,
		uint64(c.proto) | uint64(c.info)<<8 | 1<<16}
}

// class is what a record's ports, protocol, flags and action make of its
// fact: the ports and info bits as the fact keeps them, and whether its
// src and dst slots swap (the receiver initiated).
type class struct {
	sport, dport uint16
	proto, info  uint8
	swap         bool
	dropped      uint16 // the initiator's port a collapsed fact drops
}

// classify is the part of makeFact that does not look at addresses.
func (pc *portClasses) classify(r *Record) class {
	return pc.classifyVals(r.Protocol, r.SrcPort, r.DstPort, r.TCPFlags, r.Action, r.FlowDirection)
}

// classifyVals is classify on the record's values (-1 for absent ones).
func (pc *portClasses) classifyVals(proto int16, sport, dport int32, flags int16, action Action, fd FlowDirection) class {
	d := class{proto: protoNone}
	if proto >= 0 {
		d.proto = uint8(proto)
	}
	if action != ActionReject {
		d.info |= infoAccepted
	}
	if !hasPorts(d.proto) || sport < 0 || dport < 0 {
		// ICMP and portless protocols: the pair of addresses is the whole
		// tuple; the merge stage pairs both directions (H3, H6).
		d.info |= infoFullPorts | uint8(fd)<<infoFlowShift
		return d
	}
	d.sport, d.dport = uint16(sport), uint16(dport)
	ev, recv := evUndecided, false
	if d.proto == protoTCP && flags >= 0 {
		switch {
		case flags&16 != 0: // SYN-ACK: the receiver initiated (E2)
			ev, recv = evExact, true
		case flags&FlagSYN != 0: // pure SYN: the sender initiated (E1)
			ev, recv = evExact, false
		}
	}
	hev, hrecv := pc.h1(d.sport, d.dport)
	switch {
	case ev == evExact && hev == evUndecided:
		// Exact, but a later window of this 5-tuple without flags could not
		// be decided alone: keep both ports so that it can inherit (E3).
		d.info |= infoFullPorts
	case ev == evUndecided && hev == evUndecided:
		d.info |= infoFullPorts | uint8(fd)<<infoFlowShift
		return d
	case ev == evUndecided:
		ev, recv = hev, hrecv
	}
	d.info |= uint8(ev) << infoEvShift
	if recv {
		// Normalise: the src slot holds the initiator, so that the request
		// and the reply of a connection land on the same fact. flow-direction
		// follows the slots: "egress" now means "the src slot is local".
		d.swap = true
		d.sport, d.dport = d.dport, d.sport
		if fd != FlowUnknown {
			fd = FlowIngress + FlowEgress - fd
		}
	}
	d.info |= uint8(fd) << infoFlowShift
	if d.info&infoFullPorts == 0 {
		// The initiator's ephemeral port goes; a port-class guess keeps it
		// as a range in the sums, for the rules to overturn the guess.
		if ev == evHeuristic {
			d.dropped = d.sport
		}
		d.sport = 0
	}
	return d
}

// eniAddrs is the intersection of {srcaddr, dstaddr} over an interface's
// records: the address every record shares is the interface's own (spec
// 3.5: srcaddr/dstaddr always show the interface's primary address).
// n = -1 until the first record. Intersection is order-independent.
type eniAddrs struct {
	a [2]netip.Addr
	n int8
}

func (e *eniAddrs) observe(src, dst netip.Addr) {
	switch e.n {
	case -1:
		e.a[0] = src
		e.n = 1
		if dst != src {
			e.a[1] = dst
			e.n = 2
		}
	case 0:
	default:
		j := int8(0)
		for i := int8(0); i < e.n; i++ {
			if e.a[i] == src || e.a[i] == dst {
				e.a[j] = e.a[i]
				j++
			}
		}
		e.n = j
	}
}

func (e *eniAddrs) merge(o *eniAddrs) {
	switch {
	case o.n == -1:
	case e.n == -1:
		*e = *o
	default:
		j := int8(0)
		for i := int8(0); i < e.n; i++ {
			for m := int8(0); m < o.n; m++ {
				if e.a[i] == o.a[m] {
					e.a[j] = e.a[i]
					j++
					break
				}
			}
		}
		e.n = j
	}
}

// interner maps interface ids to small integers without allocating on hits.
// A direct-mapped cache indexed by the id's last eight bytes (where ids
// differ) answers most lookups with one comparison, before the map.
type interner struct {
	ids   map[string]uint32
	names []string
	cache [256]struct {
		name string
		id   uint32
	}
}

func newInterner() *interner { return &interner{ids: map[string]uint32{}} }

func (in *interner) id(b []byte) (uint32, bool) {
	var h uint64
	if len(b) >= 8 {
		h = binary.LittleEndian.Uint64(b[len(b)-8:])
	} else {
		for _, c := range b {
			h = h<<8 | uint64(c)
		}
	}
	e := &in.cache[h*0x9e3779b97f4a7c15>>56]
	if e.name == string(b) && e.name != "" {
		return e.id, false
	}
	id, ok := in.ids[string(b)]
	isNew := false
	if !ok {
		id = uint32(len(in.names))
		s := string(b)
		in.ids[s] = id
		in.names = append(in.names, s)
		isNew = true
	}
	e.name, e.id = in.names[id], id
	return id, isNew
}

func (v *factVal) add(o *factVal) {
	v.flows += o.flows
	v.packets += o.packets
	v.bytes += o.bytes
	if o.first != 0 && (v.first == 0 || o.first < v.first) {
		v.first = o.first
	}
	if o.last > v.last {
		v.last = o.last
	}
	if o.eph != v.eph {
		v.eph = mergeEph(v.eph, o.eph)
	}
}
