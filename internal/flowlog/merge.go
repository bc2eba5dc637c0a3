package flowlog

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"net/netip"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/walls-dev/walls/internal/vpc"
)

// Merge-time classification. Every worker's facts are summed into one
// table (sums, minima and maxima, set intersections: order-independent),
// then each fact is oriented (which side is the interface), checked for
// transit, and - when the record alone could not name the initiator -
// resolved with what the whole data set taught, in this order (spec 4):
//
//	a. the same 5-tuple's SYN or SYN-ACK elsewhere in the data (E3): exact
//	b. service endpoints learned from SYN and SYN-ACK records: heuristic
//	c. the interface's SG ingress rules (listening ports): heuristic
//	d. fan-in: the side whose port stays fixed while the other's varies (H2)
//	e. pairing: the earlier of both directions of a tuple (H3, H6); a
//	   rejected record without any answer is its sender's attempt
//	f. last resort: the lower port is the service; one-way portless
//	   traffic was initiated by its sender, two-way portless traffic that
//	   timing cannot order by the interface (so that learn keeps it)

// eniState is what the merge knows about one interface.
type eniState struct {
	name    string
	id      uint32
	groups  map[string]*vpc.SecurityGroup
	addrs   eniAddrs
	skip    span
	iface   *vpc.Interface
	own     map[[16]byte]bool // inventory addresses
	transit bool              // a forwarding interface type
	local   [16]byte          // learned own address
	learned int8              // 1: local is known; 0: ambiguous
}

// transitTypes are interface types that forward traffic of others.
var transitTypes = map[string]bool{"natGateway": true, "nat_gateway": true, "transit_gateway": true,
	"gateway_load_balancer": true, "gateway_load_balancer_endpoint": true}

type tuple5 struct {
	a, b   [16]byte // initiator (or sender), responder (or receiver)
	eni    uint32
	ap, bp uint16
	proto  uint8
}

type svcKey struct {
	addr  [16]byte
	port  uint16
	proto uint8
}

type sgKey struct {
	eni   uint32
	port  uint16
	proto uint8
}

type pairKey struct {
	lo, hi [16]byte
	eni    uint32
	proto  uint8
}

// portSet remembers whether one or several ports were seen.
type portSet struct {
	first uint16
	n     uint8 // 0, 1, or 2 meaning "several"
}

func (s *portSet) add(p uint16) {
	switch {
	case s.n == 0:
		s.first, s.n = p, 1
	case s.n == 1 && s.first != p:
		s.n = 2
	}
}

type pairInfo struct{ lo, hi portSet }

type obsKey struct {
	remote   [16]byte
	eni      uint32
	port     uint16
	proto    uint8
	dir      Direction
	accepted bool
}

type obsAcc struct {
	v        factVal
	local    [16]byte
	hasLocal bool
	exact    bool
}

func merge(workers []*worker, fs *store, inv *vpc.Inventory) *Result {
	// Interfaces get global ids in name order.
	names := slices.Clone(fs.names)
	seen := map[string]uint32{}
	for _, w := range workers {
		for _, n := range w.in.names {
			if _, ok := seen[n]; !ok {
				seen[n] = 0
				if _, inStore := fs.ids[n]; !inStore {
					names = append(names, n) // SKIPDATA-only interfaces
				}
			}
		}
	}
	sort.Strings(names)
	enis := make([]eniState, len(names))
	for i, n := range names {
		seen[n] = uint32(i)
		enis[i] = eniState{name: n, id: uint32(i), addrs: eniAddrs{n: -1}}
	}
	storeRemap := make([]uint32, len(fs.names))
	for i, n := range fs.names {
		storeRemap[i] = seen[n]
	}
	var n counters
	for _, w := range workers {
		for l, name := range w.in.names {
			g := seen[name]
			enis[g].addrs.merge(&w.addrs[l])
			if s := w.skips[l]; s.first != 0 || s.last != 0 {
				enis[g].skip.add(s.first, s.last)
			}
		}
		n.add(&w.n)
	}
	// The facts are in the store and, since their last flush, in the
	// workers' own tables: the merge reads them all.
	sets := []factSet{{
		each4: fs.facts4.eachKey,
		each6: func(fn func(factKey, *factVal)) {
			for k, i := range fs.facts.idx {
				fn(k, &fs.facts.vals[i])
			}
		},
		remap: storeRemap,
	}}
	for _, w := range workers {
		remap := make([]uint32, len(w.in.names))
		for l, name := range w.in.names {
			remap[l] = seen[name]
		}
		sets = append(sets, factSet{
			each4: w.facts4.eachKey,
			each6: func(fn func(factKey, *factVal)) {
				for k, v := range w.facts.m {
					fn(k, &v)
				}
			},
			remap: remap,
		})
	}
	// One pass counts the undecided facts and each interface's facts.
	undecidedTotal := 0
	perEni := make([]int, len(enis))
	for _, set := range sets {
		set.each6(func(k factKey, _ *factVal) {
			if k.evidence() == evUndecided {
				undecidedTotal++
			}
			perEni[set.remap[k.eni]]++
		})
		set.each4(func(k *key4, _ *factVal) {
			if k.evidence() == evUndecided {
				undecidedTotal++
			}
			perEni[set.remap[k.eni()]]++
		})
	}
	res := &Result{}
	st := &res.Stats
	st.Lines, st.Records, st.NoData, st.SkipData = n.lines, n.records, n.noData, n.skipData
	st.BadLines, st.OutsideTimeRange, st.Rejected, st.BytesRead = n.bad, n.outside, n.rejected, n.bytes
	for i := range enis {
		enis[i].setup(inv)
		if s := enis[i].skip; s.first != 0 || s.last != 0 {
			st.SkipDataInterfaces = append(st.SkipDataInterfaces, enis[i].name)
		}
	}

	// Collect what reading left (tables outgrown while the collector was
	// off), before the merge allocates its rows.
	runtime.GC()
	// Interfaces are cut into contiguous shards, one per worker, merged in
	// parallel; as observations sort by interface first, the shards' sorted
	// rows concatenate into the sorted result.
	nsh := max(1, min(len(workers), len(enis)))
	// The cuts balance the facts, not the interfaces: a few busy interfaces
	// (a web tier's) can hold nearly all of them. An interface goes to the
	// shard its middle fact falls in, which keeps shards contiguous.
	total := 0
	for _, c := range perEni {
		total += c
	}
	shardOfEni := make([]int32, len(enis))
	before := 0
	for g, c := range perEni {
		shardOfEni[g] = int32(min(nsh-1, (2*before+c)*nsh/max(1, 2*total)))
		before += c
	}
	shardOf := func(eni uint32) int { return int(shardOfEni[eni]) }
	shardFacts := make([]int, nsh)
	for g, c := range perEni {
		shardFacts[shardOfEni[g]] += c
	}
	shards := make([]*mergeShard, nsh)
	for i := range shards {
		// Each fact (as often as it is held) becomes at most one row: sized
		// once, the rows never move, and no fresh pages are faulted in
		// mid-merge.
		n := shardFacts[i]
		shards[i] = &mergeShard{
			m: &merger{enis: enis, st: &Stats{}, ambiguous: map[string]bool{},
				ents: make([]obsEntry, 0, n), rows: make([]obsAcc, 0, n)},
			undecided: map[factKey]*factVal{},
			kn: &knowledge{exact5: map[tuple5]bool{}, services: map[svcKey]bool{}, pairs: map[pairKey]*pairInfo{},
				firstSeen: map[tuple5]int64{}, sgCache: map[sgKey]bool{}},
		}
	}
	// Decided facts go straight into observations; undecided ones wait
	// until everything the data teaches is known.
	parallel(nsh, func(si int) {
		sh := shards[si]
		for _, set := range sets {
			set.each4(func(k4 *key4, v *factVal) {
				g := set.remap[k4.eni()]
				if shardOf(g) != si {
					return
				}
				switch ev := k4.evidence(); {
				case ev == evUndecided || ev == evExact && undecidedTotal > 0:
					u := k4.unpack()
					k := u.full()
					k.eni = g
					sh.take(k, v, undecidedTotal > 0)
				default:
					sh.m.add4(k4, g, v, ev == evExact)
				}
			})
			set.each6(func(k factKey, v *factVal) {
				if g := set.remap[k.eni]; shardOf(g) == si {
					k.eni = g
					sh.take(k, v, undecidedTotal > 0)
				}
			})
		}
	})
	fs.facts, fs.facts4 = indexTable[factKey]{}, index4{}
	for _, w := range workers {
		w.facts, w.facts4 = factTable[factKey]{}, table4{}
	}
	sets = nil
	if undecidedTotal > 0 {
		// Service endpoints are learned across interfaces: share them.
		services := shards[0].kn.services
		for _, sh := range shards[1:] {
			for k := range sh.kn.services {
				services[k] = true
			}
		}
		parallel(nsh, func(si int) {
			sh := shards[si]
			sh.kn.services = services
			for k, v := range sh.undecided {
				sh.kn.note(&k, v)
			}
			for k, v := range sh.undecided {
				senderLocal, ok := orient(&k, &enis[k.eni])
				if !ok {
					sh.m.add(&k, v, false, false) // counted as ambiguous
					continue
				}
				recvInit, exact := sh.kn.resolve(&k, &enis[k.eni], senderLocal)
				sh.m.add(&k, v, recvInit, exact)
			}
			sh.undecided, sh.kn = nil, nil
		})
	}

	// Sort each shard's rows on the compact keys (interface ids are
	// numbered in name order); rows with the same key are one observation.
	offsets := make([]int, nsh+1)
	parallel(nsh, func(si int) {
		m := shards[si].m
		sortEntries(m.ents, make([]obsEntry, len(m.ents)))
		n := 0
		for i := range m.ents {
			if i == 0 || !m.ents[i].sameKey(&m.ents[i-1]) {
				n++
			}
		}
		shards[si].groups = n
	})
	for si, sh := range shards {
		offsets[si+1] = offsets[si] + sh.groups
		st.Transit += sh.m.st.Transit
		st.AmbiguousRecords += sh.m.st.AmbiguousRecords
		st.ExactRecords += sh.m.st.ExactRecords
		st.HeuristicRecords += sh.m.st.HeuristicRecords
	}
	// The fact tables and maps are garbage now; collect them before the
	// observations are allocated, so the peak is the larger of the two
	// phases rather than their sum.
	runtime.GC()
	res.Observations = make([]Observation, offsets[nsh])
	parallel(nsh, func(si int) {
		m := shards[si].m
		ents, rows := m.ents, m.rows
		out := res.Observations[offsets[si]:offsets[si+1]]
		for i, o := 0, 0; i < len(ents); o++ {
			var a obsAcc
			j := i
			for ; j < len(ents) && ents[j].sameKey(&ents[i]); j++ {
				a.fold(&rows[ents[j].i])
			}
			k := ents[i].key()
			i = j
			conf := Heuristic
			if a.exact && !enis[k.eni].skip.overlaps(a.v.first, a.v.last) {
				conf = Exact
			}
			ob := Observation{
				InterfaceID: enis[k.eni].name, Direction: k.dir, Protocol: k.proto, Port: k.port,
				Remote: addrOf(k.remote), Local: addrOf(a.local), Accepted: k.accepted,
				Flows: a.v.flows, Packets: a.v.packets, Bytes: a.v.bytes, Confidence: conf,
			}
			if a.v.first != 0 {
				ob.FirstSeen = time.Unix(a.v.first, 0).UTC()
			}
			if a.v.last != 0 {
				ob.LastSeen = time.Unix(a.v.last, 0).UTC()
			}
			out[o] = ob
		}
		m.ents, m.rows = nil, nil
	})
	ambiguous := map[string]bool{}
	for _, sh := range shards {
		for name := range sh.m.ambiguous {
			ambiguous[name] = true
		}
	}
	for name := range ambiguous {
		st.AmbiguousInterfaces = append(st.AmbiguousInterfaces, name)
	}
	sort.Strings(st.AmbiguousInterfaces)
	st.Observations = len(res.Observations)
	return res
}

// factSet is one table of facts the merge reads (the store's, or a
// worker's since its last flush) with the global ids of its interface ids.
// A fact may be in several sets; the rows it becomes are summed when the
// observations are grouped, as the store would have summed it.
type factSet struct {
	each4 func(fn func(k *key4, v *factVal))
	each6 func(fn func(k factKey, v *factVal))
	remap []uint32
}

// mergeShard merges the facts of a contiguous range of interfaces.
type mergeShard struct {
	m         *merger
	undecided map[factKey]*factVal
	kn        *knowledge
	groups    int // distinct observation keys, after the sort
}

type obsEntry struct {
	// The key as three integers in compareKeys' order: interface, accepted
	// first, direction, protocol, port and IPv6-after-IPv4 in sk; the
	// remote address's bytes in r1, r2. Sorting compares these (32-byte
	// entries, no key comparison function); key() gives the key back, i
	// is the row with the fact's sums.
	sk, r1, r2 uint64
	i          uint32
}

func newObsEntry(k obsKey, i uint32) obsEntry {
	e := obsEntry{i: i, r1: binary.BigEndian.Uint64(k.remote[:8]), r2: binary.BigEndian.Uint64(k.remote[8:])}
	e.sk = uint64(k.eni)<<28 | uint64(k.dir&3)<<25 | uint64(k.proto)<<17 | uint64(k.port)<<1
	if !k.accepted {
		e.sk |= 1 << 27
	}
	if [12]byte(k.remote[:12]) != v4InV6Prefix {
		e.sk |= 1
	}
	return e
}

func (e *obsEntry) key() obsKey {
	k := obsKey{eni: uint32(e.sk >> 28), dir: Direction(e.sk >> 25 & 3), proto: uint8(e.sk >> 17),
		port: uint16(e.sk >> 1), accepted: e.sk&(1<<27) == 0}
	binary.BigEndian.PutUint64(k.remote[:8], e.r1)
	binary.BigEndian.PutUint64(k.remote[8:], e.r2)
	return k
}

func (e *obsEntry) sameKey(o *obsEntry) bool { return e.sk == o.sk && e.r1 == o.r1 && e.r2 == o.r2 }

// compareEntries orders entries as compareKeys orders their keys.
func compareEntries(x, y obsEntry) int {
	switch {
	case x.sk != y.sk:
		return cmp.Compare(x.sk, y.sk)
	case x.r1 != y.r1:
		return cmp.Compare(x.r1, y.r1)
	}
	return cmp.Compare(x.r2, y.r2)
}

// take folds one fact into the shard.
func (sh *mergeShard) take(k factKey, v *factVal, learn bool) {
	switch k.evidence() {
	case evUndecided:
		if g := sh.undecided[k]; g != nil {
			g.add(v)
		} else {
			c := *v
			sh.undecided[k] = &c
		}
		return
	case evExact:
		if learn {
			sh.kn.learn(&k)
		}
	}
	sh.m.add(&k, v, false, k.evidence() == evExact)
}

// parallel runs f(0..n-1) on n goroutines and waits.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}

// setup attaches the inventory's view of the interface and the address its
// records taught.
func (e *eniState) setup(inv *vpc.Inventory) {
	if inv != nil {
		if iface := inv.Interfaces[e.name]; iface != nil {
			e.iface = iface
			e.groups = inv.Groups
			e.own = map[[16]byte]bool{}
			for _, a := range iface.PrivateAddrs() {
				e.own[a.As16()] = true
			}
			e.transit = transitTypes[iface.Type]
		}
	}
	switch e.addrs.n {
	case 1:
		e.local, e.learned = e.addrs.a[0].As16(), 1
	case 2:
		// Both addresses were in every record: an interface that talked to
		// one peer only. Its own srcaddr/dstaddr is a private VPC address
		// (spec 3.3); decide only if exactly one of the two is.
		p0, p1 := isPrivate(e.addrs.a[0].As16()), isPrivate(e.addrs.a[1].As16())
		if p0 != p1 {
			e.learned = 1
			e.local = e.addrs.a[0].As16()
			if p1 {
				e.local = e.addrs.a[1].As16()
			}
		}
	}
}

// merger sums classified facts into observations.
type merger struct {
	enis      []eniState
	st        *Stats
	ents      []obsEntry // one per classified fact, sorted at the end
	rows      []obsAcc   // the sums of ents[k].i
	ambiguous map[string]bool
}

// add classifies one fact whose initiator is known: the src slot's side
// when recvInit is false, the dst slot's side when it is true.
func (m *merger) add(k *factKey, v *factVal, recvInit, exact bool) {
	e := &m.enis[k.eni]
	st := m.st
	senderLocal, ok := orient(k, e)
	if !ok {
		st.AmbiguousRecords += int64(v.flows)
		m.ambiguous[e.name] = true
		return
	}
	localA, pktLocal, remoteA, pktRemote := k.dst, k.pdst, k.src, k.psrc
	if senderLocal {
		localA, pktLocal, remoteA, pktRemote = k.src, k.psrc, k.dst, k.pdst
	}
	if isTransit(e, localA, pktLocal) {
		st.Transit += int64(v.flows)
		return
	}
	local, remote := localA, remoteA
	if pktLocal != ([16]byte{}) {
		local = pktLocal
	}
	if pktRemote != ([16]byte{}) {
		remote = pktRemote
	}
	st.countDecided(v.flows, exact)
	dir := Inbound
	if recvInit != senderLocal { // the initiator is the local side
		dir = Outbound
	}
	port := k.dport
	if recvInit {
		port = k.sport
	}
	if !hasPorts(k.proto) {
		port = 0
	}
	key := obsKey{remote: remote, eni: k.eni, port: port, proto: k.proto, dir: dir, accepted: k.accepted()}
	m.ents = append(m.ents, newObsEntry(key, uint32(len(m.rows))))
	m.rows = append(m.rows, obsAcc{v: *v, local: local, hasLocal: true, exact: exact})
}

// fold adds one row of an observation into its accumulator: sums, the
// earliest and latest times, exact if any row is, the lowest local address.
func (a *obsAcc) fold(r *obsAcc) {
	a.v.add(&r.v)
	a.exact = a.exact || r.exact
	if !a.hasLocal || bytes.Compare(r.local[:], a.local[:]) < 0 {
		a.local, a.hasLocal = r.local, true
	}
}

// countDecided counts the records of a classified fact as exact or
// heuristic.
func (st *Stats) countDecided(flows uint64, exact bool) {
	if exact {
		st.ExactRecords += int64(flows)
	} else {
		st.HeuristicRecords += int64(flows)
	}
}

// knowledge is what the whole data set teaches for undecided facts.
type knowledge struct {
	exact5    map[tuple5]bool // 5-tuples whose handshake was seen: a initiated
	services  map[svcKey]bool // responder endpoints of handshakes
	pairs     map[pairKey]*pairInfo
	firstSeen map[tuple5]int64
	sgCache   map[sgKey]bool
}

// learn records an exact (normalised) fact: its src slot initiated.
func (kn *knowledge) learn(k *factKey) {
	kn.services[svcKey{k.dst, k.dport, k.proto}] = true
	if k.pdst != ([16]byte{}) {
		kn.services[svcKey{k.pdst, k.dport, k.proto}] = true
	}
	if k.fullPorts() {
		kn.exact5[tuple5{a: k.src, ap: k.sport, b: k.dst, bp: k.dport, eni: k.eni, proto: k.proto}] = true
	}
}

// note records an undecided fact for fan-in and pairing.
func (kn *knowledge) note(k *factKey, v *factVal) {
	t := tuple5{a: k.src, ap: k.sport, b: k.dst, bp: k.dport, eni: k.eni, proto: k.proto}
	if f, ok := kn.firstSeen[t]; !ok || v.first < f {
		kn.firstSeen[t] = v.first
	}
	pk := pairKey{lo: k.src, hi: k.dst, eni: k.eni, proto: k.proto}
	lo, hi := k.sport, k.dport
	if bytes.Compare(k.src[:], k.dst[:]) > 0 {
		pk.lo, pk.hi, lo, hi = k.dst, k.src, k.dport, k.sport
	}
	pi := kn.pairs[pk]
	if pi == nil {
		pi = &pairInfo{}
		kn.pairs[pk] = pi
	}
	pi.lo.add(lo)
	pi.hi.add(hi)
}

// compareKeys orders observation keys as compareObservations orders the
// observations they become (keys are unique once rows are grouped).
func compareKeys(x, y *obsKey) int {
	switch {
	case x.eni != y.eni:
		return cmp.Compare(x.eni, y.eni)
	case x.accepted != y.accepted:
		if x.accepted {
			return -1
		}
		return 1
	case x.dir != y.dir:
		return cmp.Compare(x.dir, y.dir)
	case x.proto != y.proto:
		return cmp.Compare(x.proto, y.proto)
	case x.port != y.port:
		return cmp.Compare(x.port, y.port)
	}
	return cmpAddr16(&x.remote, &y.remote)
}

var v4InV6Prefix = [12]byte{10: 0xff, 11: 0xff}

// cmpAddr16 orders 16-byte addresses as netip.Addr.Compare orders the
// addresses they hold: IPv4 (stored mapped) before IPv6, then by bytes.
func cmpAddr16(a, b *[16]byte) int {
	a4, b4 := [12]byte(a[:12]) == v4InV6Prefix, [12]byte(b[:12]) == v4InV6Prefix
	if a4 != b4 {
		if a4 {
			return -1
		}
		return 1
	}
	return bytes.Compare(a[:], b[:])
}

// orient says whether the record's sender is the interface itself.
func orient(k *factKey, e *eniState) (senderLocal, ok bool) {
	switch k.flowDir() {
	case FlowEgress:
		return true, true
	case FlowIngress:
		return false, true
	}
	if e.own != nil {
		switch {
		case e.own[k.src]:
			return true, true
		case e.own[k.dst]:
			return false, true
		}
	}
	if e.learned == 1 {
		switch e.local {
		case k.src:
			return true, true
		case k.dst:
			return false, true
		}
	}
	return false, false
}

// isTransit reports whether the record is about packets the interface
// forwards rather than sends or receives itself (spec 3.5, 4.1 D2).
func isTransit(e *eniState, local, pktLocal [16]byte) bool {
	if e.transit {
		return true
	}
	if e.own != nil {
		if pktLocal != ([16]byte{}) {
			return !e.own[pktLocal]
		}
		return !e.own[local]
	}
	// Without the inventory a different packet address on the interface's
	// side is a forwarded packet (NAT, TGW); pod addresses need the
	// inventory to be recognised as the interface's own.
	return pktLocal != ([16]byte{})
}

// resolve names the initiator of an undecided fact with what the whole
// data set taught; see the list at the top of this file.
func (kn *knowledge) resolve(k *factKey, e *eniState, senderLocal bool) (recvInit, exact bool) {
	exact5, services, pairs, firstSeen, sgCache := kn.exact5, kn.services, kn.pairs, kn.firstSeen, kn.sgCache
	fwd := tuple5{a: k.src, ap: k.sport, b: k.dst, bp: k.dport, eni: k.eni, proto: k.proto}
	rev := tuple5{a: k.dst, ap: k.dport, b: k.src, bp: k.sport, eni: k.eni, proto: k.proto}
	// a. the same 5-tuple's handshake
	if exact5[fwd] {
		return false, true
	}
	if exact5[rev] {
		return true, true
	}
	if hasPorts(k.proto) {
		// b. service endpoints learned from handshakes
		sSvc := services[svcKey{k.src, k.sport, k.proto}] || k.psrc != ([16]byte{}) && services[svcKey{k.psrc, k.sport, k.proto}]
		dSvc := services[svcKey{k.dst, k.dport, k.proto}] || k.pdst != ([16]byte{}) && services[svcKey{k.pdst, k.dport, k.proto}]
		if sSvc != dSvc {
			return sSvc, false
		}
		// c. the interface's SG ingress rules
		if e.iface != nil {
			lp, rp := k.dport, k.sport
			if senderLocal {
				lp, rp = k.sport, k.dport
			}
			if sgListens(e, k.proto, lp, sgCache) && !sgListens(e, k.proto, rp, sgCache) {
				return senderLocal, false // the local side is the service
			}
		}
		// d. fan-in
		pk := pairKey{lo: k.src, hi: k.dst, eni: k.eni, proto: k.proto}
		srcIsLo := bytes.Compare(k.src[:], k.dst[:]) <= 0
		if !srcIsLo {
			pk.lo, pk.hi = k.dst, k.src
		}
		if pi := pairs[pk]; pi != nil && pi.lo.n != pi.hi.n {
			loFixed := pi.lo.n == 1
			return loFixed == srcIsLo, false // the fixed side is the service
		}
	}
	// e. pairing
	tf, okf := firstSeen[fwd]
	tr, okr := firstSeen[rev]
	if okf && okr && tf != tr && tf != 0 && tr != 0 {
		return tr < tf, false
	}
	if !okr && !k.accepted() {
		// A rejected record that got no answer is an attempt by its sender.
		return false, false
	}
	if okf && okr && (!hasPorts(k.proto) || k.sport == k.dport) {
		// Both directions, nothing to tell them apart: count the pair as
		// started by the interface, so that learning keeps it working.
		return !senderLocal, false
	}
	// f. last resort
	if hasPorts(k.proto) && k.sport != k.dport {
		return k.sport < k.dport, false
	}
	return false, false
}

// sgListens reports whether one of the interface's security groups admits
// new inbound connections to port: a port the workload listens on (H5).
// Rules open to every port say nothing and are ignored.
func sgListens(e *eniState, proto uint8, port uint16, cache map[sgKey]bool) bool {
	key := sgKey{eni: e.id, port: port, proto: proto}
	if v, ok := cache[key]; ok {
		return v
	}
	found := false
	for _, gid := range e.iface.GroupIDs {
		g := e.groups[gid]
		if g == nil {
			continue
		}
		for i := range g.Ingress {
			r := &g.Ingress[i]
			if r.Protocol == vpc.ProtoAll || r.FromPort <= 0 && r.ToPort >= 65535 || r.FromPort == -1 {
				continue
			}
			if r.MatchesTraffic(vpc.Protocol(proto), int32(port), -1, -1) {
				found = true
			}
		}
	}
	cache[key] = found
	return found
}

func isPrivate(b [16]byte) bool {
	a := addrOf(b)
	return a.IsPrivate() || cgnat.Contains(a)
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

func addrOf(b [16]byte) netip.Addr { return netip.AddrFrom16(b).Unmap() }
