package terraform

// The builder's VPCs, their associated blocks and subnets.

import (
	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// The VPC, block and subnet fields. The provider computes a VPC's
// ipv6_cidr_block: unknown in a plan, it declares no block by itself.
var (
	vpcFields = iac.BlockFields{CIDR4: "cidr_block", CIDR6: "ipv6_cidr_block", Owner: "owner_id",
		AmazonIPv6: "assign_generated_ipv6_cidr_block", IPv6Pool: "ipv6_ipam_pool_id", IPv6Computed: true}
	ipv4BlockFields = iac.BlockFields{CIDR4: "cidr_block"}
	ipv6BlockFields = iac.BlockFields{CIDR6: "ipv6_cidr_block", AmazonIPv6: "assign_generated_ipv6_cidr_block",
		IPv6Pool: "ipv6_ipam_pool_id", IPv6Computed: true}
	subnetFields = iac.SubnetFields{VPC: "vpc_id", AZ: "availability_zone", Owner: "owner_id",
		CIDR4: "cidr_block", CIDR6: "ipv6_cidr_block"}
)

func (b *builder) vpc(r *resource) error {
	o := r.Body
	v := &vpc.VPC{ID: idOf(r), Tags: o.tags("tags"), Source: o.Loc}
	if err := iac.VPCBlocks(body{b: b, r: r, o: o}, vpcFields, v); err != nil {
		return err
	}
	iac.PutVPC(b.inv, v)
	return nil
}

// vpcBlock reads aws_vpc_ipv4_cidr_block_association and
// aws_vpc_ipv6_cidr_block_association: a block added to a VPC.
func (b *builder) vpcBlock(r *resource, f iac.BlockFields) error {
	return iac.VPCAssociation(b.inv, body{b: b, r: r, o: r.Body}, "vpc_id", f, r.Body.Loc)
}

func (b *builder) subnet(r *resource) error {
	o := r.Body
	s := &vpc.Subnet{ID: idOf(r), Tags: o.tags("tags"), Source: o.Loc}
	return iac.Subnet(b.inv, body{b: b, r: r, o: o}, subnetFields, s)
}
