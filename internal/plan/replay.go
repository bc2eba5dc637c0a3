package plan

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/traffic"
	"github.com/walls-dev/walls/internal/vpc"
)

// ReplayReport says what observed connections a plan would block.
type ReplayReport struct {
	// Observations is every observation given; Checked those that were
	// initiated by a known interface and accepted, the ones that need egress.
	Observations int    `json:"observations"`
	Checked      int    `json:"checked"`
	Flows        uint64 `json:"flows"`
	// Blocked counts flow records current rules allow and the plan
	// would block; BlockedObservations the observation rows they come from.
	Blocked             uint64 `json:"blocked"`
	BlockedObservations int    `json:"blockedObservations"`
	// AlreadyDenied counts accepted connections the current rules of the
	// inventory deny too: the rules changed during the window, or the
	// inventory is not the one the flows went through. Not the plan's doing.
	AlreadyDenied uint64 `json:"alreadyDenied"`
	// Unfiltered counts connections to addresses no SG filters (the VPC
	// resolver, instance metadata, time sync).
	Unfiltered uint64 `json:"unfiltered"`
	// NotEvaluated counts connections of interfaces with no security group
	// whose rules are known: NAT gateways and endpoints carry none, others
	// reference groups the inventory lacks.
	NotEvaluated uint64 `json:"notEvaluated,omitempty"`
	// Invalid counts connections no rule can describe: ICMP to an IPv6
	// address, ICMPv6 to an IPv4 one (docs/semantics.md#protocols).
	Invalid uint64 `json:"invalid,omitempty"`
	// UnknownInterfaces lists interfaces of the observations missing from the
	// inventory (at most 20).
	UnknownInterfaces []string `json:"unknownInterfaces,omitempty"`
	// NotEvaluatedInterfaces lists interfaces that carry no security group
	// at all, such as NAT gateways (at most 20): their connections are
	// counted in NotEvaluated and do not fail the replay.
	NotEvaluatedInterfaces []string `json:"notEvaluatedInterfaces,omitempty"`
	// Evaluated counts the observations actually checked against rules: not
	// unattributed, not of interfaces without groups, not unfiltered.
	Evaluated int `json:"evaluated"`
	// Unattributed counts the flow records of accepted outbound observations
	// whose interface cannot be tied to a security group with loaded rules:
	// missing from the inventory, or carrying only groups whose rules were
	// not loaded. Nothing says whether the plan would block them.
	Unattributed             uint64 `json:"unattributed,omitempty"`
	UnattributedObservations int    `json:"unattributedObservations,omitempty"`
	// UnattributedInterfaces names those interfaces, most flow records first
	// (at most 20 of UnattributedInterfaceCount).
	UnattributedInterfaces     []UnattributedInterface `json:"unattributedInterfaces,omitempty"`
	UnattributedInterfaceCount int                     `json:"unattributedInterfaceCount,omitempty"`
	// BlockedByConfidence splits Blocked by how the initiator was decided
	// (exact, by-rules, heuristic, ambiguous). An ambiguous connection is
	// replayed in every direction it may have gone, and counts as blocked
	// when any of them is.
	BlockedByConfidence map[string]uint64 `json:"blockedByConfidence,omitempty"`
	// Pass is the verdict: nothing blocked, something evaluated, and no
	// unattributed traffic unless AllowedUnattributed. Failures says why not.
	Pass                bool     `json:"pass"`
	AllowedUnattributed bool     `json:"allowedUnattributed,omitempty"`
	Failures            []string `json:"failures,omitempty"`
	// ProposedWithinCurrent is the plan's proposed ⊆ current guarantee as
	// recomputed for this replay (SetWithin); the replay does not pass
	// when it does not hold, since a widening rule blocks nothing and so
	// would pass unseen. Nil when not recomputed (learn proves it apart).
	ProposedWithinCurrent *Proof `json:"proposedWithinCurrent,omitempty"`
	withinLines           []string
	// BlockedBy groups what would be blocked by the interface's groups,
	// protocol, port and remote, most connections first.
	BlockedBy []Blocked `json:"blockedBy"`
}

// UnattributedInterface is an interface whose connections replay could not
// check, and why.
type UnattributedInterface struct {
	InterfaceID string `json:"interfaceId"`
	// InstanceID and SubnetID are what the flow log records (version 3 and
	// later) named for it: how to find an interface the inventory no
	// longer holds, such as an instance an Auto Scaling group replaced.
	InstanceID string `json:"instanceId,omitempty"`
	SubnetID   string `json:"subnetId,omitempty"`
	Reason     string `json:"reason"`
	Flows      uint64 `json:"flows"`
}

// Describe fills in the unattributed interfaces' instance and subnet ids
// from what the flow logs named (flowlog.Result.Interfaces).
func (r *ReplayReport) Describe(meta map[string]traffic.InterfaceMeta) {
	for i := range r.UnattributedInterfaces {
		u := &r.UnattributedInterfaces[i]
		if m, ok := meta[u.InterfaceID]; ok {
			u.InstanceID, u.SubnetID = m.InstanceID, m.SubnetID
		}
	}
}

// label names an unattributed interface with what is known of it.
func (u *UnattributedInterface) label() string {
	var ids []string
	if u.InstanceID != "" {
		ids = append(ids, u.InstanceID)
	}
	if u.SubnetID != "" {
		ids = append(ids, u.SubnetID)
	}
	ids = append(ids, u.Reason, fmt.Sprintf("%d flow records", u.Flows))
	return u.InterfaceID + " (" + strings.Join(ids, ", ") + ")"
}

// Reasons an interface is unattributed.
const (
	ReasonNotInInventory  = "not in the inventory"
	ReasonGroupsNotLoaded = "none of its security groups has loaded rules"
)

// maxNamed bounds the interfaces a report names.
const maxNamed = 20

// SetWithin records the recomputed proposed ⊆ current proof and the lines
// that say why it fails (Recheck), for Judge.
func (r *ReplayReport) SetWithin(pr Proof, lines []string) {
	r.ProposedWithinCurrent, r.withinLines = &pr, lines
}

// Judge sets Pass and Failures: a replay passes when the plan is within
// the current rules (when SetWithin recorded it), it blocked nothing,
// evaluated at least one connection, and (unless allowUnattributed) met no
// connection of an interface it could not tie to loaded rules.
func (r *ReplayReport) Judge(allowUnattributed bool) {
	r.AllowedUnattributed = allowUnattributed
	r.Failures = nil
	if w := r.ProposedWithinCurrent; w != nil && !w.Holds {
		lines := r.withinLines
		if len(lines) == 0 {
			lines = append([]string{"proposed ⊆ current does not hold"}, w.Violations...)
		}
		r.Failures = append(r.Failures, lines...)
	}
	if r.Blocked > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d flow records (%d observations) the current rules allow would be blocked",
			r.Blocked, r.BlockedObservations))
	}
	if r.Evaluated == 0 {
		r.Failures = append(r.Failures, "nothing was evaluated: no accepted, outbound observation of an interface "+
			"with loaded security group rules to an address security groups filter")
	}
	if r.Unattributed > 0 && !allowUnattributed {
		names := make([]string, 0, len(r.UnattributedInterfaces))
		for _, u := range r.UnattributedInterfaces {
			names = append(names, u.label())
		}
		if more := r.UnattributedInterfaceCount - len(names); more > 0 {
			names = append(names, fmt.Sprintf("%d more", more))
		}
		r.Failures = append(r.Failures, fmt.Sprintf("%d flow records (%d observations) of %d interfaces could not be "+
			"attributed to a security group whose rules are loaded, so whether they would be blocked is unknown "+
			"(--allow-unattributed accepts that): %s", r.Unattributed, r.UnattributedObservations,
			r.UnattributedInterfaceCount, strings.Join(names, ", ")))
	}
	r.Pass = len(r.Failures) == 0
}

// Blocked is a group of flow records the plan would block.
type Blocked struct {
	GroupIDs     []string  `json:"groupIds"`
	Protocol     string    `json:"protocol"`
	Port         uint16    `json:"port"`
	Remote       string    `json:"remote"`
	Flows        uint64    `json:"flows"`
	Observations int       `json:"observations"`
	Examples     []Example `json:"examples"`
}

// Example is one observation behind a Blocked group.
type Example struct {
	InterfaceID string    `json:"interfaceId"`
	Local       string    `json:"local,omitempty"`
	Flows       uint64    `json:"flows"`
	FirstSeen   time.Time `json:"firstSeen"`
	LastSeen    time.Time `json:"lastSeen"`
	Confidence  string    `json:"confidence"`
}

const maxExamples = 3

// Packet is the packet an observation's initiator sends, as SG egress rules
// see it. ICMP records carry no type (traffic.Observation.Port is 0), so an
// ICMP observation is checked as an echo request, the message a workload
// initiates.
func Packet(o *traffic.Observation) netspace.Packet {
	return policy.Packet(o.Protocol, o.Port, o.Remote)
}

// governed reports whether some group of eni has known rules.
// Interfaces with no group at all (NAT gateways) are not governed either.
func governed(inv *vpc.Inventory, eni *vpc.Interface) bool {
	for _, g := range eni.GroupIDs {
		if sg := inv.Groups[g]; sg != nil && sg.RulesKnown {
			return true
		}
	}
	return false
}

// FamilyOK reports whether the observation's protocol can reach its remote's
// address family: icmp is IPv4 only and icmpv6 IPv6 only (docs/semantics.md#protocols).
func FamilyOK(o *traffic.Observation) bool {
	return vpc.FamilyMatches(vpc.Protocol(o.Protocol), o.Remote.Unmap())
}

// Unfiltered reports whether addr is a destination no security group
// filters (vpc.Inventory.Unfiltered): the link-local AWS services, their
// Nitro IPv6 twins and the VPC resolver.
func Unfiltered(inv *vpc.Inventory, addr netip.Addr) bool { return NewUnfiltered(inv).Contains(addr) }

// UnfilteredSet answers Unfiltered for one inventory.
type UnfilteredSet struct{ inv *vpc.Inventory }

// NewUnfiltered prepares Unfiltered answers for inv.
func NewUnfiltered(inv *vpc.Inventory) *UnfilteredSet { return &UnfilteredSet{inv: inv} }

// Contains reports whether no security group filters traffic to addr.
func (u *UnfilteredSet) Contains(addr netip.Addr) bool {
	_, ok := u.inv.Unfiltered(addr)
	return ok
}

// Egress answers "would these groups let this packet out?" for one
// inventory, compiling each group's egress once.
type Egress struct {
	inv  *vpc.Inventory
	sets map[string]netspace.Set
}

// NewEgress prepares egress evaluation over inv.
func NewEgress(inv *vpc.Inventory) *Egress {
	return &Egress{inv: inv, sets: map[string]netspace.Set{}}
}

// Group returns the packets group id's egress rules allow.
func (e *Egress) Group(id string) netspace.Set {
	s, ok := e.sets[id]
	if !ok {
		if g := e.inv.Groups[id]; g != nil {
			s = rulesSet(e.inv, g.Egress)
		}
		e.sets[id] = s
	}
	return s
}

// Allows reports whether any of groups lets p out: SG rules pool (docs/semantics.md#sg-pool).
func (e *Egress) Allows(groups []string, p netspace.Packet) bool {
	for _, g := range groups {
		if e.Group(g).Contains(p) {
			return true
		}
	}
	return false
}

// Replay checks observations against the plan: every connection an
// interface initiated and was accepted, whether the planned rules would
// still let it out, whatever the confidence in its direction. It refuses a
// plan that drifted from inv. The report is judged strictly (see Judge);
// call Judge(true) to accept unattributed connections.
func Replay(inv *vpc.Inventory, p *Plan, obs []traffic.Observation) (*ReplayReport, error) {
	planned, err := Apply(inv, p)
	if err != nil {
		return nil, err
	}
	rep := replay(inv, planned, obs)
	rep.Judge(false)
	return rep, nil
}

func replay(inv, planned *vpc.Inventory, obs []traffic.Observation) *ReplayReport {
	now, next := NewEgress(inv), NewEgress(planned)
	unfiltered := NewUnfiltered(inv)
	rep := &ReplayReport{Observations: len(obs), BlockedBy: []Blocked{}}
	unknown := map[string]bool{}
	type key struct {
		groups string
		proto  uint8
		port   uint16
		remote netip.Addr
	}
	groups := map[key]*Blocked{}
	unattributed := map[string]*UnattributedInterface{}
	notEvaluated := map[string]bool{}
	unattribute := func(o *traffic.Observation, reason string) {
		u := unattributed[o.InterfaceID]
		if u == nil {
			u = &UnattributedInterface{InterfaceID: o.InterfaceID, Reason: reason}
			unattributed[o.InterfaceID] = u
		}
		u.Flows += o.Flows
		rep.Unattributed += o.Flows
		rep.UnattributedObservations++
	}
	for i := range obs {
		o := &obs[i]
		if o.Direction != traffic.Outbound || !o.Accepted {
			continue
		}
		eni := inv.Interfaces[o.InterfaceID]
		if eni == nil {
			unknown[o.InterfaceID] = true
			unattribute(o, ReasonNotInInventory)
			continue
		}
		rep.Checked++
		rep.Flows += o.Flows
		if !governed(inv, eni) {
			if len(eni.GroupIDs) > 0 {
				unattribute(o, ReasonGroupsNotLoaded)
				continue
			}
			notEvaluated[eni.ID] = true
			rep.NotEvaluated += o.Flows
			continue
		}
		if unfiltered.Contains(o.Remote) {
			rep.Unfiltered += o.Flows
			continue
		}
		if !FamilyOK(o) {
			rep.Invalid += o.Flows
			continue
		}
		rep.Evaluated++
		pkt := Packet(o)
		if next.Allows(eni.GroupIDs, pkt) {
			continue
		}
		if !now.Allows(eni.GroupIDs, pkt) {
			rep.AlreadyDenied += o.Flows
			continue
		}
		rep.Blocked += o.Flows
		rep.BlockedObservations++
		if rep.BlockedByConfidence == nil {
			rep.BlockedByConfidence = map[string]uint64{}
		}
		rep.BlockedByConfidence[o.Confidence.String()] += o.Flows
		gs := append([]string(nil), eni.GroupIDs...)
		sort.Strings(gs)
		k := key{strings.Join(gs, ","), o.Protocol, o.Port, o.Remote}
		b := groups[k]
		if b == nil {
			b = &Blocked{GroupIDs: gs, Protocol: traffic.ProtocolName(o.Protocol), Port: o.Port, Remote: o.Remote.String()}
			groups[k] = b
		}
		b.Flows += o.Flows
		b.Observations++
		if len(b.Examples) < maxExamples {
			ex := Example{InterfaceID: o.InterfaceID, Flows: o.Flows, FirstSeen: o.FirstSeen.UTC(),
				LastSeen: o.LastSeen.UTC(), Confidence: o.Confidence.String()}
			if o.Local.IsValid() {
				ex.Local = o.Local.String()
			}
			b.Examples = append(b.Examples, ex)
		}
	}
	for _, b := range groups {
		rep.BlockedBy = append(rep.BlockedBy, *b)
	}
	sort.Slice(rep.BlockedBy, func(i, j int) bool {
		a, b := &rep.BlockedBy[i], &rep.BlockedBy[j]
		if a.Flows != b.Flows {
			return a.Flows > b.Flows
		}
		if x, y := strings.Join(a.GroupIDs, ","), strings.Join(b.GroupIDs, ","); x != y {
			return x < y
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		return a.Remote < b.Remote
	})
	rep.UnknownInterfaces = firstNamed(unknown)
	rep.NotEvaluatedInterfaces = firstNamed(notEvaluated)
	for _, u := range unattributed {
		rep.UnattributedInterfaces = append(rep.UnattributedInterfaces, *u)
	}
	sort.Slice(rep.UnattributedInterfaces, func(i, j int) bool {
		a, b := &rep.UnattributedInterfaces[i], &rep.UnattributedInterfaces[j]
		if a.Flows != b.Flows {
			return a.Flows > b.Flows
		}
		return a.InterfaceID < b.InterfaceID
	})
	rep.UnattributedInterfaceCount = len(rep.UnattributedInterfaces)
	if len(rep.UnattributedInterfaces) > maxNamed {
		rep.UnattributedInterfaces = rep.UnattributedInterfaces[:maxNamed]
	}
	return rep
}

// firstNamed is the set's ids in order, at most maxNamed of them.
func firstNamed(set map[string]bool) []string {
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) > maxNamed {
		ids = ids[:maxNamed]
	}
	return ids
}
