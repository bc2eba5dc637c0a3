package plan

import (
	"fmt"
	"strings"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// Diff is the exact semantic difference between a plan's current and
// proposed egress, group by group.
type Diff struct {
	SecurityGroups []GroupDiff `json:"securityGroups"`
	// ProposedWithinCurrent is the proposed ⊆ current guarantee recomputed
	// from the plan's rules (Recheck), when the caller did.
	ProposedWithinCurrent *Proof `json:"proposedWithinCurrent,omitempty"`
}

// GroupDiff is one group's difference. Removed is what current rules allow
// and the proposal does not; Added the reverse, empty whenever the
// proposed ⊆ current guarantee holds.
type GroupDiff struct {
	GroupID   string   `json:"GroupId"`
	GroupName string   `json:"GroupName,omitempty"`
	Status    string   `json:"status"`
	Removed   []Region `json:"removed"`
	Added     []Region `json:"added"`
	// RemovedSummary and AddedSummary say the same as Removed and Added
	// the way people read it: one line per set of addresses with the same
	// protocols and ports, "all but tcp 21, 80, 443 to 0.0.0.0/0" where
	// that is shorter (netspace.Summarize).
	RemovedSummary []string `json:"removedSummary"`
	AddedSummary   []string `json:"addedSummary"`
	// RemovedPeers and AddedPeers compare SG-reference and prefix-list peers
	// symbolically: a current rule whose peer the proposal no longer covers
	// for every future member or entry, and the reverse. They matter where
	// addresses cannot show it, such as a reference to a group with no
	// members today.
	RemovedPeers []string `json:"removedPeers,omitempty"`
	AddedPeers   []string `json:"addedPeers,omitempty"`
}

// Region is a minimal box of a difference: one protocol run, one port run
// (or ICMP type/code run), and the CIDRs it covers there.
type Region struct {
	// Protocol and Ports read like a rule: "tcp" "0-20", "icmp" "type 8",
	// "protocols 7-255" "".
	Protocol string `json:"protocol"`
	Ports    string `json:"ports,omitempty"`
	// ProtocolRange and PortRange are the same as numbers, inclusive; for
	// ICMP the ports are type<<8|code.
	ProtocolRange [2]uint8  `json:"protocolRange"`
	PortRange     [2]uint16 `json:"portRange"`
	Addresses     []string  `json:"addresses"`
}

// String renders "tcp 3306 to 10.0.0.0/16, 10.1.0.0/16", other protocols
// by name and number ("protocols 7-16 (cbt, egp, igp, …) to …").
func (r Region) String() string {
	s := r.Protocol
	if r.Ports == "" && strings.HasPrefix(s, "protocol") {
		s = netspace.ProtocolText(r.ProtocolRange[0], r.ProtocolRange[1])
	}
	if r.Ports != "" {
		s += " " + r.Ports
	}
	return s + " to " + strings.Join(r.Addresses, ", ")
}

// Changed reports whether the group's egress changes at all.
func (d *GroupDiff) Changed() bool {
	return len(d.Removed)+len(d.Added)+len(d.RemovedPeers)+len(d.AddedPeers) > 0
}

// Compare computes the diff of every group in p. Peers resolve against inv
// (group members, prefix-list entries); the current rules are those the
// plan recorded, so callers check drift first (CheckDrift) when inv is the
// live state.
func Compare(inv *vpc.Inventory, p *Plan) (*Diff, error) {
	d := &Diff{SecurityGroups: []GroupDiff{}}
	for i := range p.SecurityGroups {
		g := &p.SecurityGroups[i]
		cur, err := Rules(g.GroupID, g.CurrentEgress)
		if err != nil {
			return nil, err
		}
		prop, err := Rules(g.GroupID, g.ProposedEgress)
		if err != nil {
			return nil, err
		}
		d.SecurityGroups = append(d.SecurityGroups, CompareRules(inv, g.GroupID, cur, prop))
		d.SecurityGroups[i].GroupName, d.SecurityGroups[i].Status = g.GroupName, g.Status
	}
	return d, nil
}

// CompareRules diffs two egress rule lists of one group.
func CompareRules(inv *vpc.Inventory, groupID string, cur, prop []vpc.Rule) GroupDiff {
	c, q := rulesSet(inv, cur), rulesSet(inv, prop)
	removed, added := c.Subtract(q), q.Subtract(c)
	gd := GroupDiff{GroupID: groupID, Removed: Regions(removed), Added: Regions(added),
		RemovedSummary: netspace.Summarize(removed), AddedSummary: netspace.Summarize(added)}
	gd.RemovedPeers = peerDelta(inv, cur, prop)
	gd.AddedPeers = peerDelta(inv, prop, cur)
	return gd
}

// peerDelta lists rules of a with a symbolic peer not covered by b.
func peerDelta(inv *vpc.Inventory, a, b []vpc.Rule) []string {
	var out []string
	seen := map[string]bool{}
	for i := range a {
		r := &a[i]
		if r.Peer.Kind == vpc.PeerCIDR {
			continue
		}
		if ok, _ := symbolWithin(inv, r, b); ok {
			continue
		}
		s := fmt.Sprintf("%s %s to %s", r.Protocol.Label(), r.PortText(), r.Peer)
		if r.Protocol == vpc.ProtoAll || !r.Protocol.HasPorts() && !r.Protocol.IsICMP() {
			s = fmt.Sprintf("%s to %s", r.Protocol.Label(), r.Peer)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Regions renders a set as boxes, one Region per protocol run and port run
// with all its CIDRs, in the set's canonical order.
func Regions(s netspace.Set) []Region {
	out := []Region{}
	for _, b := range s.Boxes() {
		label := strings.TrimSuffix(b.String(), " "+b.Prefix.String())
		proto, ports := label, ""
		if b.ProtoLo == b.ProtoHi && (b.ProtoLo == 1 || b.ProtoLo == 6 || b.ProtoLo == 17 || b.ProtoLo == 58) {
			proto, ports, _ = strings.Cut(label, " ")
		}
		pr, po := [2]uint8{b.ProtoLo, b.ProtoHi}, [2]uint16{b.PortLo, b.PortHi}
		if n := len(out); n > 0 && out[n-1].ProtocolRange == pr && out[n-1].PortRange == po {
			out[n-1].Addresses = append(out[n-1].Addresses, b.Prefix.String())
			continue
		}
		out = append(out, Region{Protocol: proto, Ports: ports, ProtocolRange: pr, PortRange: po,
			Addresses: []string{b.Prefix.String()}})
	}
	return out
}
