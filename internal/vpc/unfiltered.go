package vpc

import (
	"fmt"
	"net/netip"
)

// Destinations that neither security groups nor network ACLs filter, and
// that flow logs do not record (docs/semantics.md#unfiltered): the instance metadata
// service, Amazon DNS, Time Sync and Windows activation on their link-local
// addresses, their Nitro IPv6 twins in fd00:ec2::/64, and the Route 53
// Resolver at the primary VPC block's base + 2.
var unfilteredAddrs = map[netip.Addr]string{
	netip.MustParseAddr("169.254.169.254"): "the instance metadata service",
	netip.MustParseAddr("fd00:ec2::254"):   "the instance metadata service",
	netip.MustParseAddr("169.254.169.253"): "the Route 53 Resolver (Amazon DNS)",
	netip.MustParseAddr("fd00:ec2::253"):   "the Route 53 Resolver (Amazon DNS)",
	netip.MustParseAddr("169.254.169.123"): "the Amazon Time Sync Service",
	netip.MustParseAddr("fd00:ec2::123"):   "the Amazon Time Sync Service",
	netip.MustParseAddr("169.254.169.250"): "Windows license activation (KMS)",
	netip.MustParseAddr("169.254.169.251"): "Windows license activation (KMS)",
}

var (
	linkLocal4 = netip.MustParsePrefix("169.254.0.0/16")
	nitroV6    = netip.MustParsePrefix("fd00:ec2::/64")
)

// Unfiltered reports whether traffic to addr bypasses security groups and
// network ACLs, and says what the address is. Other link-local addresses
// (169.254.0.0/16, fd00:ec2::/64) count too: they are not routed beyond the
// interface's link, so no filter of the VPC sees them.
func (inv *Inventory) Unfiltered(addr netip.Addr) (string, bool) {
	addr = addr.Unmap()
	if what, ok := unfilteredAddrs[addr]; ok {
		return fmt.Sprintf("%s is %s: security groups and network ACLs do not filter this traffic", addr, what), true
	}
	if addr.Is4() {
		for _, v := range inv.Index().vpcs {
			if len(v.CIDRs) > 0 && v.CIDRs[0].Masked().Addr().Next().Next() == addr {
				return fmt.Sprintf("%s is the Route 53 Resolver of %s (primary CIDR base + 2): security groups and network ACLs do not filter DNS to it", addr, v.ID), true
			}
		}
	}
	if linkLocal4.Contains(addr) || nitroV6.Contains(addr) {
		return fmt.Sprintf("%s is a link-local address: it is not routed beyond the interface, so no security group or network ACL sees it", addr), true
	}
	return "", false
}
