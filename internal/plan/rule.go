package plan

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// Rule is one security group rule as the plan file writes it: the AWS API's
// own SecurityGroupRule field names, so jq scripts and the AWS CLI read it
// without a dictionary, plus walls' evidence for proposed rules.
type Rule struct {
	SecurityGroupRuleID string     `json:"SecurityGroupRuleId,omitempty"`
	IPProtocol          string     `json:"IpProtocol"`
	FromPort            int32      `json:"FromPort"`
	ToPort              int32      `json:"ToPort"`
	CidrIPv4            string     `json:"CidrIpv4,omitempty"`
	CidrIPv6            string     `json:"CidrIpv6,omitempty"`
	PrefixListID        string     `json:"PrefixListId,omitempty"`
	ReferencedGroupInfo *GroupInfo `json:"ReferencedGroupInfo,omitempty"`
	Description         string     `json:"Description,omitempty"`
	IsEgress            bool       `json:"IsEgress"`
	// Evidence says which observations need a proposed rule; empty on
	// current rules.
	Evidence *Evidence `json:"evidence,omitempty"`
}

// GroupInfo is the AWS ReferencedGroupInfo of an SG-reference rule, as
// the model writes it.
type GroupInfo = vpc.ReferencedGroupJSON

// FromVPC renders a model rule in the plan's JSON shape.
// It is the model's own JSON form (vpc.Rule.JSON) without GroupId, with
// ports -1 for a protocol that has neither ports nor ICMP types, as AWS
// writes them.
func FromVPC(r *vpc.Rule) Rule {
	j := r.JSON()
	out := Rule{
		SecurityGroupRuleID: j.SecurityGroupRuleID,
		IPProtocol:          j.IPProtocol,
		FromPort:            j.FromPort,
		ToPort:              j.ToPort,
		CidrIPv4:            j.CidrIPv4,
		CidrIPv6:            j.CidrIPv6,
		PrefixListID:        j.PrefixListID,
		ReferencedGroupInfo: j.ReferencedGroupInfo,
		Description:         j.Description,
		IsEgress:            j.IsEgress,
	}
	if !r.Protocol.HasPorts() && !r.Protocol.IsICMP() {
		out.FromPort, out.ToPort = -1, -1
	}
	return out
}

// ToVPC checks the rule and converts it to the model, as a rule of group
// groupID. It accepts exactly what AWS accepts for one SecurityGroupRule:
// one peer, canonical CIDRs, ports within range for the protocol
// (vpc.RulePorts, the rule every inventory reader applies too).
func (r *Rule) ToVPC(groupID string) (vpc.Rule, error) { return r.toVPC(groupID, true, true) }

// toVPC is ToVPC for a rule read from a file, where FromPort or ToPort may
// be absent (fromSet, toSet false): an icmpv6 rule without them allows
// every type and code, and a tcp rule without them is refused, as by every
// inventory reader.
func (r *Rule) toVPC(groupID string, fromSet, toSet bool) (vpc.Rule, error) {
	proto, err := vpc.ParseProtocol(r.IPProtocol)
	if err != nil {
		return vpc.Rule{}, &FieldError{Field: "IpProtocol", Err: err}
	}
	// The model's one rule for ports (vpc.RulePorts): what AWS accepts,
	// checked as every inventory reader checks it.
	from, to, err := vpc.RulePorts(proto, vpc.Int{V: int64(r.FromPort), Set: fromSet}, vpc.Int{V: int64(r.ToPort), Set: toSet})
	if err != nil {
		field := "FromPort"
		var fe *vpc.FieldError
		if errors.As(err, &fe) {
			field = fe.Field
		}
		return vpc.Rule{}, &FieldError{Field: field, Err: err}
	}
	out := vpc.Rule{ID: r.SecurityGroupRuleID, GroupID: groupID, Egress: r.IsEgress, Protocol: proto,
		FromPort: from, ToPort: to, Description: r.Description}
	peers := 0
	if r.CidrIPv4 != "" {
		peers++
		p, err := parseCanonical(r.CidrIPv4)
		if err != nil || !p.Addr().Is4() {
			return vpc.Rule{}, fieldErrorf("CidrIpv4", "CidrIpv4 %q: want an IPv4 CIDR such as 10.0.0.0/16", r.CidrIPv4)
		}
		out.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}
	}
	if r.CidrIPv6 != "" {
		peers++
		p, err := parseCanonical(r.CidrIPv6)
		if err != nil || !p.Addr().Is6() {
			return vpc.Rule{}, fieldErrorf("CidrIpv6", "CidrIpv6 %q: want an IPv6 CIDR such as ::/0", r.CidrIPv6)
		}
		out.Peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}
	}
	if r.PrefixListID != "" {
		peers++
		out.Peer = vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: r.PrefixListID}
	}
	if g := r.ReferencedGroupInfo; g != nil {
		peers++
		if g.GroupID == "" {
			return vpc.Rule{}, fieldErrorf("ReferencedGroupInfo", "ReferencedGroupInfo without GroupId")
		}
		out.Peer = vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: g.GroupID, UserID: g.UserID,
			VpcID: g.VpcID, PeeringConnectionID: g.VpcPeeringConnectionID, PeeringStatus: g.PeeringStatus}}
	}
	if peers != 1 {
		return vpc.Rule{}, fmt.Errorf("rule has %d peers: want exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo", peers)
	}
	return out, nil
}

// FieldError is a rule problem located at one of its fields (the AWS key,
// such as FromPort), so that a plan error can name the line of that value.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErrorf(field, format string, a ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, a...)}
}

func parseCanonical(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	if p.Addr().Zone() != "" || p.Addr().Is4In6() {
		return p, fmt.Errorf("not a plain CIDR")
	}
	return p.Masked(), nil
}

// Key identifies what a rule allows, ignoring its id and description: two
// rules with the same key are duplicates to AWS.
func Key(r *vpc.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%d|%d|", r.Protocol, r.FromPort, r.ToPort)
	if r.Protocol == vpc.ProtoAll || !r.Protocol.HasPorts() && !r.Protocol.IsICMP() {
		b.Reset()
		fmt.Fprintf(&b, "%s|-1|-1|", r.Protocol)
	}
	b.WriteString(r.Peer.String())
	if r.Peer.Kind == vpc.PeerGroup && r.Peer.Group.UserID != "" {
		b.WriteString("@" + r.Peer.Group.UserID)
	}
	return b.String()
}
