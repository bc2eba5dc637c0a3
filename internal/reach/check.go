package reach

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// Run evaluates req against the inventory. Errors are about the request
// (unknown endpoint, bad protocol), never about the verdict.
func Run(inv *vpc.Inventory, req Request) (*Check, error) {
	if req.ClientPorts == (PortRange{}) {
		req.ClientPorts = DefaultClientPorts
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	srcs, err := resolve(inv, req.From)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	dsts, err := resolve(inv, req.To)
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
	}
	if srcs[0].kind == "instance" {
		srcs = pickSourceInterface(srcs, dsts)
	}
	if dsts[0].kind == "instance" {
		dsts = dsts[:1] // an instance id as destination means its primary interface
	}
	max := req.MaxPairs
	if max <= 0 {
		max = DefaultMaxPairs
	}
	c := &Check{Verdict: Allowed, Complete: true, Request: req}
	rs := policy.NewRules(inv)
	for _, s := range srcs {
		for _, d := range dsts {
			if s.eni != nil && s.eni == d.eni {
				continue // a member talking to itself never crosses a filter
			}
			if c.Pairs == max {
				// The pairs left unevaluated could deny: the answer is
				// incomplete, never silently "allowed".
				c.Truncated, c.Complete = true, false
				c.Notes = append(c.Notes, fmt.Sprintf("only the first %d of %d source/destination pairs were evaluated", max, len(srcs)*len(dsts)))
				return c, nil
			}
			from, to, notes, err := endpoints(inv, &req, s, d, req.From, req.To)
			if err != nil {
				return nil, err
			}
			if from.External && to.External && !from.InVPC && !to.InVPC {
				return nil, fmt.Errorf("neither %s nor %s is in the inventory's VPCs: no security group or network ACL of it is on the path", req.From, req.To)
			}
			t := evaluate(inv, rs, &req, from, to)
			t.Notes = append(notes, t.Notes...)
			c.Pairs++
			if t.Verdict == Denied {
				c.Verdict = Denied
			}
			if !t.Complete {
				c.Complete = false
			}
			c.Traces = append(c.Traces, t)
		}
	}
	if c.Pairs == 0 {
		return nil, fmt.Errorf("--from %s and --to %s are the same interface; nothing to check", req.From, req.To)
	}
	return c, nil
}

// pickSourceInterface chooses which of an instance's interfaces sends the
// packet: the one in the destination's subnet if any (the OS routes
// on-link traffic out of it), else the primary (device index 0).
func pickSourceInterface(srcs, dsts []candidate) []candidate {
	for _, s := range srcs {
		for _, d := range dsts {
			if d.eni != nil && s.eni.SubnetID == d.eni.SubnetID {
				return []candidate{s}
			}
		}
	}
	return srcs[:1]
}

// evaluate runs one pair through every hop (docs/semantics.md#sg-pool).
func evaluate(inv *vpc.Inventory, rs *policy.Rules, req *Request, from, to Endpoint) Trace {
	t := Trace{Verdict: Allowed, Complete: true, From: from, To: to, Request: *req}
	ix := inv.Index()
	icmpCode := req.icmpCode()

	if reason, ok := inv.Unfiltered(to.Addr); ok {
		t.Hops = append(t.Hops, Hop{Step: StepNotFiltered, Result: Allow, Reason: reason})
		return t
	}
	viaPublic := from.Interface != nil && !to.External && to.Interface != nil && to.Addr.IsValid() &&
		!to.Interface.HasPrivateAddr(to.Addr)
	if !viaPublic && to.External && !to.InVPC {
		viaPublic = true
	}
	// The source address the destination sees.
	srcSeen := from.Addr
	if viaPublic && from.Interface != nil {
		srcSeen = netip.Addr{}
		if len(from.Interface.PublicIPs) > 0 && to.Addr.Is4() {
			srcSeen = from.Interface.PublicIPs[0]
		} else if to.Addr.Is6() {
			srcSeen = from.Addr // IPv6 addresses are global; no NAT
		}
	}
	sameSubnet := !viaPublic && from.SubnetID != "" && from.SubnetID == to.SubnetID

	// 1. Source security groups, egress.
	if from.Interface != nil {
		t.add(sgHop(inv, rs, StepSourceSG, from.Interface, true, req, to.Addr, to.Interface, icmpCode))
	} else {
		t.add(Hop{Step: StepSourceSG, Result: Skipped, Reason: outsideReason(from, "source")})
	}
	// 2, 3. NACLs, unless both ends share a subnet.
	var srcNACL, dstNACL *vpc.NACL
	switch {
	case sameSubnet:
		t.add(Hop{Step: StepSourceNACL, Result: Skipped, Reason: "same subnet " + from.SubnetID + ": network ACLs filter only traffic that crosses a subnet boundary"})
		t.add(Hop{Step: StepDestNACL, Result: Skipped, Reason: "same subnet " + from.SubnetID + ": network ACLs filter only traffic that crosses a subnet boundary"})
	default:
		var h Hop
		srcNACL, h = naclFor(inv, ix, from, StepSourceNACL, "source")
		if srcNACL != nil {
			h = naclHop(srcNACL, StepSourceNACL, true, req.Protocol, to.Addr, req.Port, req.ICMPType, icmpCode)
		}
		t.add(h)
		dstNACL, h = naclFor(inv, ix, to, StepDestNACL, "destination")
		if dstNACL != nil {
			if srcSeen.IsValid() {
				h = naclHop(dstNACL, StepDestNACL, false, req.Protocol, srcSeen, req.Port, req.ICMPType, icmpCode)
			} else {
				h = Hop{Step: StepDestNACL, Result: NotEvaluated, Resource: dstNACL.ID, Reason: "the source address the destination sees (a NAT or gateway address) is not known"}
			}
		}
		t.add(h)
	}
	// 4. Destination security groups, ingress.
	switch {
	case to.Interface == nil:
		t.add(Hop{Step: StepDestSG, Result: Skipped, Reason: outsideReason(to, "destination")})
	case !srcSeen.IsValid():
		t.add(Hop{Step: StepDestSG, Result: NotEvaluated, Reason: "the source address the destination sees (a NAT or gateway address) is not known"})
	default:
		t.add(sgHop(inv, rs, StepDestSG, to.Interface, false, req, srcSeen, from.Interface, icmpCode))
	}
	// 5. The return path.
	t.returnPath(req, from, to, srcSeen, srcNACL, dstNACL, sameSubnet)
	if from.External || to.External {
		side := "destination"
		if from.External {
			side = "source"
		}
		t.Notes = append(t.Notes, fmt.Sprintf("the %s is outside the known VPC interfaces: only the VPC side is evaluated; routes, gateways and the far side are not", side))
	}
	if req.Protocol.HasPorts() {
		t.Notes = append(t.Notes, fmt.Sprintf("return traffic assumed to go to client ports %d-%d (--client-ports)", req.ClientPorts.From, req.ClientPorts.To))
	}
	return t
}

func (t *Trace) add(h Hop) {
	t.Hops = append(t.Hops, h)
	switch h.Result {
	case Deny:
		t.Verdict = Denied
	case NotEvaluated:
		t.Complete = false
	}
}

func outsideReason(e Endpoint, side string) string {
	if e.InVPC {
		return fmt.Sprintf("no interface in the inventory has address %s (inside %s); its security groups are not known", e.Addr, e.VpcID)
	}
	return fmt.Sprintf("the %s %s is outside the VPC; its side is not evaluated", side, e.Addr)
}

// returnPath evaluates the reply: security groups pass it (stateful); each
// NACL crossed must allow the reply on the client's whole ephemeral range.
func (t *Trace) returnPath(req *Request, from, to Endpoint, srcSeen netip.Addr, srcNACL, dstNACL *vpc.NACL, sameSubnet bool) {
	t.add(Hop{Step: StepReturnSG, Result: Skipped, Reason: "security groups are stateful: replies to an allowed connection pass whatever the rules say"})
	if sameSubnet {
		return
	}
	type leg struct {
		step    Step
		nacl    *vpc.NACL
		egress  bool
		peer    netip.Addr // the address the reply is matched against
		skipped bool
	}
	legs := []leg{
		{StepReturnDstNACL, dstNACL, true, srcSeen, to.Interface == nil && !to.InVPC},
		{StepReturnSrcNACL, srcNACL, false, to.Addr, from.Interface == nil && !from.InVPC},
	}
	for _, l := range legs {
		if l.skipped {
			continue
		}
		if l.nacl == nil {
			// naclFor already explained why on the forward hop.
			t.add(Hop{Step: l.step, Result: NotEvaluated, Reason: "no network ACL known for this subnet"})
			continue
		}
		if !l.peer.IsValid() {
			t.add(Hop{Step: l.step, Result: NotEvaluated, Resource: l.nacl.ID, Reason: "the peer address of the reply (a NAT or gateway address) is not known"})
			continue
		}
		switch {
		case req.Protocol.HasPorts():
			t.add(returnPortsHop(l.nacl, l.step, l.egress, req.Protocol, l.peer, req.ClientPorts))
		case req.Protocol.IsICMP():
			rt, ok := icmpReply(req.Protocol, req.ICMPType)
			if !ok {
				t.add(Hop{Step: l.step, Result: Skipped, Resource: l.nacl.ID, Reason: fmt.Sprintf("%s type %d expects no reply", req.Protocol, req.ICMPType)})
				continue
			}
			h := naclHop(l.nacl, l.step, l.egress, req.Protocol, l.peer, 0, rt, 0)
			h.Reason = fmt.Sprintf("reply %s type %d: %s", req.Protocol, rt, h.Reason)
			t.add(h)
		default:
			t.add(naclHop(l.nacl, l.step, l.egress, req.Protocol, l.peer, 0, 0, 0))
		}
	}
}

// naclFor finds the NACL governing an endpoint's subnet, or explains why
// the hop is skipped or not evaluated.
func naclFor(inv *vpc.Inventory, ix *vpc.Index, e Endpoint, step Step, side string) (*vpc.NACL, Hop) {
	if e.Interface == nil && !e.InVPC {
		return nil, Hop{Step: step, Result: Skipped, Reason: fmt.Sprintf("the %s %s is outside the VPC", side, e.Addr)}
	}
	if !inv.Has(vpc.KindNetworkACLs) {
		return nil, Hop{Step: step, Result: NotEvaluated, Reason: "no network ACLs loaded (add describe-network-acls output)"}
	}
	if e.SubnetID == "" {
		return nil, Hop{Step: step, Result: NotEvaluated, Reason: fmt.Sprintf("the %s's subnet is not known", side)}
	}
	n := ix.NACLForSubnet(e.SubnetID, e.VpcID)
	if n == nil {
		return nil, Hop{Step: step, Result: NotEvaluated, Reason: fmt.Sprintf("no network ACL in the inventory is associated with %s and no default NACL of %s is loaded", e.SubnetID, orUnknown(e.VpcID))}
	}
	return n, Hop{}
}

func orUnknown(s string) string {
	if s == "" {
		return "its VPC"
	}
	return s
}

// naclHop evaluates one direction of a NACL for one packet: first match in
// rule-number order decides (policy.NACLEvaluate, docs/semantics.md#nacl-order).
func naclHop(n *vpc.NACL, step Step, egress bool, proto vpc.Protocol, peer netip.Addr, port, icmpType, icmpCode int32) Hop {
	e, ok := policy.NACLEvaluate(n, egress, policy.RulePacket(proto, port, icmpType, icmpCode, peer))
	dir := "inbound"
	if egress {
		dir = "outbound"
	}
	h := Hop{Step: step, Resource: n.ID, Entry: e}
	switch {
	case e == nil:
		h.Result = Deny
		h.Reason = fmt.Sprintf("no %s entry matches; the implicit * rule denies", dir)
	case ok:
		h.Result = Allow
		h.Reason = fmt.Sprintf("%s rule %s allows: %s", dir, e.RuleLabel(), policy.EntryText(e))
	default:
		h.Result = Deny
		h.Reason = fmt.Sprintf("%s rule %s denies: %s", dir, e.RuleLabel(), policy.EntryText(e))
	}
	return h
}

// returnPortsHop evaluates a NACL direction for replies to every port of
// the client range: the hop allows only when the whole range is allowed,
// since a partly open range fails connections now and then.
func returnPortsHop(n *vpc.NACL, step Step, egress bool, proto vpc.Protocol, peer netip.Addr, client PortRange) Hop {
	dir := "inbound"
	if egress {
		dir = "outbound"
	}
	h := Hop{Step: step, Resource: n.ID}
	var allowedBy, deniedBy []*vpc.NACLEntry
	var blocked []PortRange
	implicit := false // the * rule decides some ports
	for _, d := range policy.NACLPorts(n, egress, proto, peer, client) {
		switch {
		case d.Allowed():
			allowedBy = appendEntry(allowedBy, d.Entry)
		case d.Entry == nil:
			implicit = true
			blocked = append(blocked, d.Ports)
		default:
			deniedBy = appendEntry(deniedBy, d.Entry)
			blocked = append(blocked, d.Ports)
		}
	}
	blocked = mergeRanges(blocked)
	rng := fmt.Sprintf("%d-%d", client.From, client.To)
	switch {
	case len(blocked) == 0:
		h.Result = Allow
		h.Entry = allowedBy[0]
		h.Reason = fmt.Sprintf("replies to client ports %s: %s %s", rng, dir, entriesText(allowedBy, "allows", "allow"))
	default:
		h.Result = Deny
		h.BlockedPorts = blocked
		if len(deniedBy) > 0 {
			h.Entry = deniedBy[0]
		}
		why := []string{}
		if len(deniedBy) > 0 {
			why = append(why, entriesText(deniedBy, "denies", "deny"))
		}
		if implicit {
			why = append(why, "no entry matches the rest, so the implicit * rule denies")
		}
		if len(allowedBy) == 0 {
			h.Reason = fmt.Sprintf("replies to client ports %s are blocked %s: %s", rng, dir, strings.Join(why, "; "))
		} else {
			h.Reason = fmt.Sprintf("replies to client ports %s are only partly allowed %s: ports %s blocked (%s); connections fail whenever the client picks one of them",
				rng, dir, rangesText(blocked), strings.Join(why, "; "))
		}
	}
	return h
}

func entriesText(es []*vpc.NACLEntry, one, many string) string {
	if len(es) == 1 {
		return fmt.Sprintf("rule %s %s (%s)", es[0].RuleLabel(), one, policy.EntryText(es[0]))
	}
	var parts []string
	for _, e := range es {
		parts = append(parts, e.RuleLabel())
	}
	return fmt.Sprintf("rules %s %s", strings.Join(parts, ", "), many)
}

func rangesText(rs []PortRange) string {
	var parts []string
	for _, r := range rs {
		if r.From == r.To {
			parts = append(parts, fmt.Sprint(r.From))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", r.From, r.To))
		}
	}
	return strings.Join(parts, ", ")
}

// appendEntry appends e unless it is there already, keeping rule order.
func appendEntry(es []*vpc.NACLEntry, e *vpc.NACLEntry) []*vpc.NACLEntry {
	for _, x := range es {
		if x == e {
			return es
		}
	}
	es = append(es, e)
	for i := len(es) - 1; i > 0 && es[i].RuleNumber < es[i-1].RuleNumber; i-- {
		es[i], es[i-1] = es[i-1], es[i]
	}
	return es
}

// mergeRanges sorts and merges adjacent or overlapping ranges.
func mergeRanges(rs []PortRange) []PortRange {
	if len(rs) < 2 {
		return rs
	}
	for i := 1; i < len(rs); i++ { // insertion sort: lists are tiny
		for j := i; j > 0 && rs[j].From < rs[j-1].From; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.From <= last.To+1 {
			last.To = max(last.To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}
