package inventory

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// converter turns raw elements into model objects, validating form. Each
// problem becomes an *vpc.InputError naming file, line, JSON path and the
// expected form.
type converter struct {
	file     string
	data     []byte // the file's bytes, to find the lines of nested values
	out      *converted
	errs     []error
	warnings []vpc.Warning
}

func (c *converter) errf(line int, path, format string, a ...any) {
	c.errs = append(c.errs, &vpc.InputError{Loc: vpc.Location{File: c.file, Path: path, Line: line}, Msg: fmt.Sprintf(format, a...)})
}

func (c *converter) warnf(code, resource string, loc vpc.Location, format string, a ...any) {
	c.warnings = append(c.warnings, vpc.Warning{Code: code, Resource: resource, Source: loc, Message: fmt.Sprintf(format, a...)})
}

// required returns *s, or records a missing-field error.
func (c *converter) required(s *string, line int, path, want string) (string, bool) {
	if s == nil || *s == "" {
		c.errf(line, path, "missing required field; expected %s", want)
		return "", false
	}
	return *s, true
}

// prefix parses a CIDR of the given family ("IPv4", "IPv6" or "" for
// either). Non-canonical blocks (host bits set) are masked, as AWS stores
// them (docs/semantics.md#sg-peers), with a warning.
func (c *converter) prefix(s string, family string, line int, path string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	want := "a CIDR block such as 10.0.0.0/16 or 2001:db8::/56"
	switch family {
	case "IPv4":
		want = "an IPv4 CIDR block such as 10.0.0.0/16"
	case "IPv6":
		want = "an IPv6 CIDR block such as 2001:db8::/56"
	}
	if err != nil || p.Addr().Zone() != "" {
		c.errf(line, path, "%q is not a valid CIDR block; expected %s", s, want)
		return netip.Prefix{}, false
	}
	if (family == "IPv4" && !p.Addr().Is4()) || (family == "IPv6" && !p.Addr().Is6()) || p.Addr().Is4In6() {
		c.errf(line, path, "%q is the wrong address family; expected %s", s, want)
		return netip.Prefix{}, false
	}
	if m := p.Masked(); m != p {
		c.warnf("non-canonical-cidr", "", vpc.Location{File: c.file, Path: path, Line: line},
			"%s has host bits set; AWS stores it as %s", s, m)
		p = m
	}
	return p, true
}

func (c *converter) addr(s string, line int, path string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		c.errf(line, path, "%q is not a valid IP address; expected an address such as 10.0.1.5", s)
		return netip.Addr{}, false
	}
	return a, true
}

func tags(ts []rawTag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		if t.Key != nil {
			v := ""
			if t.Value != nil {
				v = *t.Value
			}
			m[*t.Key] = v
		}
	}
	return m
}

// ruleTraffic validates IpProtocol, FromPort and ToPort with the model's
// one rule, vpc.RulePorts, and returns the normalised protocol and range
// (docs/semantics.md#protocols). For protocols without ports the range is -1,-1.
func (c *converter) ruleTraffic(proto *string, from, to *int64, line int, path string) (vpc.Protocol, int32, int32, bool) {
	ps, ok := c.required(proto, line, path+".IpProtocol", "tcp, udp, icmp, icmpv6, -1 or a protocol number 0-255")
	if !ok {
		return 0, 0, 0, false
	}
	p, err := vpc.ParseProtocol(ps)
	if err != nil {
		c.errf(line, path+".IpProtocol", "%v", err)
		return 0, 0, 0, false
	}
	f, t, err := vpc.RulePorts(p, optInt(from), optInt(to))
	if err != nil {
		c.fieldErr(line, path, err)
		return 0, 0, 0, false
	}
	return p, f, t, true
}

// optInt reads an optional JSON number.
func optInt(v *int64) vpc.Int {
	if v == nil {
		return vpc.Int{}
	}
	return vpc.SomeInt(*v)
}

// fieldErr records a model validation error at path plus the field it names.
func (c *converter) fieldErr(line int, path string, err error) {
	if fe, ok := err.(*vpc.FieldError); ok {
		c.errf(line, path+"."+fe.Field, "%s", fe.Msg)
		return
	}
	c.errf(line, path, "%v", err)
}

// convertGroup converts a describe-security-groups element (legacy shape).
func (c *converter) convertGroup(e element[rawSecurityGroup]) *vpc.SecurityGroup {
	r := e.v
	id, ok := c.required(r.GroupID, e.line, e.path+".GroupId", "a security group id such as sg-0123456789abcdef0")
	if !ok {
		return nil
	}
	loc := vpc.Location{File: c.file, Path: e.path, Line: e.line}
	g := &vpc.SecurityGroup{ID: id, Name: r.GroupName, Description: r.Description, OwnerID: r.OwnerID,
		VpcID: r.VpcID, Tags: tags(r.Tags), RulesKnown: true, Source: loc}
	lines := map[string]int{}
	if c.data != nil && e.sp.end > e.sp.start {
		lines = peerLines(c.data, e.sp)
	}
	lineOf := func(rel string) int {
		if l, ok := lines[rel]; ok {
			return l
		}
		return e.line
	}
	g.Ingress = c.convertPermissions(g, r.IPPermissions, false, lineOf, e.path, "IpPermissions")
	g.Egress = c.convertPermissions(g, r.IPPermissionsEgress, true, lineOf, e.path, "IpPermissionsEgress")
	return g
}

// convertPermissions flattens legacy IpPermissions into one Rule per peer.
// lineOf gives the line of a peer entry from its path inside the group
// (IpPermissionsEgress[0].IpRanges[1]); each rule points at its own entry.
func (c *converter) convertPermissions(g *vpc.SecurityGroup, perms []rawPermission, egress bool, lineOf func(string) int, groupPath, key string) []vpc.Rule {
	var out []vpc.Rule
	for i, pm := range perms {
		rel := fmt.Sprintf("%s[%d]", key, i)
		pp := groupPath + "." + rel
		line := lineOf(rel)
		proto, from, to, ok := c.ruleTraffic(pm.IPProtocol, pm.FromPort, pm.ToPort, line, pp)
		if !ok {
			continue
		}
		add := func(peer vpc.Peer, desc, peerPath string) {
			entry := strings.TrimPrefix(peerPath[:strings.LastIndexByte(peerPath, '.')], groupPath+".")
			out = append(out, vpc.Rule{GroupID: g.ID, Egress: egress, Protocol: proto, FromPort: from, ToPort: to,
				Peer: peer, Description: desc, Index: len(out),
				Source: vpc.Location{File: c.file, Path: peerPath, Line: lineOf(entry)}})
		}
		for j, r := range pm.IPRanges {
			rp := fmt.Sprintf("%s.IpRanges[%d].CidrIp", pp, j)
			s, ok := c.required(r.CidrIP, line, rp, "an IPv4 CIDR block")
			if !ok {
				continue
			}
			if p, ok := c.prefix(s, "IPv4", line, rp); ok {
				add(vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}, r.Description, rp)
			}
		}
		for j, r := range pm.IPv6Ranges {
			rp := fmt.Sprintf("%s.Ipv6Ranges[%d].CidrIpv6", pp, j)
			s, ok := c.required(r.CidrIPv6, line, rp, "an IPv6 CIDR block")
			if !ok {
				continue
			}
			if p, ok := c.prefix(s, "IPv6", line, rp); ok {
				add(vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}, r.Description, rp)
			}
		}
		for j, r := range pm.PrefixListIDs {
			rp := fmt.Sprintf("%s.PrefixListIds[%d].PrefixListId", pp, j)
			if s, ok := c.required(r.PrefixListID, line, rp, "a prefix list id such as pl-63a5400a"); ok {
				add(vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: s}, r.Description, rp)
			}
		}
		for j, r := range pm.UserIDGroupPairs {
			rp := fmt.Sprintf("%s.UserIdGroupPairs[%d].GroupId", pp, j)
			if s, ok := c.required(r.GroupID, line, rp, "a security group id such as sg-0123456789abcdef0"); ok {
				add(vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: s, UserID: r.UserID, VpcID: r.VpcID,
					PeeringConnectionID: r.VpcPeeringConnectionID, PeeringStatus: r.PeeringStatus}}, r.Description, rp)
			}
		}
	}
	return out
}

// convertRule converts a describe-security-group-rules element (modern shape).
func (c *converter) convertRule(e element[rawSecurityGroupRule]) (vpc.Rule, bool) {
	r := e.v
	gid, ok := c.required(r.GroupID, e.line, e.path+".GroupId", "a security group id such as sg-0123456789abcdef0")
	if !ok {
		return vpc.Rule{}, false
	}
	if r.IsEgress == nil {
		c.errf(e.line, e.path+".IsEgress", "missing required field; expected true or false")
		return vpc.Rule{}, false
	}
	proto, from, to, ok := c.ruleTraffic(r.IPProtocol, r.FromPort, r.ToPort, e.line, e.path)
	if !ok {
		return vpc.Rule{}, false
	}
	var peers []string
	var peer vpc.Peer
	if r.CidrIPv4 != nil {
		peers = append(peers, "CidrIpv4")
		if p, ok := c.prefix(*r.CidrIPv4, "IPv4", e.line, e.path+".CidrIpv4"); ok {
			peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}
		} else {
			return vpc.Rule{}, false
		}
	}
	if r.CidrIPv6 != nil {
		peers = append(peers, "CidrIpv6")
		if p, ok := c.prefix(*r.CidrIPv6, "IPv6", e.line, e.path+".CidrIpv6"); ok {
			peer = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}
		} else {
			return vpc.Rule{}, false
		}
	}
	if r.PrefixListID != nil {
		peers = append(peers, "PrefixListId")
		peer = vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: *r.PrefixListID}
	}
	if r.ReferencedGroupInfo != nil {
		peers = append(peers, "ReferencedGroupInfo")
		rg := r.ReferencedGroupInfo
		gid2, ok := c.required(rg.GroupID, e.line, e.path+".ReferencedGroupInfo.GroupId", "a security group id")
		if !ok {
			return vpc.Rule{}, false
		}
		peer = vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: gid2, UserID: rg.UserID, VpcID: rg.VpcID,
			PeeringConnectionID: rg.VpcPeeringConnectionID, PeeringStatus: rg.PeeringStatus}}
	}
	if len(peers) != 1 {
		c.errf(e.line, e.path, "a rule needs exactly one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo; found %s",
			orNone(peers))
		return vpc.Rule{}, false
	}
	id := ""
	if r.SecurityGroupRuleID != nil {
		id = *r.SecurityGroupRuleID
	}
	return vpc.Rule{ID: id, GroupID: gid, Egress: *r.IsEgress, Protocol: proto, FromPort: from, ToPort: to,
		Peer: peer, Description: r.Description, Source: vpc.Location{File: c.file, Path: e.path, Line: e.line}}, true
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " and ")
}

// convertNACL converts a describe-network-acls element.
func (c *converter) convertNACL(e element[rawNACL]) *vpc.NACL {
	r := e.v
	id, ok := c.required(r.NetworkACLID, e.line, e.path+".NetworkAclId", "a network ACL id such as acl-0123456789abcdef0")
	if !ok {
		return nil
	}
	n := &vpc.NACL{ID: id, VpcID: r.VpcID, OwnerID: r.OwnerID, IsDefault: r.IsDefault, Tags: tags(r.Tags),
		Source: vpc.Location{File: c.file, Path: e.path, Line: e.line}}
	seen := map[[2]int64]string{}
	for i, en := range r.Entries {
		p := fmt.Sprintf("%s.Entries[%d]", e.path, i)
		ent, ok := c.convertNACLEntry(en, e.line, p)
		if !ok {
			continue
		}
		key := [2]int64{int64(ent.RuleNumber), b2i(ent.Egress)}
		if prev, dup := seen[key]; dup && ent.RuleNumber < 32767 {
			c.errf(e.line, p+".RuleNumber", "rule number %d appears twice in one direction (also at %s); rule numbers are unique per direction", ent.RuleNumber, prev)
			continue
		}
		seen[key] = p
		if ent.Egress {
			n.Outbound = append(n.Outbound, ent)
		} else {
			n.Inbound = append(n.Inbound, ent)
		}
	}
	n.SortEntries()
	for i, a := range r.Associations {
		if s, ok := c.required(a.SubnetID, e.line, fmt.Sprintf("%s.Associations[%d].SubnetId", e.path, i), "a subnet id"); ok {
			n.SubnetIDs = append(n.SubnetIDs, s)
		}
	}
	return n
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (c *converter) convertNACLEntry(en rawNACLEntry, line int, p string) (ent vpc.NACLEntry, ok bool) {
	ent.Source = vpc.Location{File: c.file, Path: p, Line: line}
	if en.RuleNumber == nil {
		c.errf(line, p+".RuleNumber", "missing required field; expected a rule number 1-32766 (32767/32768 for the default deny)")
		return ent, false
	}
	if *en.RuleNumber < 1 || *en.RuleNumber > 32768 {
		c.errf(line, p+".RuleNumber", "rule number %d out of range; expected 1-32766 (32767/32768 for the default deny)", *en.RuleNumber)
		return ent, false
	}
	ent.RuleNumber = int(*en.RuleNumber)
	defer func() {
		// The finished entry passes the model's validator, which allows
		// 32767/32768 only as AWS's own catch-all deny.
		if ok {
			if err := ent.Validate(); err != nil {
				c.fieldErr(line, p, err)
				ok = false
			}
		}
	}()
	if en.Egress == nil {
		c.errf(line, p+".Egress", "missing required field; expected true (outbound) or false (inbound)")
		return ent, false
	}
	ent.Egress = *en.Egress
	act, ok := c.required(en.RuleAction, line, p+".RuleAction", `"allow" or "deny"`)
	if !ok {
		return ent, false
	}
	switch act {
	case "allow":
		ent.Allow = true
	case "deny":
	default:
		c.errf(line, p+".RuleAction", "%q is not a rule action; expected \"allow\" or \"deny\"", act)
		return ent, false
	}
	ps, ok := c.required(en.Protocol, line, p+".Protocol", `a protocol number as a string, such as "6", or "-1"`)
	if !ok {
		return ent, false
	}
	proto, err := vpc.ParseProtocol(ps)
	if err != nil {
		c.errf(line, p+".Protocol", "%v", err)
		return ent, false
	}
	ent.Protocol = proto
	switch {
	case en.CidrBlock != nil && en.IPv6CidrBlock != nil:
		c.errf(line, p, "an entry has exactly one of CidrBlock and Ipv6CidrBlock; found both")
		return ent, false
	case en.CidrBlock != nil:
		if ent.Prefix, ok = c.prefix(*en.CidrBlock, "IPv4", line, p+".CidrBlock"); !ok {
			return ent, false
		}
	case en.IPv6CidrBlock != nil:
		if ent.Prefix, ok = c.prefix(*en.IPv6CidrBlock, "IPv6", line, p+".Ipv6CidrBlock"); !ok {
			return ent, false
		}
	default:
		c.errf(line, p, "missing CidrBlock or Ipv6CidrBlock; expected one of them")
		return ent, false
	}
	var from, to, typ, code vpc.Int
	if en.PortRange != nil {
		from, to = optInt(en.PortRange.From), optInt(en.PortRange.To)
	}
	if en.ICMPTypeCode != nil {
		typ, code = optInt(en.ICMPTypeCode.Type), optInt(en.ICMPTypeCode.Code)
	}
	if ent.FromPort, ent.ToPort, ent.ICMPType, ent.ICMPCode, err = vpc.NACLEntryPorts(proto, ent.Prefix, from, to, typ, code); err != nil {
		c.fieldErr(line, p, err)
		return ent, false
	}
	return ent, true
}

// convertInterface converts a describe-network-interfaces element.
func (c *converter) convertInterface(e element[rawInterface]) *vpc.Interface {
	r := e.v
	id, ok := c.required(r.NetworkInterfaceID, e.line, e.path+".NetworkInterfaceId", "an interface id such as eni-0123456789abcdef0")
	if !ok {
		return nil
	}
	eni := &vpc.Interface{ID: id, Type: r.InterfaceType, Status: r.Status, Description: r.Description,
		SubnetID: r.SubnetID, VpcID: r.VpcID, OwnerID: r.OwnerID, AvailabilityZone: r.AvailabilityZone,
		RequesterManaged: r.RequesterManaged, Tags: tags(r.TagSet),
		Source: vpc.Location{File: c.file, Path: e.path, Line: e.line}}
	if r.Attachment != nil {
		eni.InstanceID = r.Attachment.InstanceID
		eni.DeviceIndex = r.Attachment.DeviceIndex
	}
	for i, g := range r.Groups {
		if s, ok := c.required(g.GroupID, e.line, fmt.Sprintf("%s.Groups[%d].GroupId", e.path, i), "a security group id"); ok {
			eni.GroupIDs = append(eni.GroupIDs, s)
		}
	}
	seen := map[netip.Addr]bool{}
	addPriv := func(s, path string, primary bool) {
		a, ok := c.addr(s, e.line, path)
		if !ok || seen[a] {
			return
		}
		if !a.Is4() {
			c.errf(e.line, path, "%q is not an IPv4 address; expected a private IPv4 address", s)
			return
		}
		seen[a] = true
		if primary {
			eni.PrivateIPs = append([]netip.Addr{a}, eni.PrivateIPs...)
		} else {
			eni.PrivateIPs = append(eni.PrivateIPs, a)
		}
	}
	pubSeen := map[netip.Addr]bool{}
	addPub := func(s, path string) {
		if a, ok := c.addr(s, e.line, path); ok && !pubSeen[a] {
			pubSeen[a] = true
			eni.PublicIPs = append(eni.PublicIPs, a)
		}
	}
	if r.PrivateIPAddress != nil && *r.PrivateIPAddress != "" {
		addPriv(*r.PrivateIPAddress, e.path+".PrivateIpAddress", true)
	}
	for i, pa := range r.PrivateIPAddresses {
		p := fmt.Sprintf("%s.PrivateIpAddresses[%d]", e.path, i)
		s, ok := c.required(pa.PrivateIPAddress, e.line, p+".PrivateIpAddress", "an IPv4 address")
		if !ok {
			continue
		}
		addPriv(s, p+".PrivateIpAddress", pa.Primary && r.PrivateIPAddress == nil)
		if pa.Association != nil && pa.Association.PublicIP != nil && *pa.Association.PublicIP != "" {
			addPub(*pa.Association.PublicIP, p+".Association.PublicIp")
		}
	}
	if r.Association != nil && r.Association.PublicIP != nil && *r.Association.PublicIP != "" {
		addPub(*r.Association.PublicIP, e.path+".Association.PublicIp")
	}
	for i, a6 := range r.IPv6Addresses {
		p := fmt.Sprintf("%s.Ipv6Addresses[%d].Ipv6Address", e.path, i)
		s, ok := c.required(a6.IPv6Address, e.line, p, "an IPv6 address")
		if !ok {
			continue
		}
		if a, ok := c.addr(s, e.line, p); ok {
			if !a.Is6() || a.Is4In6() {
				c.errf(e.line, p, "%q is not an IPv6 address", s)
				continue
			}
			eni.IPv6s = append(eni.IPv6s, a)
		}
	}
	for i, pr := range r.IPv4Prefixes {
		p := fmt.Sprintf("%s.Ipv4Prefixes[%d].Ipv4Prefix", e.path, i)
		if s, ok := c.required(pr.IPv4Prefix, e.line, p, "an IPv4 prefix"); ok {
			if pf, ok := c.prefix(s, "IPv4", e.line, p); ok {
				eni.IPv4Prefixes = append(eni.IPv4Prefixes, pf)
			}
		}
	}
	for i, pr := range r.IPv6Prefixes {
		p := fmt.Sprintf("%s.Ipv6Prefixes[%d].Ipv6Prefix", e.path, i)
		if s, ok := c.required(pr.IPv6Prefix, e.line, p, "an IPv6 prefix"); ok {
			if pf, ok := c.prefix(s, "IPv6", e.line, p); ok {
				eni.IPv6Prefixes = append(eni.IPv6Prefixes, pf)
			}
		}
	}
	if len(eni.IPv4Prefixes)+len(eni.IPv6Prefixes) > 0 {
		c.warnf("delegated-prefixes", id, eni.Source,
			"%s has delegated prefixes; whether SG references match addresses in them is unverified, walls treats them as not matched", id)
	}
	return eni
}

// convertSubnet converts a describe-subnets element.
func (c *converter) convertSubnet(e element[rawSubnet]) *vpc.Subnet {
	r := e.v
	id, ok := c.required(r.SubnetID, e.line, e.path+".SubnetId", "a subnet id such as subnet-0123456789abcdef0")
	if !ok {
		return nil
	}
	vpcID, ok := c.required(r.VpcID, e.line, e.path+".VpcId", "a VPC id")
	if !ok {
		return nil
	}
	s := &vpc.Subnet{ID: id, VpcID: vpcID, OwnerID: r.OwnerID, AvailabilityZone: r.AvailabilityZone, Tags: tags(r.Tags),
		Source: vpc.Location{File: c.file, Path: e.path, Line: e.line}}
	if r.CidrBlock != nil && *r.CidrBlock != "" {
		if p, ok := c.prefix(*r.CidrBlock, "IPv4", e.line, e.path+".CidrBlock"); ok {
			s.CIDR = p
		}
	} else if !r.IPv6Native {
		c.errf(e.line, e.path+".CidrBlock", "missing required field; expected an IPv4 CIDR block (only IPv6-native subnets have none)")
		return nil
	}
	s.IPv6CIDRs = c.ipv6Assocs(r.IPv6CidrBlockAssociationSet, e.line, e.path)
	return s
}

func (c *converter) ipv6Assocs(as []rawIPv6CidrAssociation, line int, path string) []netip.Prefix {
	var out []netip.Prefix
	for i, a := range as {
		if a.IPv6CidrBlockState != nil && a.IPv6CidrBlockState.State != "" && a.IPv6CidrBlockState.State != "associated" {
			continue // disassociated blocks no longer route
		}
		p := fmt.Sprintf("%s.Ipv6CidrBlockAssociationSet[%d].Ipv6CidrBlock", path, i)
		if s, ok := c.required(a.IPv6CidrBlock, line, p, "an IPv6 CIDR block"); ok {
			if pf, ok := c.prefix(s, "IPv6", line, p); ok {
				out = append(out, pf)
			}
		}
	}
	return out
}

// convertVPC converts a describe-vpcs element.
func (c *converter) convertVPC(e element[rawVPC]) *vpc.VPC {
	r := e.v
	id, ok := c.required(r.VpcID, e.line, e.path+".VpcId", "a VPC id such as vpc-0123456789abcdef0")
	if !ok {
		return nil
	}
	v := &vpc.VPC{ID: id, OwnerID: r.OwnerID, IsDefault: r.IsDefault, Tags: tags(r.Tags),
		Source: vpc.Location{File: c.file, Path: e.path, Line: e.line}}
	seen := map[netip.Prefix]bool{}
	if r.CidrBlock != nil && *r.CidrBlock != "" {
		if p, ok := c.prefix(*r.CidrBlock, "IPv4", e.line, e.path+".CidrBlock"); ok {
			v.CIDRs = append(v.CIDRs, p)
			seen[p] = true
		}
	}
	for i, a := range r.CidrBlockAssociationSet {
		if a.CidrBlockState != nil && a.CidrBlockState.State != "" && a.CidrBlockState.State != "associated" {
			continue
		}
		p := fmt.Sprintf("%s.CidrBlockAssociationSet[%d].CidrBlock", e.path, i)
		if s, ok := c.required(a.CidrBlock, e.line, p, "an IPv4 CIDR block"); ok {
			if pf, ok := c.prefix(s, "IPv4", e.line, p); ok && !seen[pf] {
				seen[pf] = true
				v.CIDRs = append(v.CIDRs, pf)
			}
		}
	}
	v.IPv6CIDRs = c.ipv6Assocs(r.IPv6CidrBlockAssociationSet, e.line, e.path)
	return v
}

// convertPrefixList converts a managed or legacy prefix list element.
func (c *converter) convertPrefixList(e element[rawPrefixList]) *vpc.PrefixList {
	r := e.v
	id, ok := c.required(r.PrefixListID, e.line, e.path+".PrefixListId", "a prefix list id such as pl-63a5400a")
	if !ok {
		return nil
	}
	pl := &vpc.PrefixList{ID: id, Name: r.PrefixListName, AddressFamily: r.AddressFamily, OwnerID: r.OwnerID,
		Source: vpc.Location{File: c.file, Path: e.path, Line: e.line}}
	if r.MaxEntries != nil {
		pl.MaxEntries = int(*r.MaxEntries)
	}
	if r.Entries != nil {
		pl.Entries = c.entries(r.Entries, e.line, e.path+".Entries", pl.AddressFamily)
		pl.EntriesKnown = true
	}
	if r.Cidrs != nil {
		for i, s := range r.Cidrs {
			if p, ok := c.prefix(s, pl.AddressFamily, e.line, fmt.Sprintf("%s.Cidrs[%d]", e.path, i)); ok {
				pl.Entries = append(pl.Entries, p)
			}
		}
		pl.EntriesKnown = true
		if pl.OwnerID == "" {
			pl.OwnerID = "AWS" // describe-prefix-lists lists only the AWS-managed service lists
		}
	}
	if pl.AddressFamily == "" && len(pl.Entries) > 0 {
		pl.AddressFamily = "IPv4"
		if pl.Entries[0].Addr().Is6() {
			pl.AddressFamily = "IPv6"
		}
	}
	return pl
}

// entries validates prefix-list entries of one family ("" for either).
func (c *converter) entries(es []rawPrefixListEntry, line int, path, family string) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(es))
	for i, en := range es {
		p := fmt.Sprintf("%s[%d].Cidr", path, i)
		if s, ok := c.required(en.Cidr, line, p, "a CIDR block"); ok {
			if pf, ok := c.prefix(s, family, line, p); ok {
				out = append(out, pf)
			}
		}
	}
	return out
}
