package iac

import (
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
// field was absent or null.
type Int struct {
	V   int64
	Set bool
}

// SomeInt returns a set Int.
func SomeInt(v int64) Int { return Int{V: v, Set: true} }

// RulePorts validates and normalises a security-group rule's port part
// (docs/semantics.md#protocols): tcp and udp need a range within 0-65535; icmp needs a type and
// code within -1..255 (type -1 forces code -1); icmpv6 may omit them; "-1"
// and other protocols ignore ports and get -1/-1, whatever was written.
func RulePorts(p vpc.Protocol, from, to Int) (int32, int32, error) {
	switch {
	case p.HasPorts():
		if !from.Set || !to.Set {
			return 0, 0, fmt.Errorf("%s rule: want from and to ports 0-65535", p)
		}
		if from.V < 0 || from.V > 65535 || to.V < 0 || to.V > 65535 {
			return 0, 0, fmt.Errorf("%s ports %d-%d: want ports 0-65535", p, from.V, to.V)
		}
		if from.V > to.V {
			return 0, 0, fmt.Errorf("%s ports %d-%d: want from port <= to port", p, from.V, to.V)
		}
		return int32(from.V), int32(to.V), nil
	case p.IsICMP():
		if !from.Set && !to.Set && p == vpc.ProtoICMPv6 {
			return -1, -1, nil
		}
		if !from.Set || !to.Set {
			return 0, 0, fmt.Errorf("%s rule: want an ICMP type and code (-1 = all)", p)
		}
		if from.V < -1 || from.V > 255 || to.V < -1 || to.V > 255 {
			return 0, 0, fmt.Errorf("%s type %d code %d: want type and code -1..255", p, from.V, to.V)
		}
		if from.V == -1 {
			return -1, -1, nil
		}
		return int32(from.V), int32(to.V), nil
	}
	return -1, -1, nil
}

// EntryPorts validates a network ACL entry's ports or ICMP type and code
// (docs/semantics.md#nacl-icmp) and returns them as the model stores them: ports for tcp and udp,
// type and code for icmp and icmpv6, zeros otherwise.
func EntryPorts(p vpc.Protocol, from, to, icmpType, icmpCode Int) (fp, tp, it, ic int32, err error) {
	switch {
	case p.HasPorts():
		if !from.Set || !to.Set {
			return 0, 0, 0, 0, fmt.Errorf("%s entry: want a port range 0-65535", p)
		}
		if from.V < 0 || from.V > 65535 || to.V < 0 || to.V > 65535 || from.V > to.V {
			return 0, 0, 0, 0, fmt.Errorf("%s ports %d-%d: want from <= to within 0-65535", p, from.V, to.V)
		}
		return int32(from.V), int32(to.V), 0, 0, nil
	case p.IsICMP():
		t, c := icmpType, icmpCode
		if !t.Set {
			t = SomeInt(-1)
		}
		if !c.Set {
			c = SomeInt(-1)
		}
		if t.V < -1 || t.V > 255 || c.V < -1 || c.V > 255 {
			return 0, 0, 0, 0, fmt.Errorf("%s type %d code %d: want type and code -1..255", p, t.V, c.V)
		}
		if t.V == -1 {
			c.V = -1
		}
		return 0, 0, int32(t.V), int32(c.V), nil
	}
	return 0, 0, 0, 0, nil
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
