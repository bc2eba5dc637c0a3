package cloudformation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// The VPC, block and subnet fields of a template (AWS::EC2::VPC has no
// IPv6 block of its own: an AWS::EC2::VPCCidrBlock adds it).
var (
	vpcFields        = iac.BlockFields{CIDR4: "CidrBlock"}
	blockFields      = iac.BlockFields{CIDR4: "CidrBlock", CIDR6: "Ipv6CidrBlock", AmazonIPv6: "AmazonProvidedIpv6CidrBlock"}
	subnetFields     = iac.SubnetFields{VPC: "VpcId", AZ: "AvailabilityZone", CIDR4: "CidrBlock", CIDR6: "Ipv6CidrBlock"}
	prefixListFields = iac.PrefixListFields{Name: "PrefixListName", Family: "AddressFamily", MaxEntries: "MaxEntries",
		Entries: "Entries", Entry: "Cidr"}
)

func (l *loader) vpc(p props) error {
	v := &vpc.VPC{ID: l.id(p.res), Tags: l.tags(p), Source: l.resLoc(p)}
	if err := iac.VPCBlocks(newBody(l, p), vpcFields, v); err != nil {
		return err
	}
	iac.PutVPC(l.inv, v)
	return nil
}

// vpcCidrBlock adds a secondary IPv4 or an IPv6 block to a VPC.
func (l *loader) vpcCidrBlock(p props) error {
	return iac.VPCAssociation(l.inv, newBody(l, p), "VpcId", blockFields, l.resLoc(p))
}

func (l *loader) subnet(p props) error {
	s := &vpc.Subnet{ID: l.id(p.res), Tags: l.tags(p), Source: l.resLoc(p)}
	return iac.Subnet(l.inv, newBody(l, p), subnetFields, s)
}

// group reads AWS::EC2::SecurityGroup. Without SecurityGroupEgress,
// CloudFormation keeps AWS's default allow-all IPv4 egress (docs/semantics.md#inputs): walls
// adds it, described as AssumedDefaultEgress, with a warning.
func (l *loader) group(p props) error {
	g := &vpc.SecurityGroup{ID: l.id(p.res), Tags: l.tags(p), RulesKnown: true, Source: l.resLoc(p),
		Declared: vpc.Declared{Tool: vpc.ToolCloudFormation, Address: p.res, Type: "AWS::EC2::SecurityGroup"}}
	g.Name, _, _, _ = l.str(p, "GroupName")
	if g.Name == "" {
		g.Name = p.res // CloudFormation generates stack-LogicalId-XXXX
	}
	g.Description, _, _, _ = l.str(p, "GroupDescription")
	var err error
	if g.VpcID, err = l.refProp(p, "VpcId", "the group's VPC is not known"); err != nil {
		return err
	}
	if prev := l.inv.Groups[g.ID]; prev != nil {
		g.Ingress, g.Egress = prev.Ingress, prev.Egress
	}
	for _, egress := range []bool{false, true} {
		key := "SecurityGroupIngress"
		if egress {
			key = "SecurityGroupEgress"
		}
		items, st, u, err := l.objects(p, key)
		if err != nil {
			return err
		}
		switch st {
		case isUnknown:
			l.warnUnknown(p, key, u, "the group's rules in that direction are not known")
			g.RulesKnown = false
			continue
		case absent, known:
			if raw := p.n.Get(key); st == known && (len(items) > 0 || !egress || raw.Kind == iac.Array && len(raw.Items) > 0) {
				break // declared rules, or items already reported unknown
			}
			if st == absent && l.mayHaveMade(p.n, key) {
				// A loop the loader could not expand may make the
				// rules (its warning names it): neither none nor the
				// default egress is known.
				g.RulesKnown = false
				continue
			}
			if egress { // "any egress rule" suppresses the default: none is not any
				iac.AddRule(g, vpc.Rule{GroupID: g.ID, Egress: true, Protocol: vpc.ProtoAll, FromPort: -1, ToPort: -1,
					Peer: vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netipAll4}, Description: AssumedDefaultEgress, Assumed: true, When: l.resWhen, Source: g.Source,
					Declared: vpc.Declared{Tool: vpc.ToolCloudFormation, Address: p.res, Type: "AWS::EC2::SecurityGroup", Inline: true}})
				l.defaultEgress = append(l.defaultEgress, p.res)
			}
			continue
		}
		for _, it := range items {
			if err := l.variants(it.n, func(when string) error {
				v := it
				v.when = joinWhen(it.when, when)
				return l.rule(v, g, egress, false)
			}); err != nil {
				return err
			}
		}
	}
	l.inv.Groups[g.ID] = g
	l.inv.Loaded[vpc.KindSecurityGroups] = true
	return nil
}

// rule reads one rule (inline item or standalone resource properties).
func (l *loader) rule(p props, g *vpc.SecurityGroup, egress, standalone bool) error {
	bd := newBody(l, p)
	proto, from, to, ok, err := iac.RuleHead(bd, ruleHead)
	if err != nil || !ok {
		return err
	}
	fields := ingressPeers
	if egress {
		fields = egressPeers
	}
	peers, err := iac.Peers(bd, fields, g.ID)
	if err != nil || len(peers) == 0 {
		return err // len 0: a peer is unknown, the rule skipped
	}
	desc, _, _, _ := l.str(p, "Description")
	r := vpc.Rule{GroupID: g.ID, Egress: egress, Protocol: proto, FromPort: from, ToPort: to, Peer: peers[0], Description: desc,
		When: joinWhen(l.resWhen, p.when), Source: vpc.Location{File: l.file, Path: p.path, Line: p.line}}
	if standalone {
		r.ID = l.id(p.res)
		r.Source = l.resLoc(p)
		r.Declared = vpc.Declared{Tool: vpc.ToolCloudFormation, Address: p.res, Type: l.types[p.res]}
	} else {
		r.Declared = vpc.Declared{Tool: vpc.ToolCloudFormation, Address: p.res, Type: "AWS::EC2::SecurityGroup", Inline: true}
		if p.n != nil {
			r.Source.Line = p.line
		}
	}
	iac.AddRule(g, r)
	return nil
}

// groupByName finds a template group by GroupName (SourceSecurityGroupName
// refers to groups by name); else the name itself stands for the group.
func (l *loader) groupByName(name string) string {
	for id, t := range l.types {
		if t != "AWS::EC2::SecurityGroup" {
			continue
		}
		p := props{n: l.resources[id].Get("Properties"), res: id}
		if n, _, _, _ := l.str(p, "GroupName"); n == name {
			return l.id(id)
		}
	}
	return name
}

// standaloneRule reads AWS::EC2::SecurityGroupIngress / Egress. A
// standalone egress rule adds to the group's rules; it does not remove the
// default egress a group declared without SecurityGroupEgress keeps.
func (l *loader) standaloneRule(p props, egress bool) error {
	gid, st, u, err := l.str(p, "GroupId")
	if err != nil {
		return err
	}
	undeclared := false
	if st == isUnknown {
		if gid = l.asWritten(p.n.Get("GroupId")); gid == "" {
			l.warnUnknown(p, "GroupId", u, "rule skipped")
			return nil
		}
		undeclared = true
	}
	if gid == "" && !egress {
		if name, _, _, _ := l.str(p, "GroupName"); name != "" {
			gid = l.groupByName(name)
		}
	}
	if gid == "" {
		return iac.Errorf(l.loc(p, ""), "missing GroupId: want the id of the group the rule belongs to")
	}
	g := l.inv.Groups[gid]
	if g == nil || undeclared {
		if g == nil {
			l.inv.Warn(vpc.Warning{Code: "undeclared-group", Resource: p.res, Note: true,
				Message: fmt.Sprintf("%s: security group %s is not declared in this template; its rules here are audited on their own", p.res, gid),
				Source:  l.resLoc(p)})
		}
		g = vpc.UndeclaredGroup(l.inv, gid, l.resLoc(p))
	}
	l.inv.Loaded[vpc.KindSecurityGroupRules] = true
	p.line = l.resources[p.res].Line
	return l.variants(p.n, func(when string) error {
		v := p
		v.when = joinWhen(p.when, when)
		return l.rule(v, g, egress, true)
	})
}

func (l *loader) nacl(p props) error {
	n := &vpc.NACL{ID: l.id(p.res), Tags: l.tags(p), Source: l.resLoc(p)}
	var err error
	if n.VpcID, err = l.refProp(p, "VpcId", "the NACL's VPC is not known"); err != nil {
		return err
	}
	if prev := l.inv.NACLs[n.ID]; prev != nil {
		n.Inbound, n.Outbound = prev.Inbound, prev.Outbound
	}
	l.inv.NACLs[n.ID] = n
	l.pending.NACLs = append(l.pending.NACLs, n)
	l.inv.Loaded[vpc.KindNetworkACLs] = true
	return nil
}

// naclEntry reads AWS::EC2::NetworkAclEntry (docs/semantics.md#inputs): Protocol is a number
// (-1 = all); PortRange is required for 6 and 17, Icmp for 1 (and for 58
// with an IPv6 block).
func (l *loader) naclEntry(p props) error {
	id, st, u, err := l.str(p, "NetworkAclId")
	if err != nil {
		return err
	}
	switch {
	case st == isUnknown:
		l.warnUnknown(p, "NetworkAclId", u, "entry skipped")
		return nil
	case id == "":
		return iac.Errorf(l.loc(p, ""), "missing NetworkAclId: want the NACL the entry belongs to")
	}
	egress, st, u, err := l.boolean(p, "Egress")
	if err != nil {
		return err
	}
	if st == isUnknown {
		l.warnUnknown(p, "Egress", u, "entry skipped")
		return nil
	}
	e, ok, err := iac.NACLEntry(newBody(l, p), entryFields)
	if err != nil || !ok {
		return err
	}
	e.Egress, e.Source = egress, l.resLoc(p)
	n := l.inv.NACLs[id]
	if n == nil {
		if n = iac.DefaultNACL(id, l.resLoc(p)); n == nil {
			n = &vpc.NACL{ID: id, Source: l.resLoc(p)}
			l.inv.Warn(vpc.Warning{Code: "undeclared-nacl", Resource: p.res,
				Message: fmt.Sprintf("%s: network ACL %s is not declared in this template; only its entries here are known", p.res, id),
				Source:  l.resLoc(p)})
		}
		l.inv.NACLs[id] = n
		l.pending.NACLs = append(l.pending.NACLs, n)
	}
	l.inv.Loaded[vpc.KindNetworkACLs] = true
	if e.Egress {
		n.Outbound = append(n.Outbound, e)
	} else {
		n.Inbound = append(n.Inbound, e)
	}
	return nil
}

// unknownProp reports whether a property is present but evaluates unknown.
func (l *loader) unknownProp(p props, key string) (any, unknown, bool) {
	v := l.eval(p.n.Get(key), 0)
	u, ok := v.(unknown)
	return v, u, ok
}

func (l *loader) naclAssociation(p props) error {
	acl, err := l.refProp(p, "NetworkAclId", "association skipped")
	if err != nil {
		return err
	}
	sub, err := l.refProp(p, "SubnetId", "association skipped")
	if err != nil {
		return err
	}
	if acl != "" && sub != "" {
		l.pending.Assocs = append(l.pending.Assocs, iac.NACLAssoc{NACL: acl, Subnet: sub, Res: p.res, Loc: l.resLoc(p)})
	}
	return nil
}

func (l *loader) prefixList(p props) error {
	pl := &vpc.PrefixList{ID: l.id(p.res), Source: l.resLoc(p)}
	return iac.PrefixList(l.inv, newBody(l, p), prefixListFields, pl)
}

func (l *loader) addr(p props, key string, dst *[]netipAddr) error {
	s, st, u, err := l.str(p, key)
	if err != nil {
		return err
	}
	if st == isUnknown {
		l.warnUnknown(p, key, u, "address not known")
	}
	if st != known || s == "" {
		return nil
	}
	a, err := iac.ParseAddr(s)
	if err != nil {
		return iac.Errorf(l.loc(p, key), "%s: %v", key, err)
	}
	*dst = append(*dst, a)
	return nil
}

// instance reads AWS::EC2::Instance as its primary interface: the
// top-level SubnetId/SecurityGroupIds/PrivateIpAddress, or the
// NetworkInterfaces item with DeviceIndex 0.
func (l *loader) instance(p props) error {
	eni := &vpc.Interface{ID: l.id(p.res), InstanceID: l.id(p.res), Type: "interface", Tags: l.tags(p), Source: l.resLoc(p)}
	src := p
	groupsKey := "SecurityGroupIds"
	if nis, _, _, err := l.objects(p, "NetworkInterfaces"); err != nil {
		return err
	} else if len(nis) > 0 {
		src = nis[0]
		for _, ni := range nis {
			if d, _, _, _ := l.str(ni, "DeviceIndex"); d == "0" {
				src = ni
			}
		}
		groupsKey = "GroupSet"
	}
	return l.fillInterface(p, src, eni, groupsKey)
}

func (l *loader) networkInterface(p props) error {
	eni := &vpc.Interface{ID: l.id(p.res), Type: "interface", Tags: l.tags(p), Source: l.resLoc(p)}
	eni.Description, _, _, _ = l.str(p, "Description")
	if t, _, _, _ := l.str(p, "InterfaceType"); t != "" {
		eni.Type = t
	}
	return l.fillInterface(p, p, eni, "GroupSet")
}

func (l *loader) fillInterface(res, p props, eni *vpc.Interface, groupsKey string) error {
	var err error
	if eni.SubnetID, err = l.refProp(p, "SubnetId", "the interface's subnet is not known"); err != nil {
		return err
	}
	groups, unk, st, u, err := l.strList(p, groupsKey)
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		l.warnUnknown(p, groupsKey, u, "the interface's groups are not all known")
	}
	eni.GroupIDs = groups
	if st == absent {
		if names, _, _, _, _ := l.strList(p, "SecurityGroups"); len(names) > 0 {
			for _, n := range names {
				eni.GroupIDs = append(eni.GroupIDs, l.groupByName(n))
			}
		} else {
			l.inv.Warn(vpc.Warning{Code: "default-group-assumed", Resource: res.res, Note: true,
				Message: fmt.Sprintf("%s: no security groups: AWS attaches the VPC's default security group, whose id is not known here", res.res),
				Source:  eni.Source})
		}
	}
	if err := l.addr(p, "PrivateIpAddress", &eni.PrivateIPs); err != nil {
		return err
	}
	if items, _, _, err := l.objects(p, "PrivateIpAddresses"); err != nil {
		return err
	} else {
		for _, it := range items {
			var a []netipAddr
			if err := l.addr(it, "PrivateIpAddress", &a); err != nil {
				return err
			}
			for _, x := range a {
				if !containsAddr(eni.PrivateIPs, x) {
					if prim, _, _, _ := l.boolean(it, "Primary"); prim {
						eni.PrivateIPs = append([]netipAddr{x}, eni.PrivateIPs...)
					} else {
						eni.PrivateIPs = append(eni.PrivateIPs, x)
					}
				}
			}
		}
	}
	if items, _, _, err := l.objects(p, "Ipv6Addresses"); err != nil {
		return err
	} else {
		for _, it := range items {
			if err := l.addr(it, "Ipv6Address", &eni.IPv6s); err != nil {
				return err
			}
		}
	}
	if len(eni.PrivateIPs) == 0 && len(eni.IPv6s) == 0 && p.n.Get("PrivateIpAddress") == nil {
		l.inv.Warn(vpc.Warning{Code: "unknown-value", Resource: res.res, Note: true,
			Message: fmt.Sprintf("%s: no PrivateIpAddress: AWS assigns the address at launch, so the interface has no known address", res.res),
			Source:  eni.Source})
	}
	l.inv.Interfaces[eni.ID] = eni
	l.pending.ENIs = append(l.pending.ENIs, eni)
	l.inv.Loaded[vpc.KindNetworkInterfaces] = true
	return nil
}

// finish applies NACL associations, sorts entries and fills derived fields.
func (l *loader) finish() error {
	if n := len(l.defaultEgress); n > 0 {
		// Normal in CloudFormation: said once per template, as a note.
		what := fmt.Sprintf("%d groups declare", n)
		if n == 1 {
			what = "1 group declares"
		}
		l.inv.Warn(vpc.Warning{Code: "assumed-default-egress", Note: true, Source: vpc.Location{File: l.file},
			Message: fmt.Sprintf("%s: %s no SecurityGroupEgress (%s): CloudFormation keeps AWS's default egress, all traffic to 0.0.0.0/0, which walls adds to them",
				l.file, what, strings.Join(l.defaultEgress, ", "))})
	}
	return l.pending.Finish(l.inv)
}

// asWritten names a group reference the template cannot resolve but that
// certainly names one existing group, as written: "!ImportValue
// net-WebSG" (an export of another stack), "!Ref WebSGParam" (a parameter
// without Default), "!GetAtt Network.Outputs.WebSG" (an output of a nested
// stack). Other unknown values give "".
func (l *loader) asWritten(n *iac.Node) string {
	if n == nil || n.Kind != iac.Object || len(n.Keys) != 1 {
		return ""
	}
	arg := n.Map[n.Keys[0]]
	switch n.Keys[0] {
	case "Fn::ImportValue":
		switch v := l.eval(arg, 0).(type) {
		case string:
			return "!ImportValue " + v
		case float64:
			return "!ImportValue " + strconv.FormatFloat(v, 'f', -1, 64)
		}
		if s := arg.Get("Fn::Sub"); s != nil && s.Kind == iac.String {
			return "!ImportValue " + s.Str // names an export by its pattern
		}
		return ""
	case "Ref":
		if arg.Kind == iac.String && l.params[arg.Str] != nil {
			return "!Ref " + arg.Str
		}
	case "Fn::GetAtt":
		// An output of a nested stack (AWS::CloudFormation::Stack).
		var res, attr string
		switch {
		case arg.Kind == iac.String:
			res, attr, _ = strings.Cut(arg.Str, ".")
		case arg.Kind == iac.Array && len(arg.Items) == 2 && arg.Items[0].Kind == iac.String && arg.Items[1].Kind == iac.String:
			res, attr = arg.Items[0].Str, arg.Items[1].Str
		}
		if l.types[res] == "AWS::CloudFormation::Stack" && strings.HasPrefix(attr, "Outputs.") {
			return "!GetAtt " + res + "." + attr
		}
	}
	return ""
}
