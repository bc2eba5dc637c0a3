package terraform

// The builder's security groups and their rules: inline blocks,
// aws_security_group_rule and the aws_vpc_security_group_*_rule resources.

import (
	"fmt"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// group reads aws_security_group and aws_default_security_group. The
// provider removes AWS's default allow-all egress from a group it creates,
// and strips every rule from a default group it adopts (docs/semantics.md#inputs), so the
// declared blocks are the group's whole rule set: no egress blocks means no
// egress.
func (b *builder) group(r *resource) error {
	o := r.Body
	g := &vpc.SecurityGroup{ID: idOf(r), Tags: o.tags("tags"), RulesKnown: true, Source: o.Loc, Declared: b.declared(r, false)}
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

// declared names resource r as its module writes it (without the
// qualification a second unit's addresses get); inline marks a rule block
// of r.
func (b *builder) declared(r *resource, inline bool) vpc.Declared {
	return vpc.Declared{Tool: vpc.ToolTerraform, Address: strings.TrimPrefix(r.Addr, b.qualified), Type: r.Type, Inline: inline}
}

func dirName(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}

func (b *builder) inlineRule(r *resource, g *vpc.SecurityGroup, egress bool, path string, o *object) error {
	bd := body{b, r, o, path}
	proto, from, to, ok, err := iac.RuleHead(bd, ruleHead)
	if err != nil || !ok {
		return err
	}
	peers, err := iac.Peers(bd, inlinePeers, g.ID)
	if err != nil {
		return err
	}
	desc, _, _ := o.str("description")
	for _, p := range peers {
		iac.AddRule(g, vpc.Rule{GroupID: g.ID, Egress: egress, Protocol: proto, FromPort: from, ToPort: to, Peer: p, Description: desc, Source: o.Loc,
			Declared: b.declared(r, true)})
	}
	return nil
}

// targetGroup finds (or makes a placeholder for) the group a standalone
// rule resource attaches to.
func (b *builder) targetGroup(r *resource, id string) *vpc.SecurityGroup {
	if g := b.inv.Groups[id]; g != nil {
		return g
	}
	g := vpc.UndeclaredGroup(b.inv, id, r.Body.Loc)
	b.groups = append(b.groups, g)
	b.inv.Warn(vpc.Warning{Code: "undeclared-group", Resource: r.Addr, Note: true,
		Message: fmt.Sprintf("%s: security group %s is not declared in this input; its rules here are audited on their own", r.Addr, id),
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
	bd := body{b, r, o, ""}
	proto, from, to, ok, err := iac.RuleHead(bd, ruleHead)
	if err != nil || !ok {
		return err
	}
	peers, err := iac.Peers(bd, legacyPeers, gid)
	if err != nil {
		return err
	}
	g := b.targetGroup(r, gid)
	b.inv.Loaded[vpc.KindSecurityGroupRules] = true
	desc, _, _ := o.str("description")
	for i, p := range peers {
		id := r.Addr
		if len(peers) > 1 {
			id = fmt.Sprintf("%s#%d", r.Addr, i)
		}
		iac.AddRule(g, vpc.Rule{ID: id, GroupID: gid, Egress: typ == "egress", Protocol: proto, FromPort: from, ToPort: to, Peer: p, Description: desc, Source: o.Loc,
			Declared: b.declared(r, false)})
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
		u, _ := o.Fields["security_group_id"].(unknown)
		if u.ref == "" {
			u.ref = r.Addr + ".security_group_id"
		}
		// The rule's openness does not depend on its group: it is kept as
		// a rule of a group this input does not declare (a placeholder
		// with RulesKnown false, as for a literal sg-… id), named by the
		// reference the configuration writes.
		b.warnUnknown(r, o, "security_group_id", fmt.Sprintf("the rule is read as a rule of the undeclared group %q", u.ref))
		return u.ref, true, nil
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
	bd := body{b, r, o, ""}
	proto, from, to, ok, err := iac.RuleHead(bd, vpcRuleHead)
	if err != nil || !ok {
		return err
	}
	peers, err := iac.Peers(bd, vpcRulePeers, "")
	if err != nil || len(peers) == 0 {
		return err // len 0: a peer is unknown, the rule skipped
	}
	id := r.Addr
	if s, _, _ := o.str("security_group_rule_id"); s != "" {
		id = s
	}
	desc, _, _ := o.str("description")
	g := b.targetGroup(r, gid)
	b.inv.Loaded[vpc.KindSecurityGroupRules] = true
	iac.AddRule(g, vpc.Rule{ID: id, GroupID: gid, Egress: egress, Protocol: proto, FromPort: from, ToPort: to, Peer: peers[0], Description: desc, Source: o.Loc,
		Declared: b.declared(r, false)})
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
