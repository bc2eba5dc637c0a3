package vpc

import (
	"fmt"
	"net/netip"
)

// This file is the one definition of which protocol, port and ICMP values a
// security group rule or a network ACL entry may hold, and what they mean.
// Every reader (AWS CLI JSON in both shapes, Terraform .tf and show -json,
// CloudFormation, the plan file) calls RulePorts or NACLEntryPorts, so the
// same values mean the same thing, or are refused with the same message,
// whatever file they came from; netspace.RuleSet and NACLEntrySet refuse
// what these refuse.
//
// The rule is what the EC2 API accepts and what its describe calls return:
//
//   - IpProtocol -1 (all) and protocols other than tcp, udp, icmp and
//     icmpv6 cover every port; whatever FromPort and ToPort say is
//     ignored, and the model stores -1/-1.
//   - tcp and udp need FromPort and ToPort, each 0-65535, FromPort <=
//     ToPort. -1 is refused: the API rejects it on tcp and udp ("port -1
//     out of range"), and describe output writes every port as 0-65535, so
//     a tcp -1/-1 can only come from a hand-written file, whose author may
//     have meant all ports or none. walls asks rather than guesses.
//   - icmp needs FromPort (the ICMP type) and ToPort (the code), each
//     -1..255 with -1 meaning any; icmpv6 may leave both out, meaning every
//     type and code. A type of -1 needs a code of -1: the API refuses "all
//     types, code 4".
//
// NACL entries follow CreateNetworkAclEntry: tcp and udp need PortRange
// From <= To within 0-65535; icmp, and icmpv6 on an IPv6 block, need
// IcmpTypeCode (-1 = any; a type of -1 covers every code); other
// protocols, and icmpv6 on an IPv4 block, ignore both. Rule numbers are
// 1-32766 (CheckRuleNumber).

// Int is an optional integer as an input states it: Set is false when the
// field is absent or null.
type Int struct {
	V   int64
	Set bool
}

// SomeInt returns a set Int.
func SomeInt(v int64) Int { return Int{V: v, Set: true} }

// FieldError is a rule or entry value AWS would refuse, at one field named
// as the EC2 API names it (IpProtocol, FromPort, ToPort, PortRange.From,
// PortRange.To, IcmpTypeCode, IcmpTypeCode.Type, IcmpTypeCode.Code,
// RuleNumber). Msg says what is wrong and the expected form without naming
// the field, so a reader can put the field in its own spelling (from_port)
// or its own location.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Msg }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// RulePorts checks a security group rule's FromPort and ToPort for
// protocol p and returns them as the model stores them: the port range for
// tcp and udp, type and code for icmp and icmpv6 (-1 = any), -1/-1 for
// every other protocol. An error is a *FieldError.
func RulePorts(p Protocol, from, to Int) (int32, int32, error) {
	switch {
	case p.HasPorts():
		for _, f := range []struct {
			name string
			v    Int
		}{{"FromPort", from}, {"ToPort", to}} {
			switch {
			case !f.v.Set:
				return 0, 0, fieldErr(f.name, "missing: %s rules need a port range, want a port 0-65535", p)
			case f.v.V == -1:
				return 0, 0, fieldErr(f.name, "%s port -1: want a port 0-65535 (AWS refuses -1 on %s and writes every port as 0-65535)", p, p)
			case f.v.V < 0 || f.v.V > 65535:
				return 0, 0, fieldErr(f.name, "%s port %d out of range: want a port 0-65535", p, f.v.V)
			}
		}
		if from.V > to.V {
			return 0, 0, fieldErr("FromPort", "%s ports %d-%d: want the from port <= the to port", p, from.V, to.V)
		}
		return int32(from.V), int32(to.V), nil
	case p.IsICMP():
		if !from.Set && !to.Set && p == ProtoICMPv6 {
			return -1, -1, nil // icmpv6: the range is optional and means all
		}
		if !from.Set {
			return 0, 0, fieldErr("FromPort", "missing: %s rules need the ICMP type, want -1 (all) or 0-255", p)
		}
		if !to.Set {
			return 0, 0, fieldErr("ToPort", "missing: %s rules need the ICMP code, want -1 (all) or 0-255", p)
		}
		if from.V < -1 || from.V > 255 {
			return 0, 0, fieldErr("FromPort", "%s type %d out of range: want -1 (all) or 0-255", p, from.V)
		}
		if to.V < -1 || to.V > 255 {
			return 0, 0, fieldErr("ToPort", "%s code %d out of range: want -1 (all) or 0-255", p, to.V)
		}
		if from.V == -1 && to.V != -1 {
			return 0, 0, fieldErr("ToPort", "%s code %d with type -1: want code -1 (every type means every code)", p, to.V)
		}
		return int32(from.V), int32(to.V), nil
	}
	return -1, -1, nil // -1 and other protocols: every port, values ignored
}

// Validate checks a model rule as RulePorts checks input: a protocol -1 or
// 0-255, ports the protocol allows, and a peer. It accepts every rule a
// reader built, and what it accepts netspace.RuleSet accepts.
func (r *Rule) Validate() error {
	if r.Protocol < -1 || r.Protocol > 255 {
		return fieldErr("IpProtocol", "protocol %d: want tcp, udp, icmp, icmpv6, -1 or a number 0-255", r.Protocol)
	}
	if _, _, err := RulePorts(r.Protocol, SomeInt(int64(r.FromPort)), SomeInt(int64(r.ToPort))); err != nil {
		return err
	}
	switch r.Peer.Kind {
	case PeerCIDR:
		if !r.Peer.Prefix.IsValid() {
			return fieldErr("CidrIpv4", "missing CIDR block")
		}
	case PeerPrefixList:
		if r.Peer.PrefixListID == "" {
			return fieldErr("PrefixListId", "missing prefix list id")
		}
	case PeerGroup:
		if r.Peer.Group.GroupID == "" {
			return fieldErr("ReferencedGroupInfo.GroupId", "missing security group id")
		}
	default:
		return fieldErr("CidrIpv4", "no peer: want exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo")
	}
	return nil
}

// NACLEntryPorts checks a network ACL entry's PortRange (from, to) and
// IcmpTypeCode (icmpType, icmpCode) for protocol p on block prefix, and
// returns them as the model stores them: the range for tcp and udp (0-65535
// otherwise), type and code for icmp and for icmpv6 on an IPv6 block
// (-1/-1 otherwise, and a type of -1 forces code -1). An IcmpTypeCode with
// only one of its fields set has -1 for the other. An error is a
// *FieldError.
func NACLEntryPorts(p Protocol, prefix netip.Prefix, from, to, icmpType, icmpCode Int) (fp, tp, it, ic int32, err error) {
	fp, tp, it, ic = 0, 65535, -1, -1
	switch {
	case p.HasPorts():
		if !from.Set {
			return 0, 0, 0, 0, fieldErr("PortRange.From", "missing: protocol %s needs a port range, want From and To 0-65535", p)
		}
		if !to.Set {
			return 0, 0, 0, 0, fieldErr("PortRange.To", "missing: protocol %s needs a port range, want From and To 0-65535", p)
		}
		if from.V < 0 || from.V > 65535 {
			return 0, 0, 0, 0, fieldErr("PortRange.From", "%s port %d out of range: want 0-65535", p, from.V)
		}
		if to.V < 0 || to.V > 65535 {
			return 0, 0, 0, 0, fieldErr("PortRange.To", "%s port %d out of range: want 0-65535", p, to.V)
		}
		if from.V > to.V {
			return 0, 0, 0, 0, fieldErr("PortRange.From", "%s port range %d-%d: want From <= To", p, from.V, to.V)
		}
		return int32(from.V), int32(to.V), -1, -1, nil
	case p == ProtoICMP || p == ProtoICMPv6 && prefix.Addr().Is6():
		if !icmpType.Set && !icmpCode.Set {
			return 0, 0, 0, 0, fieldErr("IcmpTypeCode", "missing: protocol %s needs an ICMP type and code, want -1 (all) or 0-255", p)
		}
		t, c := int64(-1), int64(-1)
		if icmpType.Set {
			t = icmpType.V
		}
		if icmpCode.Set {
			c = icmpCode.V
		}
		if t < -1 || t > 255 {
			return 0, 0, 0, 0, fieldErr("IcmpTypeCode.Type", "%s type %d out of range: want -1 (all) or 0-255", p, t)
		}
		if c < -1 || c > 255 {
			return 0, 0, 0, 0, fieldErr("IcmpTypeCode.Code", "%s code %d out of range: want -1 (all) or 0-255", p, c)
		}
		if t == -1 {
			c = -1
		}
		it, ic = int32(t), int32(c)
	}
	return fp, tp, it, ic, nil
}

// Validate checks a model entry: its rule number (CheckRuleNumber), a
// protocol -1 or 0-255, a block, and ports or ICMP values as NACLEntryPorts
// checks them.
func (e *NACLEntry) Validate() error {
	if err := e.CheckRuleNumber(); err != nil {
		return &FieldError{Field: "RuleNumber", Msg: err.Error()}
	}
	if e.Protocol < -1 || e.Protocol > 255 {
		return fieldErr("Protocol", "protocol %d: want -1 or a number 0-255", e.Protocol)
	}
	if !e.Prefix.IsValid() {
		return fieldErr("CidrBlock", "missing: want one of CidrBlock and Ipv6CidrBlock")
	}
	_, _, _, _, err := NACLEntryPorts(e.Protocol, e.Prefix, SomeInt(int64(e.FromPort)), SomeInt(int64(e.ToPort)),
		SomeInt(int64(e.ICMPType)), SomeInt(int64(e.ICMPCode)))
	return err
}
