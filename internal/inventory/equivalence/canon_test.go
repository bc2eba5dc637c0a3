package equivalence_test

import (
	"fmt"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// canon renders an inventory by names, not ids: groups by name with their
// rules as (direction, protocol, ports, peer-by-name), NACLs, subnets, VPCs
// and interfaces by Name tag. Equivalent inputs render identically.
func canon(inv *vpc.Inventory) string {
	groupName := map[string]string{}
	for id, g := range inv.Groups {
		groupName[id] = g.Name
	}
	subnetName := map[string]string{}
	for id, s := range inv.Subnets {
		subnetName[id] = s.Tags["Name"]
	}
	vpcName := map[string]string{}
	for id, v := range inv.VPCs {
		vpcName[id] = v.Tags["Name"]
	}
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	for _, g := range inv.Groups {
		add("sg %s vpc=%s", g.Name, vpcName[g.VpcID])
		for _, r := range append(append([]vpc.Rule{}, g.Ingress...), g.Egress...) {
			peer := r.Peer.String()
			if r.Peer.Kind == vpc.PeerGroup {
				peer = "sg:" + groupName[r.Peer.Group.GroupID]
			}
			dir := "ingress"
			if r.Egress {
				dir = "egress"
			}
			add("sg %s %s %s %s %s", g.Name, dir, r.Protocol.Label(), r.PortText(), peer)
		}
	}
	for _, n := range inv.NACLs {
		name := n.Tags["Name"]
		var subs []string
		for _, s := range n.SubnetIDs {
			subs = append(subs, subnetName[s])
		}
		sort.Strings(subs)
		add("nacl %s vpc=%s default=%v subnets=%s", name, vpcName[n.VpcID], n.IsDefault, strings.Join(subs, ","))
		for _, e := range append(append([]vpc.NACLEntry{}, n.Inbound...), n.Outbound...) {
			if e.IsDefaultDeny() {
				continue
			}
			dir := "in"
			if e.Egress {
				dir = "out"
			}
			add("nacl %s %s %s", name, dir, e.String())
		}
	}
	for _, s := range inv.Subnets {
		add("subnet %s vpc=%s %s %v az=%s", s.Tags["Name"], vpcName[s.VpcID], s.CIDR, s.IPv6CIDRs, s.AvailabilityZone)
	}
	for _, v := range inv.VPCs {
		add("vpc %s %v %v", v.Tags["Name"], v.CIDRs, v.IPv6CIDRs)
	}
	for _, e := range inv.Interfaces {
		var gs []string
		for _, g := range e.GroupIDs {
			gs = append(gs, groupName[g])
		}
		sort.Strings(gs)
		add("eni %s subnet=%s vpc=%s groups=%s ips=%v", e.Name(), subnetName[e.SubnetID], vpcName[e.VpcID], strings.Join(gs, ","), e.PrivateIPs)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}
