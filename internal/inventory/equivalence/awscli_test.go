package equivalence_test

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// loadAWSCLI is a deliberately small reader of the awscli/ fixture (legacy
// describe-security-groups shape), so this test does not depend on the
// full AWS CLI loader in package inventory.
func loadAWSCLI(t *testing.T, dir string) *vpc.Inventory {
	t.Helper()
	var doc struct {
		SecurityGroups []struct {
			GroupId, GroupName, VpcId string
			IpPermissions             []perm
			IpPermissionsEgress       []perm
		}
		NetworkAcls []struct {
			NetworkAclId, VpcId string
			IsDefault           bool
			Entries             []struct {
				RuleNumber               int
				Egress                   bool
				RuleAction, Protocol     string
				CidrBlock, Ipv6CidrBlock string
				PortRange                *struct{ From, To int32 }
			}
			Associations []struct{ SubnetId string }
			Tags         []tag
		}
		Subnets []struct {
			SubnetId, VpcId, CidrBlock, AvailabilityZone string
			Ipv6CidrBlockAssociationSet                  []struct{ Ipv6CidrBlock string }
			Tags                                         []tag
		}
		Vpcs []struct {
			VpcId, CidrBlock            string
			Ipv6CidrBlockAssociationSet []struct{ Ipv6CidrBlock string }
			Tags                        []tag
		}
		NetworkInterfaces []struct {
			NetworkInterfaceId, SubnetId, VpcId string
			Groups                              []struct{ GroupId string }
			PrivateIpAddresses                  []struct{ PrivateIpAddress string }
			TagSet                              []tag
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	inv := vpc.New()
	for _, g := range doc.SecurityGroups {
		sg := &vpc.SecurityGroup{ID: g.GroupId, Name: g.GroupName, VpcID: g.VpcId, RulesKnown: true}
		for _, egress := range []bool{false, true} {
			perms := g.IpPermissions
			if egress {
				perms = g.IpPermissionsEgress
			}
			for _, p := range perms {
				proto, err := vpc.ParseProtocol(p.IpProtocol)
				if err != nil {
					t.Fatal(err)
				}
				from, to := int32(-1), int32(-1)
				if p.FromPort != nil && proto != vpc.ProtoAll {
					from, to = *p.FromPort, *p.ToPort
				}
				add := func(peer vpc.Peer) {
					r := vpc.Rule{GroupID: g.GroupId, Egress: egress, Protocol: proto, FromPort: from, ToPort: to, Peer: peer}
					if egress {
						sg.Egress = append(sg.Egress, r)
					} else {
						sg.Ingress = append(sg.Ingress, r)
					}
				}
				for _, r := range p.IpRanges {
					add(vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(r.CidrIp)})
				}
				for _, r := range p.Ipv6Ranges {
					add(vpc.Peer{Kind: vpc.PeerCIDR, Prefix: netip.MustParsePrefix(r.CidrIpv6)})
				}
				for _, r := range p.UserIdGroupPairs {
					add(vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: r.GroupId}})
				}
			}
		}
		inv.Groups[sg.ID] = sg
	}
	for _, n := range doc.NetworkAcls {
		acl := &vpc.NACL{ID: n.NetworkAclId, VpcID: n.VpcId, IsDefault: n.IsDefault, Tags: tags(n.Tags)}
		for _, a := range n.Associations {
			acl.SubnetIDs = append(acl.SubnetIDs, a.SubnetId)
		}
		for _, e := range n.Entries {
			proto, _ := vpc.ParseProtocol(e.Protocol)
			en := vpc.NACLEntry{RuleNumber: e.RuleNumber, Egress: e.Egress, Allow: e.RuleAction == "allow", Protocol: proto}
			if e.CidrBlock != "" {
				en.Prefix = netip.MustParsePrefix(e.CidrBlock)
			} else {
				en.Prefix = netip.MustParsePrefix(e.Ipv6CidrBlock)
			}
			if e.PortRange != nil {
				en.FromPort, en.ToPort = e.PortRange.From, e.PortRange.To
			}
			if e.Egress {
				acl.Outbound = append(acl.Outbound, en)
			} else {
				acl.Inbound = append(acl.Inbound, en)
			}
		}
		acl.SortEntries()
		inv.NACLs[acl.ID] = acl
	}
	for _, s := range doc.Subnets {
		sub := &vpc.Subnet{ID: s.SubnetId, VpcID: s.VpcId, CIDR: netip.MustParsePrefix(s.CidrBlock), AvailabilityZone: s.AvailabilityZone, Tags: tags(s.Tags)}
		for _, a := range s.Ipv6CidrBlockAssociationSet {
			sub.IPv6CIDRs = append(sub.IPv6CIDRs, netip.MustParsePrefix(a.Ipv6CidrBlock))
		}
		inv.Subnets[sub.ID] = sub
	}
	for _, v := range doc.Vpcs {
		m := &vpc.VPC{ID: v.VpcId, CIDRs: []netip.Prefix{netip.MustParsePrefix(v.CidrBlock)}, Tags: tags(v.Tags)}
		for _, a := range v.Ipv6CidrBlockAssociationSet {
			m.IPv6CIDRs = append(m.IPv6CIDRs, netip.MustParsePrefix(a.Ipv6CidrBlock))
		}
		inv.VPCs[m.ID] = m
	}
	for _, e := range doc.NetworkInterfaces {
		eni := &vpc.Interface{ID: e.NetworkInterfaceId, SubnetID: e.SubnetId, VpcID: e.VpcId, Tags: tags(e.TagSet)}
		for _, g := range e.Groups {
			eni.GroupIDs = append(eni.GroupIDs, g.GroupId)
		}
		for _, a := range e.PrivateIpAddresses {
			eni.PrivateIPs = append(eni.PrivateIPs, netip.MustParseAddr(a.PrivateIpAddress))
		}
		inv.Interfaces[eni.ID] = eni
	}
	return inv
}

type perm struct {
	IpProtocol       string
	FromPort, ToPort *int32
	IpRanges         []struct{ CidrIp string }
	Ipv6Ranges       []struct{ CidrIpv6 string }
	UserIdGroupPairs []struct{ GroupId string }
}

type tag struct{ Key, Value string }

func tags(ts []tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}
