package cloudformation

import (
	"fmt"
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

func (c *body) Unknown(field, consequence string) {
	c.l.warnUnknown(c.p, field, c.why[field], consequence)
}

func (c *body) Errorf(format string, args ...any) error {
	return iac.Errorf(c.l.loc(c.p, ""), format, args...)
}

func (c *body) FieldErrorf(field, format string, args ...any) error {
	return iac.Errorf(c.l.loc(c.p, field), "%s: %s", field, fmt.Sprintf(format, args...))
}

// Group resolves SourceSecurityGroupName through the template's groups; an
// id is taken as written.
func (c *body) Group(value string, byName bool) vpc.GroupRef {
	if byName {
		return vpc.GroupRef{GroupID: c.l.groupByName(value)}
	}
	return vpc.GroupRef{GroupID: value}
}

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
