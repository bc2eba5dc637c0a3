package cloudformation

import (
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// body is a property object read through iac.Body, so the field readers
// shared with the Terraform loader apply to CloudFormation resources. It
// keeps why each unknown field it read is unknown, for the warnings.
type body struct {
	l   *loader
	p   props
	why map[string]unknown
}

var _ iac.Body = (*body)(nil)

func newBody(l *loader, p props) *body { return &body{l: l, p: p, why: map[string]unknown{}} }

func (c *body) note(field string, st state, u unknown) {
	if st == isUnknown {
		c.why[field] = u
	}
}

func (c *body) Str(field string) (string, iac.State, error) {
	s, st, u, err := c.l.str(c.p, field)
	if st == isUnknown && (field == "SourceSecurityGroupId" || field == "DestinationSecurityGroupId") {
		// A peer group from another stack (!ImportValue) or a parameter
		// without Default certainly is one group: the rule is kept, its
		// peer named as written (an undeclared group, vpc.UndeclaredGroup).
		if w := c.l.asWritten(c.p.n.Get(field)); w != "" {
			return w, iac.Known, nil
		}
	}
	c.note(field, st, u)
	return s, st, err
}

func (c *body) Bool(field string) (bool, iac.State, error) {
	v, st, u, err := c.l.boolean(c.p, field)
	c.note(field, st, u)
	return v, st, err
}

func (c *body) StrList(field string) ([]string, int, iac.State, error) {
	vs, unk, st, u, err := c.l.strList(c.p, field)
	if st == isUnknown || unk > 0 {
		c.why[field] = u
	}
	return vs, unk, st, err
}

func (c *body) Int(field string) (iac.Int, iac.State, error) {
	v, st, u, err := c.l.integer(c.p, field)
	c.note(field, st, u)
	return v, st, err
}

// Object reads a nested property object (PortRange, Icmp); a value that
// is no object reads as absent.
func (c *body) Object(field string) (iac.Body, iac.State, error) {
	if o := c.l.asObject(c.p.n.Get(field)); o != nil {
		return newBody(c.l, props{n: o, path: c.p.path + "." + field, res: c.p.res, line: o.Line}), known, nil
	}
	if _, u, ok := c.l.unknownProp(c.p, field); ok {
		c.why[field] = u
		return nil, isUnknown, nil
	}
	return nil, absent, nil
}

// Objects reads a list of property objects; an unknown item is counted,
// its reason kept for the warning about the list.
func (c *body) Objects(field string) ([]iac.Body, int, iac.State, error) {
	items, unk, st, u, err := c.l.objectsOf(c.p, field, false)
	if st == isUnknown || unk > 0 {
		c.why[field] = u
	}
	out := make([]iac.Body, len(items))
	for i, it := range items {
		out[i] = newBody(c.l, it)
	}
	return out, unk, st, err
}

// Unknown warns about field; one the body does not hold is a value AWS
// assigns when the stack is deployed.
func (c *body) Unknown(field, consequence string) {
	u, ok := c.why[field]
	if !ok {
		u = unknown{"AWS assigns it at deploy time"}
	}
	c.l.warnUnknown(c.p, field, u, consequence)
}

func (c *body) Errorf(format string, args ...any) error {
	return iac.Errorf(c.l.loc(c.p, ""), format, args...)
}

// FieldErrorf: the location's template path ends with the field, so the
// message does not repeat it.
func (c *body) FieldErrorf(field, format string, args ...any) error {
	return iac.Errorf(c.l.loc(c.p, field), format, args...)
}

// Group resolves SourceSecurityGroupName through the template's groups; an
// id is taken as written.
func (c *body) Group(value string, byName bool) vpc.GroupRef {
	if byName {
		return vpc.GroupRef{GroupID: c.l.groupByName(value)}
	}
	return vpc.GroupRef{GroupID: value}
}

// The protocol and port fields of a rule, and the fields of a
// NetworkAclEntry: PortRange and Icmp are objects, required when the
// protocol needs them.
var (
	ruleHead    = iac.HeadFields{Protocol: "IpProtocol", From: "FromPort", To: "ToPort"}
	entryFields = iac.EntryFields{Number: "RuleNumber", Action: "RuleAction", Protocol: "Protocol",
		ProtocolWant: "a protocol number such as 6 (tcp), 17 (udp), 1 (icmp) or -1 (all)",
		CIDR4:        "CidrBlock", CIDR6: "Ipv6CidrBlock",
		PortRange: "PortRange", From: "From", To: "To", ICMP: "Icmp", Type: "Type", Code: "Code"}
)

// The peer fields of a rule (inline item or standalone resource), by
// direction; SourceSecurityGroupOwnerId qualifies a group id in either.
var ingressPeers, egressPeers = cfPeers(iac.PeerFields{CIDR4: "CidrIp", CIDR6: "CidrIpv6", PrefixList: "SourcePrefixListId",
	GroupID: "SourceSecurityGroupId", GroupName: "SourceSecurityGroupName"}),
	cfPeers(iac.PeerFields{CIDR4: "CidrIp", CIDR6: "CidrIpv6", PrefixList: "DestinationPrefixListId",
		GroupID: "DestinationSecurityGroupId"})

func cfPeers(f iac.PeerFields) iac.PeerFields {
	f.GroupOwner = "SourceSecurityGroupOwnerId"
	f.StopAtUnknown = true
	var names []string
	for _, n := range []string{f.CIDR4, f.CIDR6, f.PrefixList, f.GroupID, f.GroupName} {
		if n != "" {
			names = append(names, n)
		}
	}
	f.Want = strings.Join(names, ", ")
	return f
}
