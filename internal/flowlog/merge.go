package flowlog

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"net/netip"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/safe"
	"github.com/walls-dev/walls/internal/vpc"
)

// Merge-time classification. Every worker's facts are summed into one
// table (sums, minima and maxima, set intersections: order-independent),
// then each fact is oriented (which side is the interface), checked for
// transit, and its initiator decided, proof before guess:
//
//	a. tcp-flags of the record, or of the same 5-tuple elsewhere in the
//	   data (E3), on this interface or the connection's other end: exact
//	b. the current security groups of both ends (with an inventory): an
//	   accepted record passed them, so a direction they could not have
//	   admitted is excluded; when one direction is left: by-rules
//	c. the data's own evidence, when both directions are still possible:
//	   a port in the client's ephemeral range against one outside it
//	   (decided per record at parse time, H1), service endpoints learned
//	   from handshakes, or a listener learned from the data (an endpoint
//	   reached from several remotes on several client ports): heuristic
//	d. nothing decides: ambiguous, and the fact becomes one row per
//	   direction still possible, so that nothing the connection needs is
//	   lost and replay checks every direction. "The lower port is the
//	   service" and timing never decide.
//
// A rejected record passed no rules: its sender's attempt, unless flags
// or ports say otherwise.

// eniState is what the merge knows about one interface.
type eniState struct {
	name   string
	id     uint32
	groups map[string]*vpc.SecurityGroup
	addrs  eniAddrs
	skip   span
	iface  *vpc.Interface
	own    map[[16]byte]bool // inventory addresses
	// transit: the interface forwards others' packets (forwarderIface, or
	// without its inventory entry: records with instance-id "-" and pkt-*
	// addresses that differ); its records become Forwarded rows.
	transit bool
	inst    uint8 // instDash, instNamed: what its records' instance-id showed
	pktDiff bool  // a fact with a pkt-* address unlike srcaddr/dstaddr
	// pktOwn is the address on the side where a fact's pkt-* address
	// differs (the other side's equal): AWS writes the interface's primary
	// address there. pktOwnN: 0 none seen, 1 one address, 2 several.
	pktOwn  [16]byte
	pktOwnN uint8
	local   [16]byte // learned own address
	learned int8     // 1: local is known; 0: ambiguous
	vpc     string   // its VPC, from the inventory or its records
}

// transitTypes are interface types that forward traffic of others.
var transitTypes = map[string]bool{"natGateway": true, "nat_gateway": true, "transit_gateway": true,
	"gateway_load_balancer": true, "gateway_load_balancer_endpoint": true}

// notePktOwn records an address a fact's packet addresses show as the
// interface's own; several different ones decide nothing.
func (e *eniState) notePktOwn(a [16]byte) {
	switch {
	case e.pktOwnN == 0:
		e.pktOwn, e.pktOwnN = a, 1
	case e.pktOwn != a:
		e.pktOwnN = 2
	}
}

// forwarderIface reports whether the inventory shows the interface
// forwarding others' packets: by its type, or, for a requester-managed
// interface whose type says nothing more ("interface"), by the description
// AWS gives it (docs/semantics.md#flowlog-pkt).
func forwarderIface(i *vpc.Interface) bool {
	if transitTypes[i.Type] {
		return true
	}
	if !i.RequesterManaged || i.InstanceID != "" {
		return false
	}
	for _, p := range []string{"Interface for NAT Gateway", "Network Interface for Transit Gateway Attachment", "ELB gwy/"} {
		if strings.HasPrefix(i.Description, p) {
			return true
		}
	}
	return false
}

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

type obsKey struct {
	remote       [16]byte
	eni          uint32
	port         uint16
	proto        uint8
	dir          Direction
	accepted     bool
	undetermined bool // one of the two readings of a fact whose local side is undetermined
}

// fwdKey is one row of forwarded traffic: the original initiator a and
// responder b.
type fwdKey struct {
	a, b     [16]byte
	eni      uint32
	port     uint16
	proto    uint8
	accepted bool
}

type obsAcc struct {
	v        factVal
	local    [16]byte
	hasLocal bool
	conf     Confidence // the strongest of the rows
}

func merge(workers []*worker, fs *store, inv *vpc.Inventory) *Result {
	r := &mergeRun{workers: workers, fs: fs, inv: inv, res: &Result{}}
	r.numberInterfaces()
	r.gatherFacts()
	r.setupInterfaces()
	// Collect what reading left (tables outgrown while the collector was
	// off), before the merge allocates its rows.
	runtime.GC()
	r.cutShards()
	r.classifyDecided()
	r.resolveUndecided()
	r.groupRows()
	// The fact tables and maps are garbage now; collect them before the
	// observations are allocated, so the peak is the larger of the two
	// phases rather than their sum.
	runtime.GC()
	r.buildObservations()
	return r.res
}

// mergeRun is one merge's state, phase by phase (merge lists them).
type mergeRun struct {
	workers []*worker
	fs      *store
	inv     *vpc.Inventory
	res     *Result

	enis []eniState        // by global id: interfaces in name order
	ids  map[string]uint32 // interface name -> global id

	sets           []factSet // every table holding facts
	perEni         []int     // facts per interface (as often as held)
	undecidedTotal int

	adm        *policy.Admission // nil without an inventory
	shards     []*mergeShard
	shardOfEni []int32
	offsets    []int // where each shard's observations start
}

// numberInterfaces gives interfaces global ids in name order and merges
// what the workers learned of each: addresses, SKIPDATA windows, instance
// and subnet ids, and the counters.
func (r *mergeRun) numberInterfaces() {
	names := slices.Clone(r.fs.names)
	r.ids = map[string]uint32{}
	for _, w := range r.workers {
		for _, n := range w.in.names {
			if _, ok := r.ids[n]; !ok {
				r.ids[n] = 0
				if _, inStore := r.fs.ids[n]; !inStore {
					names = append(names, n) // SKIPDATA-only interfaces
				}
			}
		}
	}
	sort.Strings(names)
	r.enis = make([]eniState, len(names))
	for i, n := range names {
		r.ids[n] = uint32(i)
		r.enis[i] = eniState{name: n, id: uint32(i), addrs: eniAddrs{n: -1}}
	}
	var n counters
	meta := map[string]InterfaceMeta{}
	for _, w := range r.workers {
		for l, name := range w.in.names {
			g := r.ids[name]
			if m := w.meta[l]; m.seen {
				// Workers meet interfaces in any order: the smallest ids
				// win, so the result does not depend on it.
				if have, ok := meta[name]; !ok || lessMeta(m.InterfaceMeta, have) {
					meta[name] = m.InterfaceMeta
				}
			}
			r.enis[g].inst |= w.meta[l].inst
			r.enis[g].addrs.merge(&w.addrs[l])
			if s := w.skips[l]; s.first != 0 || s.last != 0 {
				r.enis[g].skip.add(s.first, s.last)
			}
		}
		n.add(&w.n)
	}
	r.res.Interfaces = meta
	st := &r.res.Stats
	st.Lines, st.Records, st.NoData, st.SkipData = n.lines, n.records, n.noData, n.skipData
	st.BadLines, st.OutsideTimeRange, st.Rejected, st.BytesRead = n.bad, n.outside, n.rejected, n.bytes
}

// gatherFacts lists the tables that hold facts - the store's and, since
// their last flush, the workers' own - with their interface ids mapped to
// global ones, and counts the undecided facts and each interface's facts.
func (r *mergeRun) gatherFacts() {
	fs := r.fs
	storeRemap := make([]uint32, len(fs.names))
	for i, n := range fs.names {
		storeRemap[i] = r.ids[n]
	}
	r.sets = []factSet{{
		each4: fs.facts4.eachKey,
		each6: func(fn func(factKey, *factVal)) {
			for k, i := range fs.facts.idx {
				fn(k, &fs.facts.vals[i])
			}
		},
		remap: storeRemap,
	}}
	for _, w := range r.workers {
		remap := make([]uint32, len(w.in.names))
		for l, name := range w.in.names {
			remap[l] = r.ids[name]
		}
		r.sets = append(r.sets, factSet{
			each4: w.facts4.eachKey,
			each6: func(fn func(factKey, *factVal)) {
				for k, v := range w.facts.m {
					fn(k, &v)
				}
			},
			remap: remap,
		})
	}
	r.perEni = make([]int, len(r.enis))
	for _, set := range r.sets {
		set.each6(func(k factKey, _ *factVal) {
			if k.evidence() == evUndecided {
				r.undecidedTotal++
			}
			g := set.remap[k.eni]
			r.perEni[g]++
			if k.psrc != ([16]byte{}) || k.pdst != ([16]byte{}) {
				e := &r.enis[g]
				e.pktDiff = true
				switch {
				case k.pdst == ([16]byte{}):
					e.notePktOwn(k.src)
				case k.psrc == ([16]byte{}):
					e.notePktOwn(k.dst)
				}
			}
		})
		set.each4(func(k *key4, _ *factVal) {
			if k.evidence() == evUndecided {
				r.undecidedTotal++
			}
			g := set.remap[k.eni()]
			r.perEni[g]++
			if k[1] != 0 {
				e := &r.enis[g]
				e.pktDiff = true
				switch {
				case k[1]>>32 == 0:
					e.notePktOwn(v4word16(k[0] & 0xffffffff))
				case k[1]&0xffffffff == 0:
					e.notePktOwn(v4word16(k[0] >> 32))
				}
			}
		})
	}
}

// setupInterfaces attaches the inventory's view of each interface (its
// addresses, groups and type), its VPC, and lists SKIPDATA interfaces.
func (r *mergeRun) setupInterfaces() {
	st := &r.res.Stats
	for i := range r.enis {
		e := &r.enis[i]
		e.setup(r.inv)
		if e.iface == nil && e.inst == instDash && e.pktDiff {
			// No inventory entry: records that name no instance, with
			// packet addresses unlike the interface's, are a NAT or
			// transit gateway's (an instance's pods and secondary
			// addresses come with its instance id).
			e.transit = true
		}
		if e.learned == 0 && e.pktOwnN == 1 {
			// The records' addresses do not tell the interface's own, but
			// a packet address unlike srcaddr/dstaddr on one side does:
			// that side shows the interface's primary address
			// (docs/semantics.md#flowlog-local).
			e.local, e.learned = e.pktOwn, 1
		}
		e.vpc = r.res.Interfaces[e.name].VpcID
		if e.iface != nil {
			e.vpc = e.iface.VpcID
		}
		if s := e.skip; s.first != 0 || s.last != 0 {
			st.SkipDataInterfaces = append(st.SkipDataInterfaces, e.name)
		}
	}
	if r.inv != nil {
		r.adm = policy.NewAdmission(r.inv)
	}
}

// cutShards cuts the interfaces into contiguous shards, one per worker,
// merged in parallel; as observations sort by interface first, the
// shards' sorted rows concatenate into the sorted result. The cuts balance
// the facts, not the interfaces: a few busy interfaces (a web tier's) can
// hold nearly all of them. An interface goes to the shard its middle fact
// falls in, which keeps shards contiguous.
func (r *mergeRun) cutShards() {
	nsh := max(1, min(len(r.workers), len(r.enis)))
	total := 0
	for _, c := range r.perEni {
		total += c
	}
	r.shardOfEni = make([]int32, len(r.enis))
	before := 0
	for g, c := range r.perEni {
		r.shardOfEni[g] = int32(min(nsh-1, (2*before+c)*nsh/max(1, 2*total)))
		before += c
	}
	shardFacts := make([]int, nsh)
	for g, c := range r.perEni {
		shardFacts[r.shardOfEni[g]] += c
	}
	r.shards = make([]*mergeShard, nsh)
	for i := range r.shards {
		// Each fact (as often as it is held) becomes at most one row: sized
		// once, the rows never move, and no fresh pages are faulted in
		// mid-merge.
		n := shardFacts[i]
		r.shards[i] = &mergeShard{
			m: &merger{enis: r.enis, st: &Stats{}, undetermined: map[string]bool{}, fwd: map[fwdKey]*obsAcc{}, adm: r.adm,
				ents: make([]obsEntry, 0, n), rows: make([]obsAcc, 0, n)},
			undecided: map[factKey]*factVal{},
			kn: &knowledge{exact5: map[tuple5]bool{}, anyExact: map[tuple5]bool{}, services: map[svcKey]bool{}, seen: map[tuple5]uint8{},
				listeners: map[svcKey]*listenInfo{}},
		}
	}
}

// classifyDecided is phase one: facts the flags or the port classes
// decided go straight into rows (through the rules when there is an
// inventory); undecided ones wait until everything the data teaches is
// known. The fact tables are released after.
func (r *mergeRun) classifyDecided() {
	learn := r.undecidedTotal > 0
	parallel(len(r.shards), func(si int) {
		sh := r.shards[si]
		for _, set := range r.sets {
			set.each4(func(k4 *key4, v *factVal) {
				g := set.remap[k4.eni()]
				if int(r.shardOfEni[g]) != si {
					return
				}
				switch ev := k4.evidence(); {
				case ev == evUndecided || ev == evExact && learn || ev == evHeuristic && r.adm != nil:
					u := k4.unpack()
					k := u.full()
					k.eni = g
					sh.take(k, v, learn)
				default:
					conf := Heuristic
					if ev == evExact {
						conf = Exact
					}
					sh.m.add4(k4, g, v, conf)
				}
			})
			set.each6(func(k factKey, v *factVal) {
				if g := set.remap[k.eni]; int(r.shardOfEni[g]) == si {
					k.eni = g
					sh.take(k, v, learn)
				}
			})
		}
	})
	r.fs.facts, r.fs.facts4 = indexTable[factKey]{}, index4{}
	for _, w := range r.workers {
		w.facts, w.facts4 = factTable[factKey]{}, table4{}
	}
	r.sets = nil
}

// resolveUndecided is phase two: what the whole data set taught (handshake
// endpoints, listeners, handshakes seen at either end) is shared across
// shards, then every undecided fact is resolved (see resolve).
func (r *mergeRun) resolveUndecided() {
	if r.undecidedTotal == 0 {
		return
	}
	shards := r.shards
	parallel(len(shards), func(si int) {
		sh := shards[si]
		for k, v := range sh.undecided {
			sh.kn.note(&k, v)
		}
	})
	// Handshakes seen by any interface count for both ends, as endpoints
	// and listeners do: one map of each, read by every shard.
	services, listeners, anyExact := shards[0].kn.services, shards[0].kn.listeners, shards[0].kn.anyExact
	for _, sh := range shards[1:] {
		for t := range sh.kn.anyExact {
			anyExact[t] = true
		}
		for k := range sh.kn.services {
			services[k] = true
		}
		for k, li := range sh.kn.listeners {
			if have := listeners[k]; have != nil {
				have.merge(li)
			} else {
				listeners[k] = li
			}
		}
	}
	parallel(len(shards), func(si int) {
		sh := shards[si]
		sh.kn.services, sh.kn.listeners, sh.kn.anyExact = services, listeners, anyExact
		for k, v := range sh.undecided {
			e := &r.enis[k.eni]
			senderLocal, ok := orient(&k, e)
			// The rules decide only for an interface with security groups
			// whose side is known.
			sh.resolve(&k, v, senderLocal, ok && !e.transit)
		}
		sh.undecided, sh.kn = nil, nil
	})
}

// groupRows sorts each shard's rows on their compact keys (interface ids
// are numbered in name order), counts the distinct keys - each one
// observation - and sums the shards' counters.
func (r *mergeRun) groupRows() {
	nsh := len(r.shards)
	r.offsets = make([]int, nsh+1)
	parallel(nsh, func(si int) {
		m := r.shards[si].m
		sortEntries(m.ents, make([]obsEntry, len(m.ents)))
		n := 0
		for i := range m.ents {
			if i == 0 || !m.ents[i].sameKey(&m.ents[i-1]) {
				n++
			}
		}
		r.shards[si].groups = n
	})
	st := &r.res.Stats
	for si, sh := range r.shards {
		r.offsets[si+1] = r.offsets[si] + sh.groups
		st.ForwardedRecords += sh.m.st.ForwardedRecords
		st.UndeterminedLocalRecords += sh.m.st.UndeterminedLocalRecords
		st.ExactRecords += sh.m.st.ExactRecords
		st.ByRulesRecords += sh.m.st.ByRulesRecords
		st.HeuristicRecords += sh.m.st.HeuristicRecords
		st.UndecidedRecords += sh.m.st.UndecidedRecords
		st.RuleConflictRecords += sh.m.st.RuleConflictRecords
		st.UnrecoveredPortRecords += sh.m.st.UnrecoveredPortRecords
	}
	undetermined := map[string]bool{}
	for _, sh := range r.shards {
		for name := range sh.m.undetermined {
			undetermined[name] = true
		}
	}
	for name := range undetermined {
		st.UndeterminedInterfaces = append(st.UndeterminedInterfaces, name)
	}
	sort.Strings(st.UndeterminedInterfaces)
}

// buildObservations folds each group of rows into its observation, the
// shards in parallel, each into its own part of the result.
func (r *mergeRun) buildObservations() {
	nsh := len(r.shards)
	obs := make([]Observation, r.offsets[nsh])
	used := make([]int, nsh)
	parallel(nsh, func(si int) {
		m := r.shards[si].m
		ents, rows := m.ents, m.rows
		out := obs[r.offsets[si]:r.offsets[si+1]]
		used[si] = len(out)
		if len(m.localAddrs) > 0 {
			defer func() { used[si] = orderLocals(out) }()
		}
		for i, o := 0, 0; i < len(ents); o++ {
			var a obsAcc
			j := i
			for ; j < len(ents) && ents[j].sameKey(&ents[i]); j++ {
				a.fold(&rows[ents[j].i])
			}
			k := ents[i].key()
			i = j
			conf := a.conf
			if conf == Exact && r.enis[k.eni].skip.overlaps(a.v.first, a.v.last) {
				conf = Heuristic
			}
			ob := Observation{
				InterfaceID: r.enis[k.eni].name, Direction: k.dir, Protocol: k.proto, Port: k.port,
				Remote: addrOf(k.remote), Local: addrOf(a.local), Accepted: k.accepted,
				Flows: a.v.flows, Packets: a.v.packets, Bytes: a.v.bytes, Confidence: conf,
				LocalUndetermined: k.undetermined,
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
	// Folding left some shards shorter: close the gaps.
	n := 0
	for si := range nsh {
		if n != r.offsets[si] {
			copy(obs[n:], obs[r.offsets[si]:r.offsets[si]+used[si]])
		}
		n += used[si]
	}
	obs = obs[:n]
	if r.adm != nil {
		obs = r.attributeBranches(obs)
	}
	r.res.Observations = obs
	r.res.Stats.Observations = len(obs)
	r.buildForwarded()
}

// attributeBranches gives a pod's observations to its own interface: when
// the local address (a pkt-* address) is a branch interface's of the same
// VPC in the inventory (security groups for pods), the pod's groups are
// the ones its traffic passed, so learn and replay must see that
// interface. Rows that then share a key are summed. Only with an
// inventory that has branch interfaces does anything move.
func (r *mergeRun) attributeBranches(obs []Observation) []Observation {
	moved := false
	for i := range obs {
		ob := &obs[i]
		if ob.LocalUndetermined || !ob.Local.IsValid() {
			continue
		}
		b := r.adm.Interface(ob.Local)
		if b == nil || b.Type != "branch" || b.ID == ob.InterfaceID {
			continue
		}
		if e := &r.enis[r.ids[ob.InterfaceID]]; b.VpcID != e.vpc {
			continue
		}
		ob.InterfaceID, moved = b.ID, true
	}
	if !moved {
		return obs
	}
	slices.SortStableFunc(obs, func(a, b Observation) int { return compareObservations(&a, &b) })
	return foldEqual(obs)
}

// foldEqual folds neighbours that are the same observation (the same key
// and local address) in sorted obs, in place.
func foldEqual(obs []Observation) []Observation {
	out := obs[:0]
	for i := range obs {
		if n := len(out); n > 0 && compareObservations(&out[n-1], &obs[i]) == 0 {
			foldObservation(&out[n-1], &obs[i])
			continue
		}
		out = append(out, obs[i])
	}
	return out
}

// orderLocals puts the observations of one key but several local
// addresses (the interface's own, pods' and secondary ones) in
// local-address order, as compareObservations sorts them; out is
// otherwise sorted. Two with the same local address cannot come from
// distinct loc numbers, but would be folded. It returns how many
// observations are left at the start of out.
func orderLocals(out []Observation) int {
	n := 0
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && sameKeyOf(&out[i], &out[j]) {
			j++
		}
		run := out[i:j]
		if len(run) > 1 {
			slices.SortFunc(run, func(a, b Observation) int { return a.Local.Compare(b.Local) })
			run = foldEqual(run)
		}
		n += copy(out[n:], run)
		i = j
	}
	return n
}

// sameKeyOf reports whether two observations share their key (all but the
// local address and the sums).
func sameKeyOf(a, b *Observation) bool {
	return a.InterfaceID == b.InterfaceID && a.LocalUndetermined == b.LocalUndetermined && a.Accepted == b.Accepted &&
		a.Direction == b.Direction && a.Protocol == b.Protocol && a.Port == b.Port && a.Remote == b.Remote
}

// foldObservation adds b, an observation of the same key and local
// address, into a.
func foldObservation(a, b *Observation) {
	a.Flows += b.Flows
	a.Packets += b.Packets
	a.Bytes += b.Bytes
	if !b.FirstSeen.IsZero() && (a.FirstSeen.IsZero() || b.FirstSeen.Before(a.FirstSeen)) {
		a.FirstSeen = b.FirstSeen
	}
	if b.LastSeen.After(a.LastSeen) {
		a.LastSeen = b.LastSeen
	}
	a.Confidence = min(a.Confidence, b.Confidence)
}

// buildForwarded lists the forwarding interfaces' traffic, sorted.
func (r *mergeRun) buildForwarded() {
	var fwd []Forwarded
	for _, sh := range r.shards {
		for k, a := range sh.m.fwd {
			conf := a.conf
			if conf == Exact && r.enis[k.eni].skip.overlaps(a.v.first, a.v.last) {
				conf = Heuristic
			}
			f := Forwarded{InterfaceID: r.enis[k.eni].name, Protocol: k.proto, Port: k.port, Accepted: k.accepted,
				Confidence: conf, Initiator: addrOf(k.a), Responder: addrOf(k.b),
				Flows: a.v.flows, Packets: a.v.packets, Bytes: a.v.bytes}
			if a.v.first != 0 {
				f.FirstSeen = time.Unix(a.v.first, 0).UTC()
			}
			if a.v.last != 0 {
				f.LastSeen = time.Unix(a.v.last, 0).UTC()
			}
			fwd = append(fwd, f)
		}
		sh.m.fwd = nil
	}
	slices.SortFunc(fwd, func(a, b Forwarded) int { return compareForwarded(&a, &b) })
	r.res.Forwarded = fwd
	r.res.Stats.ForwardedFlows = len(fwd)
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
	// The key as three integers in compareKeys' order: interface, local
	// side determined first, accepted first, direction, protocol, port and IPv6-after-IPv4 in sk; the
	// remote address's bytes in r1, r2. Sorting compares these (32-byte
	// entries, no key comparison function); key() gives the key back, i
	// is the row with the fact's sums.
	sk, r1, r2 uint64
	i          uint32
	// loc is 0 for a row whose local address is the one the interface's
	// records all share (its primary address: the common case), else 1 +
	// the index of its local address (a pod's or a secondary address from
	// pkt-*, another of its own addresses) in the shard's merger.locals:
	// each local address is its own observation. It sorts after the
	// remote; buildObservations puts the rows of one key in local-address
	// order.
	loc uint32
}

func newObsEntry(k obsKey, i, loc uint32) obsEntry {
	e := obsEntry{i: i, loc: loc, r1: binary.BigEndian.Uint64(k.remote[:8]), r2: binary.BigEndian.Uint64(k.remote[8:])}
	e.sk = uint64(k.eni)<<29 | uint64(k.dir&3)<<25 | uint64(k.proto)<<17 | uint64(k.port)<<1
	if !k.accepted {
		e.sk |= 1 << 27
	}
	if k.undetermined {
		e.sk |= 1 << 28
	}
	if [12]byte(k.remote[:12]) != v4InV6Prefix {
		e.sk |= 1
	}
	return e
}

func (e *obsEntry) key() obsKey {
	k := obsKey{eni: uint32(e.sk >> 29), dir: Direction(e.sk >> 25 & 3), proto: uint8(e.sk >> 17),
		port: uint16(e.sk >> 1), accepted: e.sk&(1<<27) == 0, undetermined: e.sk&(1<<28) != 0}
	binary.BigEndian.PutUint64(k.remote[:8], e.r1)
	binary.BigEndian.PutUint64(k.remote[8:], e.r2)
	return k
}

func (e *obsEntry) sameKey(o *obsEntry) bool {
	return e.sk == o.sk && e.r1 == o.r1 && e.r2 == o.r2 && e.loc == o.loc
}

// sameRemote reports whether two entries share their key but for loc.
func (e *obsEntry) sameRemote(o *obsEntry) bool { return e.sk == o.sk && e.r1 == o.r1 && e.r2 == o.r2 }

// compareEntries orders entries as compareKeys orders their keys, then by
// loc.
func compareEntries(x, y obsEntry) int {
	switch {
	case x.sk != y.sk:
		return cmp.Compare(x.sk, y.sk)
	case x.r1 != y.r1:
		return cmp.Compare(x.r1, y.r1)
	case x.r2 != y.r2:
		return cmp.Compare(x.r2, y.r2)
	}
	return cmp.Compare(x.loc, y.loc)
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
		sh.m.add(&k, v, false, Exact)
		return
	}
	sh.m.addH1(&k, v)
}

func lessMeta(a, b InterfaceMeta) bool {
	if a.InstanceID != b.InstanceID {
		return a.InstanceID < b.InstanceID
	}
	if a.SubnetID != b.SubnetID {
		return a.SubnetID < b.SubnetID
	}
	return a.VpcID < b.VpcID
}

// parallel runs f(0..n-1) on n goroutines and waits; a panic in one is
// raised again here.
func parallel(n int, f func(i int)) {
	var g safe.Group
	for i := 0; i < n; i++ {
		g.Go(func() { f(i) })
	}
	g.Wait()
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
			e.transit = forwarderIface(iface)
		}
	}
	switch e.addrs.n {
	case 1:
		e.local, e.learned = e.addrs.a[0].As16(), 1
	case 2:
		// Both addresses were in every record: an interface that talked to
		// one peer only. Its own srcaddr/dstaddr is a private VPC address
		// (docs/semantics.md#flowlog-fields); decide only if exactly one of the two is.
		p0, p1 := policy.IsInternal16(e.addrs.a[0].As16()), policy.IsInternal16(e.addrs.a[1].As16())
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
	enis         []eniState
	st           *Stats
	ents         []obsEntry // one per classified fact, sorted at the end
	rows         []obsAcc   // the sums of ents[k].i
	undetermined map[string]bool
	fwd          map[fwdKey]*obsAcc // forwarded traffic
	adm          *policy.Admission  // nil without an inventory
	// locals numbers the local addresses of rows other than the
	// interface's learned one (pods', secondary ones): obsEntry.loc - 1
	// indexes localAddrs.
	locals     map[[16]byte]uint32
	localAddrs [][16]byte
}

// localLoc is obsEntry.loc for a row of interface e whose local address
// is a: 0 for the address all of e's records share, a number of its own
// for any other.
func (m *merger) localLoc(e *eniState, a [16]byte) uint32 {
	if e.learned == 1 && a == e.local {
		return 0
	}
	if l, ok := m.locals[a]; ok {
		return l
	}
	if m.locals == nil {
		m.locals = map[[16]byte]uint32{}
	}
	m.localAddrs = append(m.localAddrs, a)
	l := uint32(len(m.localAddrs))
	m.locals[a] = l
	return l
}

// add classifies one fact whose initiator is known: the src slot's side
// when recvInit is false, the dst slot's side when it is true.
func (m *merger) add(k *factKey, v *factVal, recvInit bool, conf Confidence) {
	m.addRow(k, v, recvInit, conf, true)
}

// addRow is add; count is false for the second row of an ambiguous fact,
// whose records the first row counted. A forwarding interface's fact
// becomes forwarded traffic; a fact whose local side is undetermined
// becomes one row for each side it may be (docs/semantics.md#flowlog-local).
func (m *merger) addRow(k *factKey, v *factVal, recvInit bool, conf Confidence, count bool) {
	e := &m.enis[k.eni]
	st := m.st
	if e.transit {
		if count {
			st.ForwardedRecords += int64(v.flows)
		}
		m.addForwarded(k, v, recvInit, conf)
		return
	}
	if count {
		st.countDecided(v.flows, conf)
	}
	if senderLocal, ok := orient(k, e); ok {
		m.addOriented(k, v, recvInit, conf, senderLocal, false)
		return
	}
	if count {
		st.UndeterminedLocalRecords += int64(v.flows)
	}
	m.undetermined[e.name] = true
	m.addOriented(k, v, recvInit, conf, true, true)
	m.addOriented(k, v, recvInit, conf, false, true)
}

// addOriented adds the row of a fact whose local side is the sender's
// (senderLocal) or the receiver's. The local address is the packet's
// (pkt-*: a pod's or secondary address) when the record gives one.
func (m *merger) addOriented(k *factKey, v *factVal, recvInit bool, conf Confidence, senderLocal, undetermined bool) {
	localA, pktLocal, remoteA, pktRemote := k.dst, k.pdst, k.src, k.psrc
	if senderLocal {
		localA, pktLocal, remoteA, pktRemote = k.src, k.psrc, k.dst, k.pdst
	}
	local, remote := localA, remoteA
	if pktLocal != ([16]byte{}) {
		local = pktLocal
	}
	loc := m.localLoc(&m.enis[k.eni], local)
	if pktRemote != ([16]byte{}) {
		remote = pktRemote
	}
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
	key := obsKey{remote: remote, eni: k.eni, port: port, proto: k.proto, dir: dir, accepted: k.accepted(), undetermined: undetermined}
	m.ents = append(m.ents, newObsEntry(key, uint32(len(m.rows)), loc))
	m.rows = append(m.rows, obsAcc{v: *v, local: local, hasLocal: true, conf: conf})
}

// addForwarded adds a forwarding interface's fact as forwarded traffic
// between its original endpoints: the packet addresses where the record
// gives them.
func (m *merger) addForwarded(k *factKey, v *factVal, recvInit bool, conf Confidence) {
	a, pa, b, pb, port := k.src, k.psrc, k.dst, k.pdst, k.dport
	if recvInit {
		a, pa, b, pb, port = b, pb, a, pa, k.sport
	}
	if pa != ([16]byte{}) {
		a = pa
	}
	if pb != ([16]byte{}) {
		b = pb
	}
	if !hasPorts(k.proto) {
		port = 0
	}
	fk := fwdKey{a: a, b: b, eni: k.eni, port: port, proto: k.proto, accepted: k.accepted()}
	acc := m.fwd[fk]
	if acc == nil {
		acc = &obsAcc{}
		m.fwd[fk] = acc
	}
	acc.fold(&obsAcc{v: *v, conf: conf})
}

// fold adds one row of an observation into its accumulator: sums, the
// earliest and latest times, the strongest confidence of the rows (the
// direction holds for the records that proved it), the lowest local
// address.
func (a *obsAcc) fold(r *obsAcc) {
	a.v.add(&r.v)
	if a.conf == 0 || r.conf != 0 && r.conf < a.conf {
		a.conf = r.conf
	}
	if !a.hasLocal || bytes.Compare(r.local[:], a.local[:]) < 0 {
		a.local, a.hasLocal = r.local, true
	}
}

// countDecided counts the records of a classified fact by how its
// initiator was decided.
func (st *Stats) countDecided(flows uint64, conf Confidence) {
	switch conf {
	case Exact:
		st.ExactRecords += int64(flows)
	case ByRules:
		st.ByRulesRecords += int64(flows)
	case Heuristic:
		st.HeuristicRecords += int64(flows)
	default:
		st.UndecidedRecords += int64(flows)
	}
}

// anyENI stands for every interface in anyExact's keys: a handshake seen
// by either end of a connection.
const anyENI = ^uint32(0)

// knowledge is what the whole data set teaches for undecided facts.
type knowledge struct {
	exact5    map[tuple5]bool // 5-tuples whose handshake was seen: a initiated
	anyExact  map[tuple5]bool // the same with eni anyENI, from every interface
	services  map[svcKey]bool // responder endpoints of handshakes
	listeners map[svcKey]*listenInfo
	// seen holds the undecided facts' 5-tuples (sender first): seenAccepted
	// and seenRejected bits.
	seen map[tuple5]uint8
}

const (
	seenAccepted = 1 << iota
	seenRejected
)

// listenInfo is what undecided facts show of one endpoint's peers: up to
// two distinct peer addresses and three distinct peer ports, enough to
// tell a listener (reached from several remotes on several client ports).
type listenInfo struct {
	peer   [16]byte
	peers  uint8 // 1, or 2 meaning "several"
	ports  [3]uint16
	nports uint8
}

func (li *listenInfo) add(peer [16]byte, port uint16) {
	switch {
	case li.peers == 0:
		li.peer, li.peers = peer, 1
	case li.peers == 1 && li.peer != peer:
		li.peers = 2
	}
	for i := uint8(0); i < li.nports; i++ {
		if li.ports[i] == port {
			return
		}
	}
	if li.nports < 3 {
		li.ports[li.nports] = port
		li.nports++
	}
}

func (li *listenInfo) merge(o *listenInfo) {
	if o.peers > 0 {
		li.add(o.peer, o.ports[0])
		if o.peers > 1 {
			li.peers = 2
		}
	}
	for i := uint8(1); i < o.nports; i++ {
		li.add(li.peer, o.ports[i])
	}
}

// listening reports whether the endpoint was reached from several remotes
// on at least three distinct client ports.
func (kn *knowledge) listening(addr [16]byte, port uint16, proto uint8) bool {
	li := kn.listeners[svcKey{addr, port, proto}]
	return li != nil && li.peers > 1 && li.nports >= 3
}

// learn records an exact (normalised) fact: its src slot initiated.
func (kn *knowledge) learn(k *factKey) {
	kn.services[svcKey{k.dst, k.dport, k.proto}] = true
	if k.pdst != ([16]byte{}) {
		kn.services[svcKey{k.pdst, k.dport, k.proto}] = true
	}
	if k.fullPorts() {
		kn.exact5[tuple5{a: k.src, ap: k.sport, b: k.dst, bp: k.dport, eni: k.eni, proto: k.proto}] = true
		// The other end's records of the connection name the same
		// addresses and ports (interface-level ones: pkt-* may differ).
		kn.anyExact[tuple5{a: k.src, ap: k.sport, b: k.dst, bp: k.dport, eni: anyENI, proto: k.proto}] = true
	}
}

// note records an undecided fact's endpoints for listener learning.
func (kn *knowledge) note(k *factKey, _ *factVal) {
	bit := uint8(seenRejected)
	if k.accepted() {
		bit = seenAccepted
	}
	kn.seen[tuple5{a: k.src, ap: k.sport, b: k.dst, bp: k.dport, eni: k.eni, proto: k.proto}] |= bit
	if !hasPorts(k.proto) || !k.accepted() {
		return
	}
	kn.endpoint(k.dst, k.dport, k.proto, k.src, k.sport)
	kn.endpoint(k.src, k.sport, k.proto, k.dst, k.dport)
}

func (kn *knowledge) endpoint(addr [16]byte, port uint16, proto uint8, peer [16]byte, peerPort uint16) {
	key := svcKey{addr, port, proto}
	li := kn.listeners[key]
	if li == nil {
		li = &listenInfo{}
		kn.listeners[key] = li
	}
	li.add(peer, peerPort)
}

// compareKeys orders observation keys as compareObservations orders the
// observations they become (keys are unique once rows are grouped).
func compareKeys(x, y *obsKey) int {
	switch {
	case x.eni != y.eni:
		return cmp.Compare(x.eni, y.eni)
	case x.undetermined != y.undetermined:
		if y.undetermined {
			return -1
		}
		return 1
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

// mayStart reports whether the current rules could have let the src slot
// (fromSrc) or the dst slot start the fact's connection to the other
// slot's ports lo..hi; true without an inventory.
func (m *merger) mayStart(k *factKey, senderLocal, fromSrc bool, lo, hi uint16) bool {
	if m.adm == nil || !k.accepted() {
		return true
	}
	e := &m.enis[k.eni]
	srcA, dstA := k.src, k.dst
	if k.psrc != ([16]byte{}) {
		srcA = k.psrc
	}
	if k.pdst != ([16]byte{}) {
		dstA = k.pdst
	}
	src, dst := addrOf(srcA), addrOf(dstA)
	var srcIf, dstIf *vpc.Interface
	if senderLocal {
		srcIf, dstIf = m.localIf(e, src, k.psrc), m.remoteIf(e, dst)
	} else {
		srcIf, dstIf = m.remoteIf(e, src), m.localIf(e, dst, k.pdst)
	}
	if !hasPorts(k.proto) {
		lo, hi = 0, 0
	}
	if fromSrc {
		return m.adm.MayStart(srcIf, src, dstIf, dst, k.proto, lo, hi)
	}
	return m.adm.MayStart(dstIf, dst, srcIf, src, k.proto, lo, hi)
}

// localIf is the interface whose security groups the local address a
// passed: the interface's own, or, for a packet address (pkt) the
// inventory shows on a branch interface of the same VPC, that branch
// interface's (security groups for pods: docs/semantics.md#flowlog-pkt).
func (m *merger) localIf(e *eniState, a netip.Addr, pkt [16]byte) *vpc.Interface {
	if pkt != ([16]byte{}) {
		if r := m.adm.Interface(a); r != nil && r.Type == "branch" && r.VpcID == e.vpc {
			return r
		}
	}
	return e.iface
}

// remoteIf is the inventory interface holding the remote address a, when
// it is in the interface e's VPC: private addresses repeat across VPCs, and
// another VPC's interface with the same address must not lend its rules
// (nil, excluding nothing, when the VPCs differ or are not known).
func (m *merger) remoteIf(e *eniState, a netip.Addr) *vpc.Interface {
	r := m.adm.Interface(a)
	if r == nil || r.VpcID != e.vpc {
		return nil
	}
	return r
}

// addH1 classifies a fact the port classes decided (its src slot started
// it, its ephemeral ports dropped into v.eph): the rules confirm it,
// leave it a heuristic, or prove the other side started it, to the
// dropped ports.
func (m *merger) addH1(k *factKey, v *factVal) {
	if m.adm == nil || !k.accepted() || m.enis[k.eni].transit {
		m.add(k, v, false, Heuristic)
		return
	}
	senderLocal, ok := orient(k, &m.enis[k.eni])
	if !ok {
		m.add(k, v, false, Heuristic) // its local side is undetermined: two rows
		return
	}
	fwd := m.mayStart(k, senderLocal, true, k.dport, k.dport)
	rev := true
	lo, hi := ephRange(v.eph)
	if v.eph != 0 {
		rev = m.mayStart(k, senderLocal, false, lo, hi)
	}
	switch {
	case fwd && !rev:
		m.add(k, v, false, ByRules)
	case fwd:
		m.add(k, v, false, Heuristic)
	case rev && v.eph != 0:
		// The rules exclude what the ports suggested: the dst slot started
		// it, to the ports the fact dropped.
		r := *k
		r.sport = lo
		m.add(&r, v, true, ByRules)
		if hi != lo {
			// Only the lowest and highest dropped port were kept.
			r.sport = hi
			m.addRow(&r, v, true, ByRules, false)
			m.st.UnrecoveredPortRecords += int64(v.flows)
		}
	default:
		m.st.RuleConflictRecords += int64(v.flows)
		m.add(k, v, false, Heuristic)
	}
}

// resolve names the initiator of an undecided fact with what the whole
// data set taught (see the list at the top of this file) and adds its
// rows: one when a direction is decided, one per direction otherwise.
// rules is false when the security groups cannot decide: the interface's
// local side is undetermined, or it forwards others' packets.
func (sh *mergeShard) resolve(k *factKey, v *factVal, senderLocal, rules bool) {
	m, kn := sh.m, sh.kn
	fwdT := tuple5{a: k.src, ap: k.sport, b: k.dst, bp: k.dport, eni: k.eni, proto: k.proto}
	revT := tuple5{a: k.dst, ap: k.dport, b: k.src, bp: k.sport, eni: k.eni, proto: k.proto}
	// a. the same 5-tuple's handshake, on this interface or, so that both
	// ends of a connection agree, on the other end (whose log may be in a
	// format without tcp-flags)
	if kn.exact5[fwdT] {
		m.add(k, v, false, Exact)
		return
	}
	if kn.exact5[revT] {
		m.add(k, v, true, Exact)
		return
	}
	fwdAny, revAny := fwdT, revT
	fwdAny.eni, revAny.eni = anyENI, anyENI
	if kn.anyExact[fwdAny] && !kn.anyExact[revAny] {
		m.add(k, v, false, Exact)
		return
	}
	if kn.anyExact[revAny] && !kn.anyExact[fwdAny] {
		m.add(k, v, true, Exact)
		return
	}
	back := kn.seen[revT]
	if !k.accepted() {
		// A rejected record passed no rules: its sender's attempt, unless
		// the other direction was accepted, in which case it is the
		// stopped reply of a connection the other side started.
		m.add(k, v, back&seenAccepted != 0, Heuristic)
		return
	}
	// b. the rules of both ends
	if rules {
		fwd := m.mayStart(k, senderLocal, true, k.dport, k.dport)
		rev := m.mayStart(k, senderLocal, false, k.sport, k.sport)
		if fwd != rev {
			m.add(k, v, rev, ByRules)
			return
		}
		if !fwd {
			m.st.RuleConflictRecords += int64(v.flows)
		}
	}
	// c. what the data taught. Accepted packets one way and only rejected
	// ones back: the sender started it (an answer needs a request that got
	// through, and a stopped request gets no answer). No packets back at
	// all proves nothing: the window may have cut the connection.
	if back == seenRejected {
		m.add(k, v, false, Heuristic)
		return
	}
	if hasPorts(k.proto) && k.sport != k.dport {
		sSvc := kn.services[svcKey{k.src, k.sport, k.proto}] || k.psrc != ([16]byte{}) && kn.services[svcKey{k.psrc, k.sport, k.proto}]
		dSvc := kn.services[svcKey{k.dst, k.dport, k.proto}] || k.pdst != ([16]byte{}) && kn.services[svcKey{k.pdst, k.dport, k.proto}]
		if sSvc != dSvc {
			m.add(k, v, sSvc, Heuristic)
			return
		}
		sL, dL := kn.listening(k.src, k.sport, k.proto), kn.listening(k.dst, k.dport, k.proto)
		if sL != dL {
			m.add(k, v, sL, Heuristic)
			return
		}
	}
	// d. undecided: every direction still possible
	m.addRow(k, v, false, Ambiguous, true)
	m.addRow(k, v, true, Ambiguous, false)
}

func addrOf(b [16]byte) netip.Addr { return netip.AddrFrom16(b).Unmap() }
