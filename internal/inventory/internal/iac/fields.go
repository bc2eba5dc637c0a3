package iac

import (
	"net/netip"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// State says whether a field was absent (or null), known, or present but
// unknown (computed at apply time, or an expression a loader cannot
// evaluate statically).
type State uint8

// The field states.
const (
	Absent State = iota
	Known
	Unknown
)

// Body is one resource body or nested block as a loader reads it. The
// Terraform and CloudFormation loaders each implement it over their own
// value trees; the field readers in this file (Peers) hold what a field
// means, so the two loaders map fields to the model with one piece of code.
type Body interface {
	// Str reads a string field (numbers and bools in their canonical text).
	Str(field string) (string, State, error)
	// Bool reads a boolean field.
	Bool(field string) (bool, State, error)
	// StrList reads a list of strings; unknown elements are counted in
	// unknownItems and left out.
	StrList(field string) (vals []string, unknownItems int, st State, err error)
	// Int reads a whole-number field.
	Int(field string) (Int, State, error)
	// Object reads a nested object field (CloudFormation's PortRange) as
	// a Body of its own; it is nil unless the state is Known.
	Object(field string) (Body, State, error)
	// Objects reads a list of nested objects (Terraform blocks, a list of
	// CloudFormation property objects) as Bodies; unknown items are
	// counted in unknownItems and left out.
	Objects(field string) (items []Body, unknownItems int, st State, err error)
	// Unknown records that field is unknown and what was done about it. A
	// field the body does not hold is one AWS assigns when the resource
	// is created.
	Unknown(field, consequence string)
	// Errorf is an error about the body as a whole, located at it.
	Errorf(format string, args ...any) error
	// FieldErrorf is an error in the value of field (or a missing field),
	// located at the field: file:line, then the field's place as the loader
	// names it (the resource address and block path, or the template
	// path), then the message. Every error about one field has this form.
	FieldErrorf(field, format string, args ...any) error
	// Group resolves a group peer: a group id, or a group name when
	// byName (the loader looks the name up among its groups).
	Group(value string, byName bool) vpc.GroupRef
}

// PeerFields names the fields that hold a security group rule's peers, in
// the order they are read; "" is a field the resource does not have.
type PeerFields struct {
	CIDR4, CIDR6 string // IPv4 / IPv6 CIDR blocks
	PrefixList   string // managed prefix list ids
	GroupID      string // security group ids
	GroupName    string // security group names
	Self         string // a bool: the rule's own group is a peer
	// GroupOwner is a field with the account id of a GroupID peer.
	GroupOwner string

	// Lists: each field is a list and one resource holds any number of
	// peers (one AWS rule each). An unknown field leaves the peers it
	// would add out, with a warning; the rest are kept. Without Lists each
	// field is one value and exactly one must be set; an unknown field
	// skips the whole rule.
	Lists bool
	// StopAtUnknown (without Lists): the first unknown field skips the
	// rule at once; the fields after it are not read or reported.
	StopAtUnknown bool
	// Want lists the accepted peer fields for the message when there is
	// no peer (or, without Lists, not exactly one).
	Want string
}

// Peers reads a rule's peers as f names them. selfID is the group a Self
// field refers to. With f.Lists, an empty result is a rule whose peers are
// all unknown (a rule with none at all is an error). Without f.Lists the
// result is one peer, or none when the rule is skipped because a peer field
// is unknown (warned).
func Peers(b Body, f PeerFields, selfID string) ([]vpc.Peer, error) {
	var peers []vpc.Peer
	complete := true
	// add reads one field and appends its peers; stop is true when an
	// unknown value ends the reading (StopAtUnknown).
	add := func(field string, conv func(string) (vpc.Peer, error)) (stop bool, err error) {
		if field == "" {
			return false, nil
		}
		var vals []string
		if f.Lists {
			vs, unk, st, err := b.StrList(field)
			if err != nil {
				return false, err
			}
			if st == Unknown || unk > 0 {
				b.Unknown(field, "peers skipped")
				complete = false
			}
			vals = vs
		} else {
			s, st, err := b.Str(field)
			if err != nil {
				return false, err
			}
			if st == Unknown {
				b.Unknown(field, "rule skipped")
				complete = false
				return f.StopAtUnknown, nil
			}
			if st != Known || s == "" {
				return false, nil
			}
			vals = []string{s}
		}
		for _, s := range vals {
			p, err := conv(s)
			if err != nil {
				return false, b.FieldErrorf(field, "%v", err)
			}
			peers = append(peers, p)
		}
		return false, nil
	}
	cidr := func(family int) func(string) (vpc.Peer, error) {
		return func(s string) (vpc.Peer, error) {
			p, err := ParsePrefix(s, family)
			peer := vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}
			if err == nil {
				peer.Written = SlashZeroTypo(s, p) // WALLS-SG-013
			}
			return peer, err
		}
	}
	group := func(byName bool) func(string) (vpc.Peer, error) {
		return func(s string) (vpc.Peer, error) {
			p := vpc.Peer{Kind: vpc.PeerGroup, Group: b.Group(s, byName)}
			if !byName && f.GroupOwner != "" {
				if owner, _, _ := b.Str(f.GroupOwner); owner != "" {
					p.Group.UserID = owner
				}
			}
			return p, nil
		}
	}
	for _, fc := range []struct {
		field string
		conv  func(string) (vpc.Peer, error)
	}{
		{f.CIDR4, cidr(4)},
		{f.CIDR6, cidr(6)},
		{f.PrefixList, func(s string) (vpc.Peer, error) {
			return vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: s}, nil
		}},
		{f.GroupID, group(false)},
		{f.GroupName, group(true)},
	} {
		stop, err := add(fc.field, fc.conv)
		if err != nil {
			return nil, err
		}
		if stop {
			return nil, nil
		}
	}
	if f.Self != "" {
		self, st, err := b.Bool(f.Self)
		if err != nil {
			return nil, err
		}
		if st == Unknown {
			b.Unknown(f.Self, "self-reference skipped")
			complete = false
		}
		if self {
			peers = append(peers, vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: selfID}})
		}
	}
	switch {
	case f.Lists:
		if len(peers) == 0 && complete {
			return nil, b.Errorf("the rule has no peer: want %s", f.Want)
		}
	case !complete:
		return nil, nil
	case len(peers) != 1:
		return nil, b.Errorf("want exactly one of %s, found %d", f.Want, len(peers))
	}
	return peers, nil
}

// AddRule appends a rule to its group's ingress or egress list, numbering
// it by its place there.
func AddRule(g *vpc.SecurityGroup, r vpc.Rule) {
	if r.Egress {
		r.Index = len(g.Egress)
		g.Egress = append(g.Egress, r)
	} else {
		r.Index = len(g.Ingress)
		g.Ingress = append(g.Ingress, r)
	}
}

// SlashZeroTypo returns the block as written when it sets address bits
// under a /0 mask ("192.168.1.0/0", read as p, the whole internet), else
// "": the typo WALLS-SG-013 and WALLS-NACL-005 report.
func SlashZeroTypo(written string, p netip.Prefix) string {
	if p.Bits() != 0 {
		return ""
	}
	w := strings.TrimSpace(written)
	if wp, err := netip.ParsePrefix(w); err == nil && !wp.Addr().IsUnspecified() {
		return w
	}
	return ""
}
