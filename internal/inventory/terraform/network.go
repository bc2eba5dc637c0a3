package terraform

// The builder's VPCs and subnets.

import (
	"github.com/walls-dev/walls/internal/vpc"
)

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
