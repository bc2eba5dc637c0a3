package reach

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// candidates resolves a --from/--to argument into the interfaces (or the
// external address) it stands for: an ENI id, an instance id, a private or
// public IP, or an SG id meaning its members.
type candidate struct {
	kind   string
	eni    *vpc.Interface
	addr   netip.Addr // explicit address, when the query was an IP
	public bool       // the query was a public IP of eni
}

func resolve(inv *vpc.Inventory, q string) ([]candidate, error) {
	ix := inv.Index()
	// Exact ids first, whatever their form: inventories read from
	// Terraform or CloudFormation name objects by address or logical id.
	if eni := inv.Interfaces[q]; eni != nil {
		return []candidate{{kind: "interface", eni: eni}}, nil
	}
	if enis := ix.ByInstance[q]; len(enis) > 0 {
		sorted := append([]*vpc.Interface(nil), enis...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].DeviceIndex < sorted[j].DeviceIndex })
		out := make([]candidate, len(sorted))
		for i, e := range sorted {
			out[i] = candidate{kind: "instance", eni: e}
		}
		return out, nil
	}
	if _, ok := inv.Groups[q]; ok || len(ix.Members[q]) > 0 {
		members := ix.Members[q]
		if len(members) == 0 {
			return nil, fmt.Errorf("security group %s has no member interfaces in the inventory; nothing to check", q)
		}
		out := make([]candidate, len(members))
		for i, e := range members {
			out[i] = candidate{kind: "security-group", eni: e}
		}
		return out, nil
	}
	if a, err := netip.ParseAddr(q); err == nil {
		a = a.Unmap()
		if eni, public := ix.InterfaceByIP(a); eni != nil {
			return []candidate{{kind: "ip", eni: eni, addr: a, public: public}}, nil
		}
		return []candidate{{kind: "ip", addr: a}}, nil
	}
	switch {
	case strings.HasPrefix(q, "eni-"):
		return nil, fmt.Errorf("network interface %s is not in the inventory", q)
	case strings.HasPrefix(q, "i-"):
		return nil, fmt.Errorf("instance %s has no network interface in the inventory (load describe-network-interfaces output)", q)
	case strings.HasPrefix(q, "sg-"):
		return nil, fmt.Errorf("security group %s is not in the inventory", q)
	}
	return nil, fmt.Errorf("%q is not an interface id (eni-…), instance id (i-…), security group id (sg-…) or IP address known to the inventory", q)
}

// endpoints turns a source and destination candidate into the concrete
// endpoints of one evaluated pair: which address each packet carries.
func endpoints(inv *vpc.Inventory, req *Request, src, dst candidate, srcQ, dstQ string) (Endpoint, Endpoint, []string, error) {
	var notes []string
	want6 := req.IPv6 || req.Protocol == vpc.ProtoICMPv6
	// An interface with no IPv4 address (IPv6-only subnets) can only talk IPv6.
	for _, c := range []candidate{src, dst} {
		if c.eni != nil && !c.addr.IsValid() && len(c.eni.PrivateIPs) == 0 && len(c.eni.IPv6s) > 0 {
			want6 = true
		}
	}
	if src.addr.IsValid() && !src.public {
		want6 = src.addr.Is6()
	}
	if dst.addr.IsValid() && !dst.public {
		want6 = dst.addr.Is6()
	}
	if src.addr.IsValid() && dst.addr.IsValid() && !src.public && !dst.public && src.addr.Is6() != dst.addr.Is6() {
		return Endpoint{}, Endpoint{}, nil, fmt.Errorf("--from %s and --to %s are of different IP versions", src.addr, dst.addr)
	}
	if req.Protocol == vpc.ProtoICMP && want6 {
		return Endpoint{}, Endpoint{}, nil, fmt.Errorf("icmp is ICMP for IPv4; use --protocol icmpv6 for IPv6 endpoints")
	}
	// Traffic to a public address leaves the VPC (through the internet
	// gateway) and carries public addresses on the far side.
	viaPublic := dst.public || (dst.eni == nil && dst.addr.IsValid() && !inVPC(inv, dst.addr))
	pick := func(c candidate, q string, peerPublic bool) (Endpoint, error) {
		ep := Endpoint{Query: q, Kind: c.kind}
		if c.eni == nil {
			ep.Kind, ep.Addr, ep.External = "external", c.addr, true
			ep.VpcID, ep.SubnetID, ep.InVPC = locate(inv, c.addr)
			return ep, nil
		}
		ep.Interface, ep.SubnetID, ep.VpcID = c.eni, c.eni.SubnetID, c.eni.VpcID
		switch {
		case c.addr.IsValid() && !c.public:
			ep.Addr = c.addr
		case c.public && peerPublic:
			ep.Addr = c.addr
		case want6:
			if len(c.eni.IPv6s) == 0 {
				return ep, fmt.Errorf("%s has no IPv6 address", c.eni.ID)
			}
			ep.Addr = c.eni.IPv6s[0]
		default:
			if len(c.eni.PrivateIPs) == 0 {
				if len(c.eni.IPv6s) == 0 {
					return ep, fmt.Errorf("%s has no IP address in the inventory", c.eni.ID)
				}
				ep.Addr = c.eni.IPv6s[0]
			} else {
				ep.Addr = c.eni.PrivateIPs[0]
			}
		}
		return ep, nil
	}
	from, err := pick(src, srcQ, false)
	if err != nil {
		return from, Endpoint{}, nil, err
	}
	to, err := pick(dst, dstQ, true)
	if err != nil {
		return from, to, nil, err
	}
	if viaPublic && from.Interface != nil && dst.eni != nil {
		// Hairpin through the internet gateway: the destination sees the
		// source's public address, if it has one.
		if len(from.Interface.PublicIPs) > 0 {
			notes = append(notes, fmt.Sprintf("%s is a public address: the connection leaves the VPC and returns through the internet gateway; the destination sees %s's public address %s, and security group references do not match public addresses", dst.addr, from.Interface.ID, from.Interface.PublicIPs[0]))
		} else {
			notes = append(notes, fmt.Sprintf("%s is a public address: the connection leaves the VPC through a NAT or gateway whose address the destination sees; that address is not evaluated", dst.addr))
		}
	}
	return from, to, notes, nil
}

func inVPC(inv *vpc.Inventory, a netip.Addr) bool {
	_, _, ok := locate(inv, a)
	return ok
}

// locate finds the VPC and subnet an address without a known interface
// lies in, from the VPCs' blocks or, when VPCs were not loaded, the subnets'.
func locate(inv *vpc.Inventory, a netip.Addr) (vpcID, subnetID string, ok bool) {
	s := inv.SubnetFor(a)
	if s != nil {
		subnetID, vpcID, ok = s.ID, s.VpcID, true
	}
	if v := inv.VPCFor(a); v != nil {
		vpcID, ok = v.ID, true
	}
	return vpcID, subnetID, ok
}
