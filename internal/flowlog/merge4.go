package flowlog

// add4 is take followed by merger.add for a decided IPv4 fact, read from
// its packed key: the same decisions on 32-bit addresses, without
// expanding the key to 16-byte addresses first. g is the interface's
// global id. TestAdd4MatchesAdd holds it to the general path.
func (m *merger) add4(k *key4, g uint32, v *factVal, conf Confidence) {
	e := &m.enis[g]
	st := m.st
	src, dst := k[0]&0xffffffff, k[0]>>32
	psrc, pdst := k[1]&0xffffffff, k[1]>>32
	info := k.info()
	var senderLocal bool
	switch FlowDirection(info >> infoFlowShift & 3) {
	case FlowEgress:
		senderLocal = true
	case FlowIngress:
	default:
		// orient without flow-direction: the inventory, then the address
		// the interface's records share.
		switch {
		case e.transit:
		case e.own != nil && e.own[v4word16(src)]:
			senderLocal = true
		case e.own != nil && e.own[v4word16(dst)]:
		case e.learned == 1 && e.local == v4word16(src):
			senderLocal = true
		case e.learned == 1 && e.local == v4word16(dst):
		default:
			e = nil // undetermined: the general path makes its two rows
		}
	}
	if e == nil || e.transit {
		u := k.unpack()
		kf := u.full()
		kf.eni = g
		m.add(&kf, v, false, conf)
		return
	}
	localA, pktLocal, remoteA, pktRemote := dst, pdst, src, psrc
	if senderLocal {
		localA, pktLocal, remoteA, pktRemote = src, psrc, dst, pdst
	}
	local, remote := localA, remoteA
	if pktLocal != 0 {
		local = pktLocal
	}
	local16 := v4word16(local)
	loc := uint32(0)
	if e.learned != 1 || local16 != e.local {
		loc = m.localLoc(e, local16)
	}
	if pktRemote != 0 {
		remote = pktRemote
	}
	st.countDecided(v.flows, conf)
	dir := Inbound
	if senderLocal { // decided facts: the src slot initiated
		dir = Outbound
	}
	proto := uint8(k[3])
	port := uint16(k[2] >> 48)
	if !hasPorts(proto) {
		port = 0
	}
	sk := uint64(g)<<29 | uint64(dir&3)<<25 | uint64(proto)<<17 | uint64(port)<<1
	if info&infoAccepted == 0 {
		sk |= 1 << 27
	}
	m.ents = append(m.ents, obsEntry{sk: sk, r2: 0xffff<<32 | remote, i: uint32(len(m.rows)), loc: loc})
	m.rows = append(m.rows, obsAcc{v: *v, local: local16, hasLocal: true, conf: conf})
}

// v4word16 is an IPv4 address word as the 16-byte (v4-mapped) form.
func v4word16(a uint64) [16]byte { return v4mapped(un32(a)) }
