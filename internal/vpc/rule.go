// Package vpc holds walls' domain model of an AWS VPC's network layer:
// security groups and their rules, network ACLs, network interfaces, subnets,
// VPCs and managed prefix lists, with the indexes that evaluation needs.
//
// The package does no I/O. Loaders in internal/inventory build an Inventory;
// evaluators (reach, audit, learn) read it. Semantics follow
// docs/semantics.md; the anchors below refer to its sections.
package vpc

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Protocol is an IP protocol number, or ProtoAll (-1) for "all protocols".
type Protocol int16

// Protocol numbers with special meaning in SG and NACL rules.
const (
	ProtoAll    Protocol = -1
	ProtoICMP   Protocol = 1
	ProtoTCP    Protocol = 6
	ProtoUDP    Protocol = 17
	ProtoICMPv6 Protocol = 58
)

// ParseProtocol reads an AWS IpProtocol / NACL Protocol value: a name
// (tcp, udp, icmp, icmpv6, all), a number 0-255, or "-1". Names are matched
// case-insensitively, as the AWS API accepts them (docs/semantics.md#protocols).
func ParseProtocol(s string) (Protocol, error) {
	switch s {
	case "-1", "all", "ALL", "All":
		return ProtoAll, nil
	case "tcp", "TCP", "Tcp":
		return ProtoTCP, nil
	case "udp", "UDP", "Udp":
		return ProtoUDP, nil
	case "icmp", "ICMP", "Icmp":
		return ProtoICMP, nil
	case "icmpv6", "ICMPv6", "ICMPV6", "Icmpv6":
		return ProtoICMPv6, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return 0, fmt.Errorf("protocol %q: want tcp, udp, icmp, icmpv6, -1 or a number 0-255", s)
	}
	return Protocol(n), nil
}

// String renders the protocol as the AWS API names it: tcp, udp, icmp,
// icmpv6, -1, or the number.
func (p Protocol) String() string {
	switch p {
	case ProtoAll:
		return "-1"
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	case ProtoICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// Label is a human-readable name: "all" for -1, else String.
func (p Protocol) Label() string {
	if p == ProtoAll {
		return "all"
	}
	return p.String()
}

// HasPorts reports whether the protocol carries ports (tcp and udp).
func (p Protocol) HasPorts() bool { return p == ProtoTCP || p == ProtoUDP }

// IsICMP reports whether the protocol is ICMP or ICMPv6, whose FromPort and
// ToPort fields hold type and code.
func (p Protocol) IsICMP() bool { return p == ProtoICMP || p == ProtoICMPv6 }

// PeerKind says which of the four kinds of peer a rule has (docs/semantics.md#sg-peers).
type PeerKind uint8

// Peer kinds. Exactly one applies to a rule.
const (
	PeerCIDR PeerKind = iota + 1
	PeerPrefixList
	PeerGroup
)

// GroupRef is a referenced security group (ReferencedGroupInfo /
// UserIdGroupPairs), possibly in another account or a peered VPC.
type GroupRef struct {
	GroupID             string
	UserID              string
	VpcID               string
	PeeringConnectionID string
	PeeringStatus       string
}

// Peer is the source (ingress) or destination (egress) of an SG rule.
type Peer struct {
	Kind         PeerKind
	Prefix       netip.Prefix // PeerCIDR: canonical (masked) prefix, IPv4 or IPv6
	PrefixListID string       // PeerPrefixList
	Group        GroupRef     // PeerGroup
	// Written is the CIDR block as the input wrote it when the input set
	// host bits under a /0 mask ("192.168.1.0/0"): AWS stores the
	// canonical Prefix, the whole internet, which is almost never what was
	// meant. Empty otherwise.
	Written string
}

// String renders the peer as AWS writes it: a CIDR, pl-…, or sg-… (with
// account/ prefix when the group belongs to another account).
func (p Peer) String() string {
	switch p.Kind {
	case PeerCIDR:
		return p.Prefix.String()
	case PeerPrefixList:
		return p.PrefixListID
	case PeerGroup:
		return p.Group.GroupID
	}
	return "?"
}

// Location is where a model object came from: a file and a JSON path or a
// line, so findings and errors can point at it.
type Location struct {
	File string
	Path string // JSON path such as SecurityGroups[2].IpPermissionsEgress[0]
	Line int    // 1-based line, 0 when unknown
}

// String renders file:line or file#path.
func (l Location) String() string {
	switch {
	case l.File == "":
		return l.Path
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	case l.Path != "":
		return l.File + "#" + l.Path
	}
	return l.File
}

// Rule is one security group rule with exactly one peer: the modern
// SecurityGroupRule shape. A legacy IpPermission with N peers becomes N Rules.
// What a rule admits is compiled in one place, policy.RuleSet, which
// per-packet answers (policy.Rules) are memberships in.
type Rule struct {
	ID       string // sgr-…; empty when loaded from the legacy shape
	GroupID  string
	Egress   bool
	Protocol Protocol
	// FromPort and ToPort: for tcp/udp the inclusive port range; for
	// icmp/icmpv6 the ICMP type and code (-1 = any); ignored for ProtoAll and
	// other protocols, where they are -1.
	FromPort    int32
	ToPort      int32
	Peer        Peer
	Description string
	// Index is the rule's position among its group's rules of the same
	// direction, in input order; used to name rules that have no ID.
	Index int
	// Assumed marks a rule the input does not state but the tool that
	// deploys it adds (CloudFormation's default allow-all egress), docs/semantics.md#sg-pool.
	Assumed bool
	// When is the CloudFormation condition under which the rule exists,
	// in words ("condition IsProd is false"), for a rule
	// read from one branch of an Fn::If whose condition the template
	// leaves undecidable; "" otherwise.
	When   string
	Source Location
	// Declared is the Terraform or CloudFormation resource (or inline block
	// of its group's resource) the rule was read from, when it was.
	Declared Declared
}

// Ref names the rule for traces and findings: its sgr- id, else its
// group, direction and position, "sg-…/egress[3]".
func (r *Rule) Ref() string {
	if r.ID != "" {
		return r.ID
	}
	dir := "ingress"
	if r.Egress {
		dir = "egress"
	}
	return fmt.Sprintf("%s/%s[%d]", r.GroupID, dir, r.Index)
}

// PortText renders the port part: "all", "443", "1024-65535", "type 8 code 0".
func (r *Rule) PortText() string { return PortText(r.Protocol, r.FromPort, r.ToPort) }

// PortText renders a protocol's port range or ICMP type/code as text.
func PortText(p Protocol, from, to int32) string {
	switch {
	case p.HasPorts():
		if from == 0 && to == 65535 || from == -1 {
			return "all ports"
		}
		if from == to {
			return strconv.Itoa(int(from))
		}
		return fmt.Sprintf("%d-%d", from, to)
	case p.IsICMP():
		switch {
		case from == -1:
			return "all types"
		case to == -1:
			return fmt.Sprintf("type %d", from)
		}
		return fmt.Sprintf("type %d code %d", from, to)
	}
	return "all"
}

// String renders the rule as one line: "egress tcp 443 to 0.0.0.0/0".
// Keys and fingerprints use it; messages use Text with protocol names.
func (r *Rule) String() string { return r.Text(Protocol.Label) }

// Text renders the rule as String does with the protocol written by
// protocol: "egress esp (50) to 0.0.0.0/0".
func (r *Rule) Text(protocol func(Protocol) string) string {
	dir, prep := "ingress", "from"
	if r.Egress {
		dir, prep = "egress", "to"
	}
	s := fmt.Sprintf("%s %s", dir, protocol(r.Protocol))
	if r.Protocol.HasPorts() || r.Protocol.IsICMP() {
		s += " " + r.PortText()
	}
	return s + " " + prep + " " + r.Peer.String()
}

// FamilyMatches reports whether an ICMP rule's protocol fits the address
// family of the packet: icmp is ICMPv4 only and icmpv6 is IPv6 only; an icmp
// rule with an IPv6 CIDR matches nothing (docs/semantics.md#protocols).
func FamilyMatches(proto Protocol, addr netip.Addr) bool {
	switch proto {
	case ProtoICMP:
		return addr.Is4()
	case ProtoICMPv6:
		return addr.Is6()
	}
	return true
}

// InputError is a problem with the input at a known place: the file, the
// JSON path or line, and what was expected there. Loaders return it so the
// CLI can report it and exit with code 2.
type InputError struct {
	Loc Location
	Msg string
}

func (e *InputError) Error() string {
	switch {
	case e.Loc.File != "" && e.Loc.Line > 0 && e.Loc.Path != "":
		return fmt.Sprintf("%s:%d: %s: %s", e.Loc.File, e.Loc.Line, e.Loc.Path, e.Msg)
	case e.Loc.File != "" && e.Loc.Path != "":
		return fmt.Sprintf("%s: %s: %s", e.Loc.File, e.Loc.Path, e.Msg)
	case e.Loc.File != "" && e.Loc.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Loc.File, e.Loc.Line, e.Msg)
	case e.Loc.File != "":
		return e.Loc.File + ": " + e.Msg
	}
	return e.Msg
}
