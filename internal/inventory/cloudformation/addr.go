package cloudformation

import "net/netip"

type netipAddr = netip.Addr

// netipAll4 is 0.0.0.0/0, the peer of the assumed default egress rule.
var netipAll4 = netip.MustParsePrefix("0.0.0.0/0")

func containsAddr(as []netip.Addr, a netip.Addr) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}
