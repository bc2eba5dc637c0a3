package terraform

// The builder's network ACLs, their entries and subnet associations.

import (
	"fmt"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

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
			e, ok, err := b.entry(r, blk, describe(name, i), inlineEntry, egress)
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
		b.pending.Assocs = append(b.pending.Assocs, iac.NACLAssoc{NACL: n.ID, Subnet: s, Loc: o.loc("subnet_ids"), Res: r.Addr})
	}
	if prev := b.inv.NACLs[n.ID]; prev != nil {
		n.Inbound = append(n.Inbound, prev.Inbound...)
		n.Outbound = append(n.Outbound, prev.Outbound...)
	}
	b.inv.NACLs[n.ID] = n
	b.pending.NACLs = append(b.pending.NACLs, n)
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

// entry reads one NACL entry: an inline block or aws_network_acl_rule, as
// f names its fields.
func (b *builder) entry(r *resource, o *object, path string, f iac.EntryFields, egress bool) (vpc.NACLEntry, bool, error) {
	e, ok, err := iac.NACLEntry(body{b, r, o, path}, f)
	e.Egress, e.Source = egress, o.Loc
	return e, ok, err
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
	e, ok, err := b.entry(r, o, "", naclRuleEntry, egress)
	if err != nil || !ok {
		return err
	}
	n := b.inv.NACLs[id]
	if n == nil {
		n = &vpc.NACL{ID: id, Source: o.Loc}
		b.inv.NACLs[id] = n
		b.pending.NACLs = append(b.pending.NACLs, n)
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
		b.pending.Assocs = append(b.pending.Assocs, iac.NACLAssoc{NACL: acl, Subnet: sub, Loc: o.Loc, Res: r.Addr})
	}
	return nil
}
