package policy

import (
	"net/netip"
	"sync"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/vpc"
)

// Address classes: the one definition of "the internet", "private" and the
// other blocks every command sorts addresses into. audit asks whether a rule
// opens a port to the internet, learn whether a destination is on the
// internet or in a private network, flowlog which end of a record is the
// VPC's own.

// Class is the kind of an address, in the order Classify tests them.
type Class uint8

const (
	// Other is what no class below holds: "this network" 0.0.0.0/8,
	// loopback, multicast and reserved IPv4, and IPv6 outside global
	// unicast, ULA and link-local.
	Other Class = iota
	// Unfiltered is an address no security group or network ACL filters
	// (the instance metadata service, Amazon DNS, Time Sync, the VPC
	// resolver, other link-local addresses): vpc.Inventory.Unfiltered.
	Unfiltered
	// Private is RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique
	// local addresses (fc00::/7).
	Private
	// CGNAT is the shared address space 100.64.0.0/10 (RFC 6598): not
	// routed on the internet, used inside carrier and VPC networks.
	CGNAT
	// LinkLocal is 169.254.0.0/16 and fe80::/10.
	LinkLocal
	// Internet is a public address: IPv4 outside every block above and
	// outside loopback, multicast and reserved space (RFC 6890); IPv6
	// global unicast 2000::/3.
	Internet
)

func (c Class) String() string {
	switch c {
	case Unfiltered:
		return "unfiltered"
	case Private:
		return "private"
	case CGNAT:
		return "cgnat"
	case LinkLocal:
		return "link-local"
	case Internet:
		return "internet"
	}
	return "other"
}

var (
	cgnat = netip.MustParsePrefix("100.64.0.0/10")
	// notInternet4 are the IPv4 blocks outside the internet.
	notInternet4 = []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
		"169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"}
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
)

// InternetSets returns the internet of each family as address sets (shared:
// callers must not change them). A rule opens a port to the internet when
// its addresses cover all of the family's set, so 0.0.0.0/0, two /1 halves
// or a prefix list holding them all count, and one public /24 does not.
var InternetSets = sync.OnceValues(func() (v4, v6 *netipx.IPSet) {
	var b4 netipx.IPSetBuilder
	b4.AddPrefix(netip.MustParsePrefix("0.0.0.0/0"))
	for _, p := range notInternet4 {
		b4.RemovePrefix(netip.MustParsePrefix(p))
	}
	v4, _ = b4.IPSet()
	var b6 netipx.IPSetBuilder
	b6.AddPrefix(globalUnicast6)
	v6, _ = b6.IPSet()
	return v4, v6
})

// IsInternet reports whether a is a public internet address.
func IsInternet(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is6() {
		return globalUnicast6.Contains(a)
	}
	v4, _ := InternetSets()
	return v4.Contains(a)
}

// IsPrivate reports whether a is RFC 1918 or an IPv6 unique local address.
func IsPrivate(a netip.Addr) bool { return a.Unmap().IsPrivate() }

// IsCGNAT reports whether a is in 100.64.0.0/10.
func IsCGNAT(a netip.Addr) bool { return cgnat.Contains(a.Unmap()) }

// IsLinkLocal reports whether a is in 169.254.0.0/16 or fe80::/10.
func IsLinkLocal(a netip.Addr) bool { return a.Unmap().IsLinkLocalUnicast() }

// IsInternal reports whether a belongs to a private network behind the VPC
// rather than to the internet: Private or CGNAT. learn keeps such
// destinations as addresses, and flowlog takes such an end of a record for
// the VPC's own.
func IsInternal(a netip.Addr) bool { return IsPrivate(a) || IsCGNAT(a) }

// IsInternal16 is IsInternal for an address in its 16-byte form (IPv4 as
// ::ffff:a.b.c.d), for flowlog's per-interface merge. It is IsInternal
// itself, not a copy: the test holds them equal.
func IsInternal16(b [16]byte) bool { return IsInternal(netip.AddrFrom16(b)) }

// Classify returns a's class. With an inventory, the addresses it knows
// bypass the filters (vpc.Inventory.Unfiltered: link-local services, the
// VPC resolver) are Unfiltered; inv may be nil.
func Classify(inv *vpc.Inventory, a netip.Addr) Class {
	a = a.Unmap()
	if inv != nil {
		if _, ok := inv.Unfiltered(a); ok {
			return Unfiltered
		}
	}
	switch {
	case IsPrivate(a):
		return Private
	case IsCGNAT(a):
		return CGNAT
	case IsLinkLocal(a):
		return LinkLocal
	case IsInternet(a):
		return Internet
	}
	return Other
}
