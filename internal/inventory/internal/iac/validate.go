package iac

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// Errorf returns a located *vpc.InputError.
func Errorf(loc vpc.Location, format string, args ...any) error {
	return &vpc.InputError{Loc: loc, Msg: fmt.Sprintf(format, args...)}
}

// ParsePrefix reads a CIDR block strictly ("10.0.0.0/16", "2001:db8::/56")
// and returns it canonical (masked), as AWS stores it (docs/semantics.md#sg-peers). family is
// 4, 6 or 0 for either.
func ParsePrefix(s string, family int) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || p.Addr().Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("CIDR %q: want an address block such as 10.0.0.0/16 or 2001:db8::/56", s)
	}
	switch {
	case family == 4 && !p.Addr().Is4():
		return netip.Prefix{}, fmt.Errorf("CIDR %q: want an IPv4 block such as 10.0.0.0/16", s)
	case family == 6 && !p.Addr().Is6():
		return netip.Prefix{}, fmt.Errorf("CIDR %q: want an IPv6 block such as 2001:db8::/56", s)
	case p.Addr().Is4In6():
		return netip.Prefix{}, fmt.Errorf("CIDR %q: want a plain IPv4 or IPv6 block, not an IPv4-mapped one", s)
	}
	return p.Masked(), nil
}

// ParseAddr reads a single IP address strictly.
func ParseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("address %q: want an IP address such as 10.0.1.5", s)
	}
	return a.Unmap(), nil
}

// Int is an optional integer as read from IaC input: Set is false when the
// field was absent or null. It is the model's own type, so values go to
// vpc.RulePorts and vpc.NACLEntryPorts, the one check every reader uses.
type Int = vpc.Int

// SomeInt returns a set Int.
func SomeInt(v int64) Int { return vpc.SomeInt(v) }

// Field returns the field a model validation error names, spelled as the
// input spells it: names maps the EC2 API's name (FromPort,
// PortRange.From, IcmpTypeCode.Type, …) to the input's (from_port,
// PortRange.From, icmp_type, …). A name names does not hold is returned
// as it is; def is returned for an error that names no field.
func Field(err error, names map[string]string, def string) string {
	var fe *vpc.FieldError
	if !errors.As(err, &fe) {
		return def
	}
	if n, ok := names[fe.Field]; ok {
		return n
	}
	return fe.Field
}

// RuleNumber validates a NACL rule number (1-32766, docs/semantics.md#nacl-order) with the model's
// own check, vpc.NACLEntry.CheckRuleNumber: infrastructure as code cannot
// write AWS's default deny, so 32767 is refused here too.
func RuleNumber(n int64) (int, error) {
	if n < 1 || n > 32766 {
		e := vpc.NACLEntry{RuleNumber: int(min(max(n, -1), 1<<20)), Allow: true}
		if err := e.CheckRuleNumber(); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// Action reads a NACL rule action: allow or deny.
func Action(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "allow":
		return true, nil
	case "deny":
		return false, nil
	}
	return false, fmt.Errorf("rule action %q: want allow or deny", s)
}

// GroupRef reads a security group id as IaC writes it: "sg-…" or, for a
// group in another account, "111122223333/sg-…".
func GroupRef(s string) vpc.GroupRef {
	if acct, id, ok := strings.Cut(s, "/"); ok && isAccountID(acct) && id != "" {
		return vpc.GroupRef{GroupID: id, UserID: acct}
	}
	return vpc.GroupRef{GroupID: s}
}

// isAccountID reports whether s is an AWS account id: 12 digits. Anything
// else before a slash is part of the id (a qualified IaC address such as
// envs/staging/aws_security_group.web).
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// TakenBy returns where the object the inventory already holds under id
// was read from, and whether there is one.
func TakenBy(inv *vpc.Inventory, id string) (vpc.Location, bool) {
	switch {
	case inv.Groups[id] != nil:
		return inv.Groups[id].Source, true
	case inv.NACLs[id] != nil:
		return inv.NACLs[id].Source, true
	case inv.Interfaces[id] != nil:
		return inv.Interfaces[id].Source, true
	case inv.Subnets[id] != nil:
		return inv.Subnets[id].Source, true
	case inv.VPCs[id] != nil:
		return inv.VPCs[id].Source, true
	case inv.PrefixLists[id] != nil:
		return inv.PrefixLists[id].Source, true
	}
	return vpc.Location{}, false
}

// SamePath reports whether two paths name the same file or folder, however
// they were spelled (./a.json, a.json, /abs/a.json).
func SamePath(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return aa == bb
}

// SortNACL sorts a NACL's entries by rule number and reports the first
// duplicate rule number in one direction, which AWS rejects (docs/semantics.md#nacl-order).
func SortNACL(n *vpc.NACL) (dup *vpc.NACLEntry) {
	n.SortEntries()
	for _, es := range [][]vpc.NACLEntry{n.Inbound, n.Outbound} {
		for i := 1; i < len(es); i++ {
			if es[i].RuleNumber == es[i-1].RuleNumber {
				return &es[i]
			}
		}
	}
	return nil
}
