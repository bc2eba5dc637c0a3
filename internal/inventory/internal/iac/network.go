package iac

import (
	"net/netip"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// The containers both loaders read: VPCs with their CIDR blocks, subnets
// and managed prefix lists. Each loader names its fields; what a field
// means, and what is done when it is unknown, is written here once.

// Ref reads a reference-like string field (a VPC, subnet or NACL id);
// unknown gives "" after a warning saying consequence.
func Ref(b Body, field, consequence string) (string, error) {
	s, st, err := b.Str(field)
	if err != nil {
		return "", err
	}
	if st == Unknown {
		b.Unknown(field, consequence)
	}
	return s, nil
}

// BlockFields names the CIDR block fields of a VPC (or a block associated
// with one) and of a subnet; "" is a field the resource does not have.
type BlockFields struct {
	CIDR4, CIDR6 string
	// Owner is the owning account's id.
	Owner string
	// AmazonIPv6 is a bool field asking AWS for an IPv6 block at creation;
	// IPv6Pool names the IPAM pool an IPv6 block is allocated from. Either
	// says the VPC has an IPv6 block no input can know.
	AmazonIPv6, IPv6Pool string
	// IPv6Computed: the provider computes CIDR6 (Terraform holds it
	// unknown for every VPC until apply), so an unknown value alone
	// declares no block; only AmazonIPv6 or IPv6Pool does.
	IPv6Computed bool
}

// VPCBlocks reads a VPC's CIDR blocks (its primary one, or one associated
// with it by a separate resource) and its owner into v.
func VPCBlocks(b Body, f BlockFields, v *vpc.VPC) error {
	if f.Owner != "" {
		if s, _, _ := b.Str(f.Owner); s != "" {
			v.OwnerID = s
		}
	}
	why := "the VPC has no known IPv4 block"
	if len(v.CIDRs) > 0 {
		why = "one of the VPC's IPv4 blocks is not known"
	}
	if err := block(b, f.CIDR4, 4, why, &v.CIDRs); err != nil {
		return err
	}
	if f.CIDR6 == "" {
		return nil
	}
	p6, st, err := prefix(b, f.CIDR6, 6)
	if err != nil {
		return err
	}
	amazon := false
	if f.AmazonIPv6 != "" {
		amazon, _, _ = b.Bool(f.AmazonIPv6)
	}
	pooled := false
	if f.IPv6Pool != "" {
		_, pst, _ := b.Str(f.IPv6Pool)
		pooled = pst != Absent
	}
	switch {
	case st == Known:
		v.IPv6CIDRs = append(v.IPv6CIDRs, p6)
	case amazon || pooled:
		// Unknown reports a field the body may not hold: AWS assigns it.
		b.Unknown(f.CIDR6, "the VPC's IPv6 block is assigned by AWS and not known")
	case st == Unknown && !f.IPv6Computed:
		b.Unknown(f.CIDR6, "the VPC's IPv6 block is not known")
	}
	return nil
}

// block reads a CIDR block field of family 4 or 6 and appends it to dst
// when known; an unknown one is warned about with consequence.
func block(b Body, field string, family int, consequence string, dst *[]netip.Prefix) error {
	p, st, err := prefix(b, field, family)
	switch {
	case err != nil:
		return err
	case st == Known:
		*dst = append(*dst, p)
	case st == Unknown:
		b.Unknown(field, consequence)
	}
	return nil
}

// PutVPC adds a VPC to the inventory, keeping the blocks an association
// read before it added to the same id.
func PutVPC(inv *vpc.Inventory, v *vpc.VPC) {
	if prev := inv.VPCs[v.ID]; prev != nil {
		v.CIDRs = append(v.CIDRs, prev.CIDRs...)
		v.IPv6CIDRs = append(v.IPv6CIDRs, prev.IPv6CIDRs...)
	}
	inv.VPCs[v.ID] = v
	inv.Loaded[vpc.KindVPCs] = true
}

// VPCAssociation reads a resource that adds a CIDR block to a VPC
// (AWS::EC2::VPCCidrBlock, aws_vpc_ipv4/ipv6_cidr_block_association):
// vpcField names the VPC, src locates a VPC the input does not declare.
func VPCAssociation(inv *vpc.Inventory, b Body, vpcField string, f BlockFields, src vpc.Location) error {
	id, err := Ref(b, vpcField, "block skipped")
	if err != nil || id == "" {
		return err
	}
	v := inv.VPCs[id]
	if v == nil {
		v = &vpc.VPC{ID: id, Source: src}
		inv.VPCs[id] = v
	}
	return VPCBlocks(b, f, v)
}

// SubnetFields names a subnet's fields.
type SubnetFields struct {
	VPC, AZ, Owner, CIDR4, CIDR6 string
}

// Subnet reads a subnet's VPC, zone, owner and blocks into s and adds it
// to the inventory.
func Subnet(inv *vpc.Inventory, b Body, f SubnetFields, s *vpc.Subnet) error {
	var err error
	if s.VpcID, err = Ref(b, f.VPC, "the subnet's VPC is not known"); err != nil {
		return err
	}
	s.AvailabilityZone, _, _ = b.Str(f.AZ)
	if f.Owner != "" {
		s.OwnerID, _, _ = b.Str(f.Owner)
	}
	var v4 []netip.Prefix
	if err := block(b, f.CIDR4, 4, "the subnet's IPv4 block is not known", &v4); err != nil {
		return err
	}
	if len(v4) > 0 {
		s.CIDR = v4[0]
	}
	if err := block(b, f.CIDR6, 6, "the subnet's IPv6 block is not known", &s.IPv6CIDRs); err != nil {
		return err
	}
	inv.Subnets[s.ID] = s
	inv.Loaded[vpc.KindSubnets] = true
	return nil
}

// PrefixListFields names a managed prefix list's fields: Entries is a list
// of objects holding Entry (a CIDR block).
type PrefixListFields struct {
	Name, Family, Owner, MaxEntries string
	Entries, Entry                  string
}

// PrefixList reads a managed prefix list into pl (whose ID and Source the
// caller sets) and adds it to the inventory. An entry whose block is
// unknown is left out and the list marked incomplete.
func PrefixList(inv *vpc.Inventory, b Body, f PrefixListFields, pl *vpc.PrefixList) error {
	pl.EntriesKnown = true
	pl.Name, _, _ = b.Str(f.Name)
	pl.AddressFamily, _, _ = b.Str(f.Family)
	if f.Owner != "" {
		pl.OwnerID, _, _ = b.Str(f.Owner)
	}
	if m, st, _ := b.Int(f.MaxEntries); st == Known {
		pl.MaxEntries = int(m.V)
	}
	fam := 0
	switch pl.AddressFamily {
	case "IPv4":
		fam = 4
	case "IPv6":
		fam = 6
	}
	items, unk, st, err := b.Objects(f.Entries)
	if err != nil {
		return err
	}
	if st == Unknown || unk > 0 {
		b.Unknown(f.Entries, "the list's entries are not known")
		pl.EntriesKnown = false
	}
	for _, it := range items {
		if err := PrefixListEntry(it, f.Entry, fam, pl); err != nil {
			return err
		}
	}
	if prev := inv.PrefixLists[pl.ID]; prev != nil {
		pl.Entries = append(pl.Entries, prev.Entries...)
	}
	inv.PrefixLists[pl.ID] = pl
	inv.Loaded[vpc.KindPrefixLists] = true
	return nil
}

// PrefixListEntry reads one entry's block (field, of family 4, 6 or 0 for
// either) into pl; the block is required.
func PrefixListEntry(b Body, field string, family int, pl *vpc.PrefixList) error {
	p, st, err := prefix(b, field, family)
	if err != nil {
		return err
	}
	switch st {
	case Known:
		pl.Entries = append(pl.Entries, p)
	case Unknown:
		b.Unknown(field, "entry skipped")
		pl.EntriesKnown = false
	default:
		return b.Errorf("missing %s: want a CIDR block", field)
	}
	return nil
}

// NACLAssoc is a subnet's association with a network ACL, held until every
// NACL of the input is read.
type NACLAssoc struct {
	NACL, Subnet string
	Res          string // the resource that declares it, for warnings
	Loc          vpc.Location
}

// Pending is what a load holds until all its resources are read: the NACL
// associations and the NACLs and interfaces it created.
type Pending struct {
	Assocs []NACLAssoc
	NACLs  []*vpc.NACL
	ENIs   []*vpc.Interface
	// Input names what was read, for warnings ("template", "input").
	Input string
	// DefaultNACLs: an undeclared NACL that DefaultNACL names is the VPC's
	// default NACL (CloudFormation's VPC.DefaultNetworkAcl).
	DefaultNACLs bool
}

// DefaultNACL returns the default NACL of a VPC an id names as
// CloudFormation's VPC.DefaultNetworkAcl attribute does, or nil.
func DefaultNACL(id string, src vpc.Location) *vpc.NACL {
	if v, ok := strings.CutSuffix(id, ".DefaultNetworkAcl"); ok {
		return &vpc.NACL{ID: id, VpcID: v, IsDefault: true, Source: src}
	}
	return nil
}

// Finish ends a load: it applies the NACL associations (a subnet has one
// NACL, so a later association replaces an earlier one), gives a NACL
// without a VPC its first subnet's, sorts the entries (refusing a rule
// number used twice in one direction) and gives each interface its
// subnet's VPC and zone. An association with a NACL the input does not
// declare is skipped with a warning, unless it is a default NACL
// (DefaultNACLs).
func (p *Pending) Finish(inv *vpc.Inventory) error {
	for _, a := range p.Assocs {
		n := inv.NACLs[a.NACL]
		if n == nil {
			if p.DefaultNACLs {
				n = DefaultNACL(a.NACL, a.Loc)
			}
			if n == nil {
				inv.Warn(vpc.Warning{Code: "unknown-nacl-reference", Resource: a.Res,
					Message: a.Res + ": network ACL " + a.NACL + " is not declared in this " + p.Input + "; association with " + a.Subnet + " skipped",
					Source:  a.Loc})
				continue
			}
			inv.NACLs[a.NACL] = n
			p.NACLs = append(p.NACLs, n)
		}
		for _, other := range inv.NACLs {
			other.SubnetIDs = RemoveString(other.SubnetIDs, a.Subnet)
		}
		n.SubnetIDs = append(n.SubnetIDs, a.Subnet)
	}
	for _, n := range p.NACLs {
		if n.VpcID == "" && len(n.SubnetIDs) > 0 {
			if s := inv.Subnets[n.SubnetIDs[0]]; s != nil {
				n.VpcID = s.VpcID
			}
		}
		if dup := SortNACL(n); dup != nil {
			// AWS refuses the second entry of a number: the NACL as written
			// cannot exist, so it is left out, with a warning, and the
			// rest of the input is still read.
			dir := "inbound"
			if dup.Egress {
				dir = "outbound"
			}
			delete(inv.NACLs, n.ID)
			if err := SkipResource(inv, n.ID, Errorf(dup.Source, "network ACL %s: rule number %d used twice in the %s direction: want unique rule numbers", n.ID, dup.RuleNumber, dir)); err != nil {
				return err
			}
		}
	}
	for _, eni := range p.ENIs {
		if s := inv.Subnets[eni.SubnetID]; s != nil {
			eni.VpcID = s.VpcID
			if eni.AvailabilityZone == "" {
				eni.AvailabilityZone = s.AvailabilityZone
			}
		}
	}
	return nil
}

// RemoveString removes every s from ss, in place.
func RemoveString(ss []string, s string) []string {
	out := ss[:0]
	for _, x := range ss {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
