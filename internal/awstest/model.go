package awstest

import (
	"fmt"
	"hash/fnv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Fill adds a generated inventory to p: one VPC per 250 groups, a subnet
// and a NACL per VPC, groups with ingress and egress rules of every peer
// kind (CIDR, IPv6 CIDR, group, prefix list), their rules again as
// SecurityGroupRules, interfaces carrying one or two groups, and two
// managed prefix lists with entries. Ids are derived from account and the
// counts, so two places get distinct ids.
func (p *Place) Fill(account, region string, groups, interfaces int) {
	h := fnv.New32a()
	h.Write([]byte(region))
	tag := fmt.Sprintf("%s%02x", account[len(account)-4:], h.Sum32()&0xff)
	vpcs := max(1, groups/250)
	pl := fmt.Sprintf("pl-%s%08x", tag, 1)
	pl6 := fmt.Sprintf("pl-%s%08x", tag, 2)
	p.PrefixLists = append(p.PrefixLists,
		types.ManagedPrefixList{PrefixListId: aws.String(pl), PrefixListName: aws.String("corp"), AddressFamily: aws.String("IPv4"),
			MaxEntries: aws.Int32(10), OwnerId: aws.String(account), Version: aws.Int64(3), State: types.PrefixListStateCreateComplete},
		types.ManagedPrefixList{PrefixListId: aws.String(pl6), PrefixListName: aws.String("corp6"), AddressFamily: aws.String("IPv6"),
			MaxEntries: aws.Int32(5), OwnerId: aws.String(account), Version: aws.Int64(1), State: types.PrefixListStateCreateComplete})
	p.Entries[pl] = []types.PrefixListEntry{{Cidr: aws.String("10.200.0.0/16"), Description: aws.String("office")}, {Cidr: aws.String("192.168.10.0/24")}}
	p.Entries[pl6] = []types.PrefixListEntry{{Cidr: aws.String("2001:db8::/32")}}
	for v := range vpcs {
		vid := fmt.Sprintf("vpc-%s%08x", tag, v)
		cidr := fmt.Sprintf("10.%d.0.0/16", v%256)
		p.Vpcs = append(p.Vpcs, types.Vpc{VpcId: aws.String(vid), OwnerId: aws.String(account), CidrBlock: aws.String(cidr), IsDefault: aws.Bool(v == 0),
			State: types.VpcStateAvailable,
			CidrBlockAssociationSet: []types.VpcCidrBlockAssociation{{AssociationId: aws.String(fmt.Sprintf("vpc-cidr-assoc-%s%08x", tag, v)), CidrBlock: aws.String(cidr),
				CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}}},
			Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("vpc %d", v))}}})
		sid := fmt.Sprintf("subnet-%s%08x", tag, v)
		p.Subnets = append(p.Subnets, types.Subnet{SubnetId: aws.String(sid), VpcId: aws.String(vid), OwnerId: aws.String(account),
			CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/17", v%256)), AvailabilityZone: aws.String("eu-west-1a"), State: types.SubnetStateAvailable, Ipv6Native: aws.Bool(false)})
		p.NetworkAcls = append(p.NetworkAcls, types.NetworkAcl{NetworkAclId: aws.String(fmt.Sprintf("acl-%s%08x", tag, v)), VpcId: aws.String(vid),
			OwnerId: aws.String(account), IsDefault: aws.Bool(true),
			Entries: []types.NetworkAclEntry{
				{RuleNumber: aws.Int32(100), Protocol: aws.String("6"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(false), CidrBlock: aws.String("0.0.0.0/0"),
					PortRange: &types.PortRange{From: aws.Int32(443), To: aws.Int32(443)}},
				{RuleNumber: aws.Int32(110), Protocol: aws.String("1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(false), CidrBlock: aws.String("10.0.0.0/8"),
					IcmpTypeCode: &types.IcmpTypeCode{Type: aws.Int32(8), Code: aws.Int32(-1)}},
				{RuleNumber: aws.Int32(120), Protocol: aws.String("-1"), RuleAction: types.RuleActionDeny, Egress: aws.Bool(false), Ipv6CidrBlock: aws.String("::/0")},
				{RuleNumber: aws.Int32(32767), Protocol: aws.String("-1"), RuleAction: types.RuleActionDeny, Egress: aws.Bool(false), CidrBlock: aws.String("0.0.0.0/0")},
				{RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(true), CidrBlock: aws.String("0.0.0.0/0")},
				{RuleNumber: aws.Int32(32767), Protocol: aws.String("-1"), RuleAction: types.RuleActionDeny, Egress: aws.Bool(true), CidrBlock: aws.String("0.0.0.0/0")},
			},
			Associations: []types.NetworkAclAssociation{{NetworkAclAssociationId: aws.String(fmt.Sprintf("aclassoc-%s%08x", tag, v)),
				NetworkAclId: aws.String(fmt.Sprintf("acl-%s%08x", tag, v)), SubnetId: aws.String(sid)}}})
	}
	gid := func(i int) string { return fmt.Sprintf("sg-%s%08x", tag, i) }
	rule := 0
	for i := range groups {
		vid := fmt.Sprintf("vpc-%s%08x", tag, (i/250)%vpcs)
		in := []types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
				IpRanges:   []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("https")}},
				Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}},
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
				UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(gid((i + 1) % groups)), UserId: aws.String(account)}}},
		}
		out := []types.IpPermission{
			{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String(pl)}}},
		}
		if i%7 == 0 {
			out = append(out, types.IpPermission{IpProtocol: aws.String("icmp"), FromPort: aws.Int32(8), ToPort: aws.Int32(-1),
				IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}})
		}
		p.SecurityGroups = append(p.SecurityGroups, types.SecurityGroup{GroupId: aws.String(gid(i)), GroupName: aws.String(fmt.Sprintf("group-%d", i)),
			Description: aws.String("generated <&> group"), OwnerId: aws.String(account), VpcId: aws.String(vid),
			IpPermissions: in, IpPermissionsEgress: out, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("net")}}})
		for _, perms := range [][]types.IpPermission{in, out} {
			egress := len(perms) == len(out) && &perms[0] == &out[0]
			for _, pm := range perms {
				add := func(r types.SecurityGroupRule) {
					r.SecurityGroupRuleId = aws.String(fmt.Sprintf("sgr-%s%08x", tag, rule))
					rule++
					r.GroupId, r.GroupOwnerId, r.IsEgress = aws.String(gid(i)), aws.String(account), aws.Bool(egress)
					r.IpProtocol, r.FromPort, r.ToPort = pm.IpProtocol, pm.FromPort, pm.ToPort
					if r.FromPort == nil {
						r.FromPort, r.ToPort = aws.Int32(-1), aws.Int32(-1)
					}
					p.SecurityGroupRules = append(p.SecurityGroupRules, r)
				}
				for _, x := range pm.IpRanges {
					add(types.SecurityGroupRule{CidrIpv4: x.CidrIp, Description: x.Description})
				}
				for _, x := range pm.Ipv6Ranges {
					add(types.SecurityGroupRule{CidrIpv6: x.CidrIpv6})
				}
				for _, x := range pm.PrefixListIds {
					add(types.SecurityGroupRule{PrefixListId: x.PrefixListId})
				}
				for _, x := range pm.UserIdGroupPairs {
					add(types.SecurityGroupRule{ReferencedGroupInfo: &types.ReferencedSecurityGroup{GroupId: x.GroupId, UserId: x.UserId}})
				}
			}
		}
	}
	for i := range interfaces {
		v := (i / 250) % vpcs
		ip := fmt.Sprintf("10.%d.%d.%d", v%256, (i/250)%128, i%250+4)
		groupsOf := []types.GroupIdentifier{{GroupId: aws.String(gid(i % max(groups, 1))), GroupName: aws.String(fmt.Sprintf("group-%d", i%max(groups, 1)))}}
		if i%3 == 0 && groups > 1 {
			groupsOf = append(groupsOf, types.GroupIdentifier{GroupId: aws.String(gid((i + 1) % groups))})
		}
		eni := types.NetworkInterface{NetworkInterfaceId: aws.String(fmt.Sprintf("eni-%s%08x", tag, i)), SubnetId: aws.String(fmt.Sprintf("subnet-%s%08x", tag, v)),
			VpcId: aws.String(fmt.Sprintf("vpc-%s%08x", tag, v)), OwnerId: aws.String(account), AvailabilityZone: aws.String("eu-west-1a"),
			Status: types.NetworkInterfaceStatusInUse, InterfaceType: types.NetworkInterfaceTypeInterface, RequesterManaged: aws.Bool(false),
			PrivateIpAddress: aws.String(ip), Groups: groupsOf,
			PrivateIpAddresses: []types.NetworkInterfacePrivateIpAddress{{PrivateIpAddress: aws.String(ip), Primary: aws.Bool(true)}},
			Ipv6Addresses:      []types.NetworkInterfaceIpv6Address{}}
		if i%10 == 0 {
			eni.Association = &types.NetworkInterfaceAssociation{PublicIp: aws.String(fmt.Sprintf("203.0.113.%d", i%250+1)), IpOwnerId: aws.String("amazon")}
			eni.Attachment = &types.NetworkInterfaceAttachment{InstanceId: aws.String(fmt.Sprintf("i-%s%08x", tag, i)), DeviceIndex: aws.Int32(0),
				Status: types.AttachmentStatusAttached}
		}
		p.NetworkInterfaces = append(p.NetworkInterfaces, eni)
	}
}
