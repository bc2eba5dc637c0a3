package vpc

import (
	"encoding/json"
	"strconv"
)

// RuleJSON is an SG rule in the AWS API's own field names (the modern
// SecurityGroupRule shape), so JSON output reads without a dictionary and
// jq scripts written against the AWS CLI work on it (docs/semantics.md#walls-choices).
type RuleJSON struct {
	SecurityGroupRuleID string               `json:"SecurityGroupRuleId,omitempty"`
	GroupID             string               `json:"GroupId,omitempty"`
	IsEgress            bool                 `json:"IsEgress"`
	IPProtocol          string               `json:"IpProtocol"`
	FromPort            int32                `json:"FromPort"`
	ToPort              int32                `json:"ToPort"`
	CidrIPv4            string               `json:"CidrIpv4,omitempty"`
	CidrIPv6            string               `json:"CidrIpv6,omitempty"`
	PrefixListID        string               `json:"PrefixListId,omitempty"`
	ReferencedGroupInfo *ReferencedGroupJSON `json:"ReferencedGroupInfo,omitempty"`
	Description         string               `json:"Description,omitempty"`
}

// ReferencedGroupJSON is ReferencedGroupInfo in AWS field names.
type ReferencedGroupJSON struct {
	GroupID                string `json:"GroupId"`
	UserID                 string `json:"UserId,omitempty"`
	VpcID                  string `json:"VpcId,omitempty"`
	VpcPeeringConnectionID string `json:"VpcPeeringConnectionId,omitempty"`
	PeeringStatus          string `json:"PeeringStatus,omitempty"`
}

// JSON returns the rule in AWS field names.
func (r *Rule) JSON() RuleJSON {
	j := RuleJSON{SecurityGroupRuleID: r.ID, GroupID: r.GroupID, IsEgress: r.Egress, IPProtocol: r.Protocol.String(),
		FromPort: r.FromPort, ToPort: r.ToPort, Description: r.Description}
	switch r.Peer.Kind {
	case PeerCIDR:
		if r.Peer.Prefix.Addr().Is4() {
			j.CidrIPv4 = r.Peer.Prefix.String()
		} else {
			j.CidrIPv6 = r.Peer.Prefix.String()
		}
	case PeerPrefixList:
		j.PrefixListID = r.Peer.PrefixListID
	case PeerGroup:
		g := r.Peer.Group
		j.ReferencedGroupInfo = &ReferencedGroupJSON{GroupID: g.GroupID, UserID: g.UserID, VpcID: g.VpcID,
			VpcPeeringConnectionID: g.PeeringConnectionID, PeeringStatus: g.PeeringStatus}
	}
	return j
}

// MarshalJSON writes the rule in AWS field names.
func (r Rule) MarshalJSON() ([]byte, error) { return json.Marshal(r.JSON()) }

// NACLEntryJSON is a network ACL entry in AWS field names.
type NACLEntryJSON struct {
	RuleNumber    int            `json:"RuleNumber"`
	Egress        bool           `json:"Egress"`
	RuleAction    string         `json:"RuleAction"`
	Protocol      string         `json:"Protocol"`
	CidrBlock     string         `json:"CidrBlock,omitempty"`
	IPv6CidrBlock string         `json:"Ipv6CidrBlock,omitempty"`
	PortRange     *PortRangeJSON `json:"PortRange,omitempty"`
	IcmpTypeCode  *IcmpJSON      `json:"IcmpTypeCode,omitempty"`
}

// PortRangeJSON is a NACL PortRange.
type PortRangeJSON struct {
	From int32 `json:"From"`
	To   int32 `json:"To"`
}

// IcmpJSON is a NACL IcmpTypeCode.
type IcmpJSON struct {
	Type int32 `json:"Type"`
	Code int32 `json:"Code"`
}

// MarshalJSON writes the entry in AWS field names; Protocol is the number
// as a string, as the NACL API has it.
func (e NACLEntry) MarshalJSON() ([]byte, error) {
	action := "deny"
	if e.Allow {
		action = "allow"
	}
	proto := "-1"
	if e.Protocol != ProtoAll {
		proto = strconv.Itoa(int(e.Protocol))
	}
	j := NACLEntryJSON{RuleNumber: e.RuleNumber, Egress: e.Egress, RuleAction: action, Protocol: proto}
	if e.Prefix.Addr().Is4() {
		j.CidrBlock = e.Prefix.String()
	} else {
		j.IPv6CidrBlock = e.Prefix.String()
	}
	switch {
	case e.Protocol.HasPorts():
		j.PortRange = &PortRangeJSON{From: e.FromPort, To: e.ToPort}
	case e.Protocol.IsICMP():
		j.IcmpTypeCode = &IcmpJSON{Type: e.ICMPType, Code: e.ICMPCode}
	}
	return json.Marshal(j)
}
