package terraform

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// builder turns resources into model objects with the AWS provider's
// semantics (docs/semantics.md#inputs).
type builder struct {
	inv *vpc.Inventory
	// why words unknown values: "unknown at plan time" for plans,
	// "unknown: not resolvable statically" for .tf folders.
	why string
	// unit names what the resources were read from (a .tf folder or a
	// terraform show -json file). Addresses are unique within one unit
	// only: when the unit's addresses are already taken by another unit,
	// its ids are qualified with it ("envs/staging/aws_security_group.web").
	unit string
	// unitDir: unit is a folder (of .tf files), else a file.
	unitDir bool
	// qualified is what prefixes this unit's addresses, or "".
	qualified string
	// again: the unit was read before and is skipped.
	again bool
	// assoc holds NACL associations until every NACL is known.
	assoc []naclAssoc
	// attach holds attachments to interfaces until every one is known.
	attach       []eniAttach
	declaredENIs map[string]bool
	// created lists the objects this load added, for the final pass.
	groups []*vpc.SecurityGroup
	nacls  []*vpc.NACL
	enis   []*vpc.Interface
}

type naclAssoc struct {
	nacl, subnet string
	loc          vpc.Location
	addr         string
}

// order is the processing order of resource types: containers before the
// rules and associations that point into them.
var order = map[string]int{
	"aws_vpc": 1, "aws_subnet": 2,
	"aws_security_group": 3, "aws_default_security_group": 3,
	"aws_ec2_managed_prefix_list": 3,
	"aws_network_acl":             3, "aws_default_network_acl": 3,
	"aws_security_group_rule":             4,
	"aws_vpc_security_group_ingress_rule": 4, "aws_vpc_security_group_egress_rule": 4,
	"aws_network_acl_rule": 4, "aws_network_acl_association": 4,
	"aws_ec2_managed_prefix_list_entry": 4,
	"aws_instance":                      5, "aws_network_interface": 5,
	"aws_network_interface_sg_attachment": 6, "aws_network_interface_attachment": 6,
}

// Supported reports whether walls reads a Terraform resource type.
func Supported(resourceType string) bool { return order[resourceType] > 0 }

// build adds the resources to the inventory.
func (b *builder) build(rs []resource) error {
	sort.SliceStable(rs, func(i, j int) bool { return order[rs[i].Type] < order[rs[j].Type] })
	if b.unit != "" {
		switch b.claim(rs) {
		case unitAgain:
			b.again = true
			return nil // the same folder or file named twice: read once
		case unitTaken:
			b.qualify(rs, b.unit+"/")
		}
	}
	b.declaredENIs = map[string]bool{}
	for i := range rs {
		if rs[i].Type == "aws_network_interface" {
			b.declaredENIs[idOf(&rs[i])] = true
		}
	}
	for i := range rs {
		r := &rs[i]
		var err error
		switch r.Type {
		case "aws_vpc":
			err = b.vpc(r)
		case "aws_subnet":
			err = b.subnet(r)
		case "aws_security_group", "aws_default_security_group":
			err = b.group(r)
		case "aws_ec2_managed_prefix_list":
			err = b.prefixList(r)
		case "aws_network_acl", "aws_default_network_acl":
			err = b.nacl(r)
		case "aws_security_group_rule":
			err = b.legacyRule(r)
		case "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule":
			err = b.vpcRule(r)
		case "aws_network_acl_rule":
			err = b.naclRule(r)
		case "aws_network_acl_association":
			err = b.naclAssociation(r)
		case "aws_ec2_managed_prefix_list_entry":
			err = b.prefixListEntry(r)
		case "aws_instance":
			err = b.instance(r)
		case "aws_network_interface":
			err = b.networkInterface(r)
		case "aws_network_interface_sg_attachment":
			err = b.sgAttachment(r)
		case "aws_network_interface_attachment":
			err = b.eniAttachment(r)
		}
		if err != nil {
			return err
		}
	}
	return b.finish()
}

const (
	unitFree  = iota // no address of the unit is taken
	unitAgain        // taken by this very unit, read before
	unitTaken        // taken by another unit
)

// claim says whether the ids this unit's resources take from their
// addresses are already used, and by whom.
func (b *builder) claim(rs []resource) int {
	for i := range rs {
		id := idOf(&rs[i])
		if id != rs[i].Addr {
			continue // a real id (state): the same object wherever it is read
		}
		src, ok := iac.TakenBy(b.inv, id)
		if !ok {
			continue
		}
		from := src.File
		if b.unitDir {
			from = filepath.Dir(from)
		}
		if iac.SamePath(from, b.unit) {
			return unitAgain
		}
		return unitTaken
	}
	return unitFree
}

// qualify prefixes every address of the unit, and every reference to one
// of them in the resources' values (references resolve to the address, or
// to a derived id such as aws_vpc.main.default_network_acl_id).
func (b *builder) qualify(rs []resource, prefix string) {
	b.qualified = prefix
	addrs := map[string]bool{}
	for i := range rs {
		addrs[rs[i].Addr] = true
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			if addrs[t] {
				return prefix + t
			}
			if i := strings.LastIndex(t, "."); i > 0 && addrs[t[:i]] {
				return prefix + t
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		case *object:
			if t != nil {
				for k := range t.Fields {
					t.Fields[k] = walk(t.Fields[k])
				}
			}
		}
		return v
	}
	for i := range rs {
		walk(rs[i].Body)
		rs[i].Addr = prefix + rs[i].Addr
	}
}

// warnUnknown records that a value is unknown and what was done about it.
func (b *builder) warnUnknown(r *resource, o *object, path, consequence string) {
	b.inv.Warn(vpc.Warning{
		Code:     "unknown-value",
		Resource: r.Addr,
		Message:  fmt.Sprintf("%s is %s; %s", where(r, path), b.why, consequence),
		Source:   o.loc(lastName(path)),
	})
}

func lastName(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 && i+1 < len(path) {
		return path[i+1:]
	}
	return path
}

// idOf is a resource's model id: its real id when known, else its address,
// the same string every reference to it resolves to.
func idOf(r *resource) string {
	if s, ok := r.Body.Fields["id"].(string); ok && s != "" {
		return s
	}
	return r.Addr
}

// ref reads a reference-like string member (vpc_id, subnet_id, …); unknown
// gives "" after a warning.
func (b *builder) ref(r *resource, o *object, name, consequence string) (string, error) {
	s, st, err := o.str(name)
	if err != nil {
		return "", err
	}
	if st == isUnknown {
		b.warnUnknown(r, o, name, consequence)
	}
	return s, nil
}

func (b *builder) prefix(o *object, name string, family int) (netip.Prefix, state, error) {
	s, st, err := o.str(name)
	if st == known && s == "" {
		// terraform show -json writes "" for a block that is not set
		// (ipv6_cidr_block of a VPC or subnet without IPv6).
		st = absent
	}
	if err != nil || st != known {
		return netip.Prefix{}, st, err
	}
	p, err := iac.ParsePrefix(s, family)
	if err != nil {
		return netip.Prefix{}, st, iac.Errorf(o.loc(name), "%s: %v", name, err)
	}
	return p, known, nil
}

func (b *builder) vpc(r *resource) error {
	o := r.Body
	v := &vpc.VPC{ID: idOf(r), Tags: o.tags("tags"), Source: o.Loc}
	if s, _, _ := o.str("owner_id"); s != "" {
		v.OwnerID = s
	}
	p, st, err := b.prefix(o, "cidr_block", 4)
	if err != nil {
		return err
	}
	switch st {
	case known:
		v.CIDRs = append(v.CIDRs, p)
	case isUnknown:
		b.warnUnknown(r, o, "cidr_block", "the VPC has no known IPv4 block")
	}
	p6, st, err := b.prefix(o, "ipv6_cidr_block", 6)
	if err != nil {
		return err
	}
	switch st {
	case known:
		v.IPv6CIDRs = append(v.IPv6CIDRs, p6)
	default:
		if gen, _, _ := o.boolean("assign_generated_ipv6_cidr_block"); gen || st == isUnknown && o.Fields["ipv6_ipam_pool_id"] != nil {
			b.warnUnknown(r, o, "ipv6_cidr_block", "the VPC's IPv6 block is assigned by AWS")
		}
	}
	b.inv.VPCs[v.ID] = v
	b.inv.Loaded[vpc.KindVPCs] = true
	return nil
}

func (b *builder) subnet(r *resource) error {
	o := r.Body
	s := &vpc.Subnet{ID: idOf(r), Tags: o.tags("tags"), Source: o.Loc}
	var err error
	if s.VpcID, err = b.ref(r, o, "vpc_id", "the subnet's VPC is not known"); err != nil {
		return err
	}
	s.AvailabilityZone, _, _ = o.str("availability_zone")
	s.OwnerID, _, _ = o.str("owner_id")
	p, st, err := b.prefix(o, "cidr_block", 4)
	if err != nil {
		return err
	}
	switch st {
	case known:
		s.CIDR = p
	case isUnknown:
		b.warnUnknown(r, o, "cidr_block", "the subnet's IPv4 block is not known")
	}
	p6, st, err := b.prefix(o, "ipv6_cidr_block", 6)
	if err != nil {
		return err
	}
	switch st {
	case known:
		s.IPv6CIDRs = append(s.IPv6CIDRs, p6)
	case isUnknown:
		b.warnUnknown(r, o, "ipv6_cidr_block", "the subnet's IPv6 block is not known")
	}
	b.inv.Subnets[s.ID] = s
	b.inv.Loaded[vpc.KindSubnets] = true
	return nil
}

// group reads aws_security_group and aws_default_security_group. The
// provider removes AWS's default allow-all egress from a group it creates,
// and strips every rule from a default group it adopts (docs/semantics.md#inputs), so the
// declared blocks are the group's whole rule set: no egress blocks means no
// egress.
func (b *builder) group(r *resource) error {
	o := r.Body
	g := &vpc.SecurityGroup{ID: idOf(r), Tags: o.tags("tags"), RulesKnown: true, Source: o.Loc}
	if prev := b.inv.Groups[g.ID]; prev != nil && prev.Source.File != "" && prev.RulesKnown {
		return iac.Errorf(o.Loc, "%s: security group %s is declared twice (also at %s)", r.Addr, g.ID, prev.Source)
	}
	g.Name, _, _ = o.str("name")
	if r.Type == "aws_default_security_group" {
		g.Name = "default"
	} else if g.Name == "" {
		if p, _, _ := o.str("name_prefix"); p != "" {
			g.Name = p
		} else {
			g.Name = r.Addr
		}
	}
	g.Description, _, _ = o.str("description")
	g.OwnerID, _, _ = o.str("owner_id")
	var err error
	if g.VpcID, err = b.ref(r, o, "vpc_id", "the group's VPC is not known"); err != nil {
		return err
	}
	for _, egress := range []bool{false, true} {
		name := dirName(egress)
		blocks, unk, st, err := o.blocks(name)
		if err != nil {
			return err
		}
		if st == isUnknown {
			b.warnUnknown(r, o, name, "the group's "+name+" rules are not known")
			g.RulesKnown = false
			continue
		}
		if unk > 0 {
			b.warnUnknown(r, o, name+" (dynamic)", "those rules are skipped")
		}
		for i, blk := range blocks {
			if err := b.inlineRule(r, g, egress, describe(name, i), blk); err != nil {
				return err
			}
		}
	}
	b.addGroup(g)
	return nil
}

func (b *builder) addGroup(g *vpc.SecurityGroup) {
	if prev := b.inv.Groups[g.ID]; prev != nil && !prev.RulesKnown && len(prev.Ingress)+len(prev.Egress) > 0 {
		// Rules loaded earlier (another file) for a group declared now.
		g.Ingress = append(g.Ingress, prev.Ingress...)
		g.Egress = append(g.Egress, prev.Egress...)
	}
	b.inv.Groups[g.ID] = g
	b.groups = append(b.groups, g)
	b.inv.Loaded[vpc.KindSecurityGroups] = true
}

func dirName(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

// ruleHead is the protocol and port part shared by every peer of a rule.
type ruleHead struct {
	proto    vpc.Protocol
	from, to int32
}

// head reads protocol and ports; ok is false when something is unknown (a
// warning has been recorded and the rule is to be skipped).
func (b *builder) head(r *resource, o *object, path, protoField string) (ruleHead, bool, error) {
	ps, st, err := o.str(protoField)
	if err != nil {
		return ruleHead{}, false, err
	}
	switch st {
	case absent:
		return ruleHead{}, false, iac.Errorf(o.loc(protoField), "%s: missing %s: want tcp, udp, icmp, icmpv6, -1 (all) or a protocol number", where(r, path), protoField)
	case isUnknown:
		b.warnUnknown(r, o, describe(path, protoField), "rule skipped")
		return ruleHead{}, false, nil
	}
	p, err := vpc.ParseProtocol(strings.ToLower(strings.TrimSpace(ps)))
	if err != nil {
		return ruleHead{}, false, iac.Errorf(o.loc(protoField), "%s: %v", where(r, path), err)
	}
	h := ruleHead{proto: p, from: -1, to: -1}
	if !p.HasPorts() && !p.IsICMP() {
		return h, true, nil // -1 and other protocols ignore ports (docs/semantics.md#protocols, #inputs)
	}
	from, fst, err := o.integer("from_port")
	if err != nil {
		return h, false, err
	}
	to, tst, err := o.integer("to_port")
	if err != nil {
		return h, false, err
	}
	if fst == isUnknown || tst == isUnknown {
		b.warnUnknown(r, o, describe(path, "from_port"), "rule skipped")
		return h, false, nil
	}
	if h.from, h.to, err = iac.RulePorts(p, from, to); err != nil {
		return h, false, iac.Errorf(o.loc("from_port"), "%s: %v", where(r, path), err)
	}
	return h, true, nil
}

// peerList collects the peers of a multi-peer rule (inline block or
// aws_security_group_rule). selfID is the group a "self = true" refers to.
func (b *builder) peerList(r *resource, o *object, path, selfID string, groupsField string) ([]vpc.Peer, bool, error) {
	var peers []vpc.Peer
	complete := true
	add := func(field string, conv func(string) (vpc.Peer, error)) error {
		vals, unk, st, err := o.strList(field)
		if err != nil {
			return err
		}
		if st == isUnknown || unk > 0 {
			b.warnUnknown(r, o, describe(path, field), "peers skipped")
			complete = false
		}
		for _, s := range vals {
			p, err := conv(s)
			if err != nil {
				return iac.Errorf(o.loc(field), "%s: %s: %v", r.Addr, describe(path, field), err)
			}
			peers = append(peers, p)
		}
		return nil
	}
	cidr := func(family int) func(string) (vpc.Peer, error) {
		return func(s string) (vpc.Peer, error) {
			p, err := iac.ParsePrefix(s, family)
			return vpc.Peer{Kind: vpc.PeerCIDR, Prefix: p}, err
		}
	}
	if err := add("cidr_blocks", cidr(4)); err != nil {
		return nil, false, err
	}
	if err := add("ipv6_cidr_blocks", cidr(6)); err != nil {
		return nil, false, err
	}
	if err := add("prefix_list_ids", func(s string) (vpc.Peer, error) {
		return vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: s}, nil
	}); err != nil {
		return nil, false, err
	}
	if err := add(groupsField, func(s string) (vpc.Peer, error) {
		return vpc.Peer{Kind: vpc.PeerGroup, Group: iac.GroupRef(s)}, nil
	}); err != nil {
		return nil, false, err
	}
	self, st, err := o.boolean("self")
	if err != nil {
		return nil, false, err
	}
	if st == isUnknown {
		b.warnUnknown(r, o, describe(path, "self"), "self-reference skipped")
		complete = false
	}
	if self {
		peers = append(peers, vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: selfID}})
	}
	return peers, complete, nil
}

func (b *builder) inlineRule(r *resource, g *vpc.SecurityGroup, egress bool, path string, o *object) error {
	h, ok, err := b.head(r, o, path, "protocol")
	if err != nil || !ok {
		return err
	}
	peers, complete, err := b.peerList(r, o, path, g.ID, "security_groups")
	if err != nil {
		return err
	}
	if len(peers) == 0 && complete {
		return iac.Errorf(o.Loc, "%s: the rule has no peer: want cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, security_groups or self = true", where(r, path))
	}
	desc, _, _ := o.str("description")
	for _, p := range peers {
		addRule(g, vpc.Rule{GroupID: g.ID, Egress: egress, Protocol: h.proto, FromPort: h.from, ToPort: h.to, Peer: p, Description: desc, Source: o.Loc})
	}
	return nil
}

func addRule(g *vpc.SecurityGroup, rule vpc.Rule) {
	if rule.Egress {
		rule.Index = len(g.Egress)
		g.Egress = append(g.Egress, rule)
	} else {
		rule.Index = len(g.Ingress)
		g.Ingress = append(g.Ingress, rule)
	}
}

// targetGroup finds (or makes a placeholder for) the group a standalone
// rule resource attaches to.
func (b *builder) targetGroup(r *resource, id string) *vpc.SecurityGroup {
	if g := b.inv.Groups[id]; g != nil {
		return g
	}
	g := &vpc.SecurityGroup{ID: id, Name: id, Source: r.Body.Loc}
	b.inv.Groups[id] = g
	b.groups = append(b.groups, g)
	b.inv.Warn(vpc.Warning{Code: "undeclared-group", Resource: r.Addr,
		Message: fmt.Sprintf("%s: security group %s is not declared in this input; only its standalone rules are known", r.Addr, id),
		Source:  r.Body.Loc})
	return g
}

// legacyRule reads aws_security_group_rule: many peers, many AWS rules.
func (b *builder) legacyRule(r *resource) error {
	o := r.Body
	typ, st, err := o.str("type")
	if err != nil {
		return err
	}
	if st != known || (typ != "ingress" && typ != "egress") {
		if st == isUnknown {
			b.warnUnknown(r, o, "type", "rule skipped")
			return nil
		}
		return iac.Errorf(o.loc("type"), "%s: type %q: want ingress or egress", r.Addr, typ)
	}
	gid, ok, err := b.ruleGroupID(r, o)
	if err != nil || !ok {
		return err
	}
	h, ok, err := b.head(r, o, "", "protocol")
	if err != nil || !ok {
		return err
	}
	peers, complete, err := b.peerList(r, o, "", gid, "source_security_group_id")
	if err != nil {
		return err
	}
	if len(peers) == 0 && complete {
		return iac.Errorf(o.Loc, "%s: the rule has no peer: want cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, source_security_group_id or self = true", r.Addr)
	}
	g := b.targetGroup(r, gid)
	b.inv.Loaded[vpc.KindSecurityGroupRules] = true
	desc, _, _ := o.str("description")
	for i, p := range peers {
		id := r.Addr
		if len(peers) > 1 {
			id = fmt.Sprintf("%s#%d", r.Addr, i)
		}
		addRule(g, vpc.Rule{ID: id, GroupID: gid, Egress: typ == "egress", Protocol: h.proto, FromPort: h.from, ToPort: h.to, Peer: p, Description: desc, Source: o.Loc})
	}
	return nil
}

// ruleGroupID reads the security_group_id of a standalone rule resource.
// ok is false when the rule is skipped (the id is unknown at plan time,
// with a warning); a missing id is an error.
func (b *builder) ruleGroupID(r *resource, o *object) (gid string, ok bool, err error) {
	gid, st, err := o.str("security_group_id")
	if err != nil {
		return "", false, err
	}
	switch {
	case st == isUnknown:
		b.warnUnknown(r, o, "security_group_id", "rule skipped")
		return "", false, nil
	case st == absent || gid == "":
		return "", false, iac.Errorf(o.Loc, "%s: missing security_group_id: want the id of the group the rule belongs to", r.Addr)
	}
	return gid, true, nil
}

// vpcRule reads aws_vpc_security_group_ingress_rule / _egress_rule: one
// peer each; ip_protocol "-1" ignores ports (docs/semantics.md#inputs).
func (b *builder) vpcRule(r *resource) error {
	o := r.Body
	egress := r.Type == "aws_vpc_security_group_egress_rule"
	gid, ok, err := b.ruleGroupID(r, o)
	if err != nil || !ok {
		return err
	}
	h, ok, err := b.head(r, o, "", "ip_protocol")
	if err != nil || !ok {
		return err
	}
	var peers []vpc.Peer
	var unknownPeer bool
	for _, f := range []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"} {
		s, st, err := o.str(f)
		if err != nil {
			return err
		}
		if st == isUnknown {
			unknownPeer = true
			b.warnUnknown(r, o, f, "rule skipped")
			continue
		}
		if st != known || s == "" {
			continue
		}
		var p vpc.Peer
		switch f {
		case "cidr_ipv4", "cidr_ipv6":
			fam := 4
			if f == "cidr_ipv6" {
				fam = 6
			}
			pfx, err := iac.ParsePrefix(s, fam)
			if err != nil {
				return iac.Errorf(o.loc(f), "%s: %s: %v", r.Addr, f, err)
			}
			p = vpc.Peer{Kind: vpc.PeerCIDR, Prefix: pfx}
		case "prefix_list_id":
			p = vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: s}
		default:
			p = vpc.Peer{Kind: vpc.PeerGroup, Group: iac.GroupRef(s)}
		}
		peers = append(peers, p)
	}
	if unknownPeer {
		return nil
	}
	if len(peers) != 1 {
		return iac.Errorf(o.Loc, "%s: want exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id or referenced_security_group_id, found %d", r.Addr, len(peers))
	}
	id := r.Addr
	if s, _, _ := o.str("security_group_rule_id"); s != "" {
		id = s
	}
	desc, _, _ := o.str("description")
	g := b.targetGroup(r, gid)
	b.inv.Loaded[vpc.KindSecurityGroupRules] = true
	addRule(g, vpc.Rule{ID: id, GroupID: gid, Egress: egress, Protocol: h.proto, FromPort: h.from, ToPort: h.to, Peer: peers[0], Description: desc, Source: o.Loc})
	return nil
}

// nacl reads aws_network_acl and aws_default_network_acl. A custom NACL
// holds only what is declared (plus AWS's "*" denies, not listed); the
// default NACL adopted by Terraform likewise keeps only declared entries.
func (b *builder) nacl(r *resource) error {
	o := r.Body
	n := &vpc.NACL{ID: idOf(r), Tags: o.tags("tags"), Source: o.Loc}
	n.OwnerID, _, _ = o.str("owner_id")
	if r.Type == "aws_default_network_acl" {
		n.IsDefault = true
		d, _, _ := o.str("default_network_acl_id")
		if v, ok := strings.CutSuffix(d, ".default_network_acl_id"); ok {
			n.VpcID = v // a .tf reference to aws_vpc.X.default_network_acl_id
		} else if d != "" && o.Fields["id"] == nil {
			n.ID = d
		}
	}
	if s, st, err := o.str("vpc_id"); err != nil {
		return err
	} else if st == known {
		n.VpcID = s
	} else if st == isUnknown && n.VpcID == "" {
		b.warnUnknown(r, o, "vpc_id", "the NACL's VPC is not known")
	}
	for _, egress := range []bool{false, true} {
		name := dirName(egress)
		blocks, unk, st, err := o.blocks(name)
		if err != nil {
			return err
		}
		if st == isUnknown || unk > 0 {
			b.warnUnknown(r, o, name, "those "+name+" entries are skipped")
		}
		for i, blk := range blocks {
			e, ok, err := b.entry(r, blk, describe(name, i), "rule_no", "action", egress)
			if err != nil {
				return err
			}
			if ok {
				addEntry(n, e)
			}
		}
	}
	subnets, unk, st, err := o.strList("subnet_ids")
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		b.warnUnknown(r, o, "subnet_ids", "those subnet associations are not known")
	}
	for _, s := range subnets {
		b.assoc = append(b.assoc, naclAssoc{nacl: n.ID, subnet: s, loc: o.loc("subnet_ids"), addr: r.Addr})
	}
	if prev := b.inv.NACLs[n.ID]; prev != nil {
		n.Inbound = append(n.Inbound, prev.Inbound...)
		n.Outbound = append(n.Outbound, prev.Outbound...)
	}
	b.inv.NACLs[n.ID] = n
	b.nacls = append(b.nacls, n)
	b.inv.Loaded[vpc.KindNetworkACLs] = true
	return nil
}

func addEntry(n *vpc.NACL, e vpc.NACLEntry) {
	if e.Egress {
		n.Outbound = append(n.Outbound, e)
	} else {
		n.Inbound = append(n.Inbound, e)
	}
}

// entry reads one NACL entry; numField/actionField differ between inline
// blocks (rule_no, action) and aws_network_acl_rule (rule_number,
// rule_action).
func (b *builder) entry(r *resource, o *object, path, numField, actionField string, egress bool) (vpc.NACLEntry, bool, error) {
	e := vpc.NACLEntry{Egress: egress, Source: o.Loc}
	num, st, err := o.integer(numField)
	if err != nil {
		return e, false, err
	}
	switch st {
	case absent:
		return e, false, iac.Errorf(o.Loc, "%s: missing %s: want a rule number 1-32766", where(r, path), numField)
	case isUnknown:
		b.warnUnknown(r, o, describe(path, numField), "entry skipped")
		return e, false, nil
	}
	if e.RuleNumber, err = iac.RuleNumber(num.V); err != nil {
		return e, false, iac.Errorf(o.loc(numField), "%s: %v", where(r, path), err)
	}
	act, st, err := o.str(actionField)
	if err != nil {
		return e, false, err
	}
	if st == isUnknown {
		b.warnUnknown(r, o, describe(path, actionField), "entry skipped")
		return e, false, nil
	}
	if e.Allow, err = iac.Action(act); err != nil {
		return e, false, iac.Errorf(o.loc(actionField), "%s: %v", where(r, path), err)
	}
	ps, st, err := o.str("protocol")
	if err != nil {
		return e, false, err
	}
	switch st {
	case absent:
		return e, false, iac.Errorf(o.Loc, "%s: missing protocol: want tcp, udp, icmp, icmpv6, -1 (all) or a protocol number", where(r, path))
	case isUnknown:
		b.warnUnknown(r, o, describe(path, "protocol"), "entry skipped")
		return e, false, nil
	}
	if e.Protocol, err = vpc.ParseProtocol(strings.ToLower(strings.TrimSpace(ps))); err != nil {
		return e, false, iac.Errorf(o.loc("protocol"), "%s: %v", where(r, path), err)
	}
	p4, st4, err := b.prefix(o, "cidr_block", 4)
	if err != nil {
		return e, false, err
	}
	p6, st6, err := b.prefix(o, "ipv6_cidr_block", 6)
	if err != nil {
		return e, false, err
	}
	if st4 == isUnknown || st6 == isUnknown {
		b.warnUnknown(r, o, describe(path, "cidr_block"), "entry skipped")
		return e, false, nil
	}
	switch {
	case p4.IsValid() && p6.IsValid():
		return e, false, iac.Errorf(o.Loc, "%s: both cidr_block and ipv6_cidr_block set: want exactly one", where(r, path))
	case p4.IsValid():
		e.Prefix = p4
	case p6.IsValid():
		e.Prefix = p6
	default:
		return e, false, iac.Errorf(o.Loc, "%s: missing cidr_block or ipv6_cidr_block: want exactly one", where(r, path))
	}
	var ints [4]iac.Int
	for i, f := range []string{"from_port", "to_port", "icmp_type", "icmp_code"} {
		v, st, err := o.integer(f)
		if err != nil {
			return e, false, err
		}
		if st == isUnknown {
			b.warnUnknown(r, o, describe(path, f), "entry skipped")
			return e, false, nil
		}
		ints[i] = v
	}
	if e.Protocol.IsICMP() {
		// The provider sends 0 for an unset icmp_type/icmp_code.
		for i := 2; i < 4; i++ {
			if !ints[i].Set {
				ints[i] = iac.SomeInt(0)
			}
		}
	}
	if e.FromPort, e.ToPort, e.ICMPType, e.ICMPCode, err = iac.EntryPorts(e.Protocol, ints[0], ints[1], ints[2], ints[3]); err != nil {
		return e, false, iac.Errorf(o.loc("from_port"), "%s: %v", where(r, path), err)
	}
	return e, true, nil
}

// naclRule reads aws_network_acl_rule.
func (b *builder) naclRule(r *resource) error {
	o := r.Body
	id, st, err := o.str("network_acl_id")
	if err != nil {
		return err
	}
	switch {
	case st == isUnknown:
		b.warnUnknown(r, o, "network_acl_id", "entry skipped")
		return nil
	case st == absent || id == "":
		return iac.Errorf(o.Loc, "%s: missing network_acl_id: want the id of the NACL the entry belongs to", r.Addr)
	}
	egress, st, err := o.boolean("egress")
	if err != nil {
		return err
	}
	if st == isUnknown {
		b.warnUnknown(r, o, "egress", "entry skipped")
		return nil
	}
	e, ok, err := b.entry(r, o, "", "rule_number", "rule_action", egress)
	if err != nil || !ok {
		return err
	}
	n := b.inv.NACLs[id]
	if n == nil {
		n = &vpc.NACL{ID: id, Source: o.Loc}
		b.inv.NACLs[id] = n
		b.nacls = append(b.nacls, n)
		b.inv.Warn(vpc.Warning{Code: "undeclared-nacl", Resource: r.Addr,
			Message: fmt.Sprintf("%s: network ACL %s is not declared in this input; only its standalone entries are known", r.Addr, id),
			Source:  o.Loc})
	}
	b.inv.Loaded[vpc.KindNetworkACLs] = true
	addEntry(n, e)
	return nil
}

func (b *builder) naclAssociation(r *resource) error {
	o := r.Body
	acl, err := b.ref(r, o, "network_acl_id", "association skipped")
	if err != nil {
		return err
	}
	sub, err := b.ref(r, o, "subnet_id", "association skipped")
	if err != nil {
		return err
	}
	if acl != "" && sub != "" {
		b.assoc = append(b.assoc, naclAssoc{nacl: acl, subnet: sub, loc: o.Loc, addr: r.Addr})
	}
	return nil
}

func (b *builder) prefixList(r *resource) error {
	o := r.Body
	pl := &vpc.PrefixList{ID: idOf(r), EntriesKnown: true, Source: o.Loc}
	pl.Name, _, _ = o.str("name")
	pl.AddressFamily, _, _ = o.str("address_family")
	pl.OwnerID, _, _ = o.str("owner_id")
	if m, st, _ := o.integer("max_entries"); st == known {
		pl.MaxEntries = int(m.V)
	}
	fam := 0
	switch pl.AddressFamily {
	case "IPv4":
		fam = 4
	case "IPv6":
		fam = 6
	}
	blocks, unk, st, err := o.blocks("entry")
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		b.warnUnknown(r, o, "entry", "the list's entries are not known")
		pl.EntriesKnown = false
	}
	for i, blk := range blocks {
		p, st, err := b.prefix(blk, "cidr", fam)
		if err != nil {
			return err
		}
		switch st {
		case known:
			pl.Entries = append(pl.Entries, p)
		case isUnknown:
			b.warnUnknown(r, blk, describe("entry", i, "cidr"), "entry skipped")
			pl.EntriesKnown = false
		default:
			return iac.Errorf(blk.Loc, "%s: entry[%d]: missing cidr: want a CIDR block", r.Addr, i)
		}
	}
	if prev := b.inv.PrefixLists[pl.ID]; prev != nil {
		pl.Entries = append(pl.Entries, prev.Entries...)
	}
	b.inv.PrefixLists[pl.ID] = pl
	b.inv.Loaded[vpc.KindPrefixLists] = true
	return nil
}

func (b *builder) prefixListEntry(r *resource) error {
	o := r.Body
	id, err := b.ref(r, o, "prefix_list_id", "entry skipped")
	if err != nil || id == "" {
		return err
	}
	pl := b.inv.PrefixLists[id]
	if pl == nil {
		pl = &vpc.PrefixList{ID: id, Source: o.Loc}
		b.inv.PrefixLists[id] = pl
	}
	p, st, err := b.prefix(o, "cidr", 0)
	if err != nil {
		return err
	}
	switch st {
	case known:
		pl.Entries = append(pl.Entries, p)
	case isUnknown:
		b.warnUnknown(r, o, "cidr", "entry skipped")
		pl.EntriesKnown = false
	default:
		return iac.Errorf(o.Loc, "%s: missing cidr: want a CIDR block", r.Addr)
	}
	b.inv.Loaded[vpc.KindPrefixLists] = true
	return nil
}

// addrs reads IP address members into dst.
func (b *builder) addrs(r *resource, o *object, dst *[]netip.Addr, fields ...string) error {
	for _, f := range fields {
		var vals []string
		var unk int
		var st state
		var err error
		if _, isList := o.Fields[f].([]any); isList || o.Fields[f] == (unknown{}) {
			vals, unk, st, err = o.strList(f)
		} else {
			var s string
			s, st, err = o.str(f)
			if s != "" {
				vals = []string{s}
			}
		}
		if err != nil {
			return err
		}
		if st == isUnknown || unk > 0 {
			b.warnUnknown(r, o, f, "addresses assigned at launch are not known")
		}
		for _, s := range vals {
			a, err := iac.ParseAddr(s)
			if err != nil {
				return iac.Errorf(o.loc(f), "%s: %s: %v", r.Addr, f, err)
			}
			if !containsAddr(*dst, a) {
				*dst = append(*dst, a)
			}
		}
	}
	return nil
}

// noAddress warns about an interface declared without a private address:
// AWS picks one at launch, so references to its groups cannot be matched
// to it.
func (b *builder) noAddress(r *resource, o *object, eni *vpc.Interface, field string) {
	if len(eni.PrivateIPs) > 0 || len(eni.IPv6s) > 0 {
		return
	}
	for _, f := range []string{"private_ip", "private_ips", "secondary_private_ips"} {
		if _, u := o.Fields[f].(unknown); u {
			return // already reported as unknown
		}
	}
	b.inv.Warn(vpc.Warning{Code: "unknown-value", Resource: r.Addr,
		Message: fmt.Sprintf("%s: %s not set: AWS assigns the address at launch, so the interface has no known address", r.Addr, field),
		Source:  o.Loc})
}

func containsAddr(as []netip.Addr, a netip.Addr) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

// instance reads aws_instance as its primary network interface. An
// instance whose network_interface blocks attach existing interfaces is
// those interfaces instead: their groups are theirs.
func (b *builder) instance(r *resource) error {
	o := r.Body
	if nis, _, _, err := o.blocks("network_interface"); err == nil && len(nis) > 0 {
		attached := false
		for _, ni := range nis {
			// Only interfaces declared in the input: a state lists the
			// instance's own primary interface here too.
			if id, _, _ := ni.str("network_interface_id"); b.declaredENIs[id] {
				b.attach = append(b.attach, eniAttach{eni: id, instance: idOf(r), addr: r.Addr, loc: ni.Loc})
				attached = true
			}
		}
		if attached {
			return nil
		}
	}
	eni := &vpc.Interface{ID: r.Addr, InstanceID: idOf(r), Type: "interface", Tags: o.tags("tags"), Source: o.Loc}
	if s, _, _ := o.str("primary_network_interface_id"); s != "" {
		eni.ID = s
	}
	var err error
	if eni.SubnetID, err = b.ref(r, o, "subnet_id", "the instance's subnet is not known"); err != nil {
		return err
	}
	eni.AvailabilityZone, _, _ = o.str("availability_zone")
	groups, unk, st, err := o.strList("vpc_security_group_ids")
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		b.warnUnknown(r, o, "vpc_security_group_ids", "the instance's groups are not all known")
	}
	eni.GroupIDs = groups
	if st == absent && o.Fields["security_groups"] == nil {
		b.inv.Warn(vpc.Warning{Code: "default-group-assumed", Resource: r.Addr,
			Message: fmt.Sprintf("%s: no vpc_security_group_ids: AWS attaches the VPC's default security group, whose id is not known here", r.Addr),
			Source:  o.Loc})
	}
	if err := b.addrs(r, o, &eni.PrivateIPs, "private_ip", "secondary_private_ips"); err != nil {
		return err
	}
	b.noAddress(r, o, eni, "private_ip")
	if err := b.addrs(r, o, &eni.IPv6s, "ipv6_addresses"); err != nil {
		return err
	}
	if err := b.addrs(r, o, &eni.PublicIPs, "public_ip"); err != nil {
		return err
	}
	b.addInterface(eni)
	return nil
}

func (b *builder) networkInterface(r *resource) error {
	o := r.Body
	eni := &vpc.Interface{ID: idOf(r), Type: "interface", Tags: o.tags("tags"), Source: o.Loc}
	eni.Description, _, _ = o.str("description")
	if t, _, _ := o.str("interface_type"); t != "" {
		eni.Type = t
	}
	var err error
	if eni.SubnetID, err = b.ref(r, o, "subnet_id", "the interface's subnet is not known"); err != nil {
		return err
	}
	groups, unk, st, err := o.strList("security_groups")
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		b.warnUnknown(r, o, "security_groups", "the interface's groups are not all known")
	}
	eni.GroupIDs = groups
	if err := b.addrs(r, o, &eni.PrivateIPs, "private_ip", "private_ips"); err != nil {
		return err
	}
	b.noAddress(r, o, eni, "private_ips")
	if err := b.addrs(r, o, &eni.IPv6s, "ipv6_addresses"); err != nil {
		return err
	}
	if atts, _, _, err := o.blocks("attachment"); err == nil && len(atts) > 0 {
		eni.InstanceID, _, _ = atts[0].str("instance")
	}
	b.addInterface(eni)
	return nil
}

// sgAttachment reads aws_network_interface_sg_attachment: one more group
// on an interface.
func (b *builder) sgAttachment(r *resource) error {
	return b.attachment(r, "security_group_id", func(a *eniAttach, v string) { a.group = v })
}

// eniAttachment reads aws_network_interface_attachment: an interface
// attached to an instance.
func (b *builder) eniAttachment(r *resource) error {
	return b.attachment(r, "instance_id", func(a *eniAttach, v string) { a.instance = v })
}

// attachment reads the two references of an attachment resource: what
// field names (set records it) and the network interface.
func (b *builder) attachment(r *resource, field string, set func(*eniAttach, string)) error {
	o := r.Body
	v, err := b.ref(r, o, field, "attachment skipped")
	if err != nil {
		return err
	}
	eni, err := b.ref(r, o, "network_interface_id", "attachment skipped")
	if err != nil || v == "" || eni == "" {
		return err
	}
	a := eniAttach{eni: eni, addr: r.Addr, loc: o.Loc}
	set(&a, v)
	b.attach = append(b.attach, a)
	return nil
}

// eniAttach is a group or an instance attached to an interface by a
// separate resource, applied once every interface is known.
type eniAttach struct {
	eni, group, instance string
	addr                 string
	loc                  vpc.Location
}

func (b *builder) addInterface(eni *vpc.Interface) {
	b.inv.Interfaces[eni.ID] = eni
	b.enis = append(b.enis, eni)
	b.inv.Loaded[vpc.KindNetworkInterfaces] = true
}

// finish applies associations, fills derived fields and sorts NACLs.
func (b *builder) finish() error {
	for _, g := range b.groups {
		g.Ingress, g.Egress = dedupe(g.Ingress), dedupe(g.Egress)
	}
	for _, a := range b.assoc {
		n := b.inv.NACLs[a.nacl]
		if n == nil {
			b.inv.Warn(vpc.Warning{Code: "unknown-nacl-reference", Resource: a.addr,
				Message: fmt.Sprintf("%s: network ACL %s is not declared in this input; association with %s skipped", a.addr, a.nacl, a.subnet),
				Source:  a.loc})
			continue
		}
		// A subnet has one NACL: a later association replaces an earlier one.
		for _, other := range b.inv.NACLs {
			other.SubnetIDs = removeString(other.SubnetIDs, a.subnet)
		}
		n.SubnetIDs = append(n.SubnetIDs, a.subnet)
	}
	for _, n := range b.nacls {
		if n.VpcID == "" && len(n.SubnetIDs) > 0 {
			if s := b.inv.Subnets[n.SubnetIDs[0]]; s != nil {
				n.VpcID = s.VpcID
			}
		}
		if dup := iac.SortNACL(n); dup != nil {
			return iac.Errorf(dup.Source, "network ACL %s: rule number %d used twice in the %s direction: want unique rule numbers", n.ID, dup.RuleNumber, map[bool]string{false: "inbound", true: "outbound"}[dup.Egress])
		}
	}
	for _, a := range b.attach {
		eni := b.inv.Interfaces[a.eni]
		if eni == nil {
			b.inv.Warn(vpc.Warning{Code: "unknown-interface-reference", Resource: a.addr,
				Message: fmt.Sprintf("%s: network interface %s is not declared in this input; attachment skipped", a.addr, a.eni),
				Source:  a.loc})
			continue
		}
		if a.group != "" && !containsString(eni.GroupIDs, a.group) {
			eni.GroupIDs = append(eni.GroupIDs, a.group)
		}
		if a.instance != "" {
			eni.InstanceID = a.instance
		}
	}
	for _, eni := range b.enis {
		if s := b.inv.Subnets[eni.SubnetID]; s != nil {
			eni.VpcID = s.VpcID
			if eni.AvailabilityZone == "" {
				eni.AvailabilityZone = s.AvailabilityZone
			}
		}
	}
	return nil
}

// dedupe drops repeated rules. A state (and a plan's planned values for
// existing groups) lists in a group's computed ingress/egress also the
// rules that standalone rule resources manage; one AWS rule must count
// once. The standalone resource's copy is kept: it has an id and its own
// location.
func dedupe(rs []vpc.Rule) []vpc.Rule {
	type key struct {
		proto    vpc.Protocol
		from, to int32
		peer     string
	}
	at := map[key]int{}
	out := rs[:0]
	for _, r := range rs {
		k := key{r.Protocol, r.FromPort, r.ToPort, r.Peer.String() + "/" + r.Peer.Group.UserID}
		if i, dup := at[k]; dup {
			if out[i].ID == "" && r.ID != "" {
				out[i] = r
			}
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	for i := range out {
		out[i].Index = i
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func removeString(ss []string, s string) []string {
	out := ss[:0]
	for _, x := range ss {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// where names a place for messages: the resource address and, inside it,
// the path of a nested block.
func where(r *resource, path string) string {
	if path == "" {
		return r.Addr
	}
	return r.Addr + ": " + path
}
