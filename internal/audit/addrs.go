package audit

import (
	"net/netip"
	"sync"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/vpc"
)

// The internet, for "open to the internet": every address outside the
// private, shared, loopback, link-local, "this network" and multicast or
// reserved blocks (RFC 6890). A rule opens a port to the internet when its
// addresses cover all of it, so 0.0.0.0/0, ::/0, two /1 halves or a prefix
// list holding them all count, and a single public /24 does not.
var internetSets = sync.OnceValues(func() (*netipx.IPSet, *netipx.IPSet) {
	var b4 netipx.IPSetBuilder
	b4.AddPrefix(netip.MustParsePrefix("0.0.0.0/0"))
	for _, p := range []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
		"169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"} {
		b4.RemovePrefix(netip.MustParsePrefix(p))
	}
	v4, _ := b4.IPSet()
	var b6 netipx.IPSetBuilder
	b6.AddPrefix(netip.MustParsePrefix("2000::/3")) // global unicast
	v6, _ := b6.IPSet()
	return v4, v6
})

// family is an address family: false IPv4, true IPv6.
type family bool

const (
	v4 family = false
	v6 family = true
)

func (f family) String() string {
	if f == v6 {
		return "IPv6"
	}
	return "IPv4"
}

func (f family) any() string {
	if f == v6 {
		return "::/0"
	}
	return "0.0.0.0/0"
}

func famOf(p netip.Prefix) family { return family(p.Addr().Is6()) }

// peerPrefixes returns the CIDRs a rule's peer stands for on the internet:
// the CIDR itself or the prefix list's entries. A security group reference
// matches members' private addresses only (docs/semantics.md#sg-refs), never the internet, so it
// yields nothing; so does a prefix list whose entries were not loaded.
func peerPrefixes(inv *vpc.Inventory, r *vpc.Rule) []netip.Prefix {
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		if r.Peer.Prefix.IsValid() {
			return []netip.Prefix{r.Peer.Prefix}
		}
	case vpc.PeerPrefixList:
		if pl := inv.PrefixLists[r.Peer.PrefixListID]; pl != nil {
			return pl.Entries
		}
	}
	return nil
}

// coversInternet reports whether the prefixes of family f together contain
// the whole internet of that family.
func coversInternet(ps []netip.Prefix, f family) bool {
	n := 0
	for _, p := range ps {
		if famOf(p) != f {
			continue
		}
		if p.Bits() == 0 {
			return true
		}
		n++
	}
	if n == 0 {
		return false
	}
	var b netipx.IPSetBuilder
	for _, p := range ps {
		if famOf(p) == f {
			b.AddPrefix(p)
		}
	}
	set, err := b.IPSet()
	if err != nil {
		return false
	}
	in4, in6 := internetSets()
	want := in4
	if f == v6 {
		want = in6
	}
	for _, r := range want.Ranges() {
		if !set.ContainsRange(r) {
			return false
		}
	}
	return true
}

// reachesInternet reports whether any prefix of family f overlaps the internet.
func reachesInternet(ps []netip.Prefix, f family) bool {
	in4, in6 := internetSets()
	want := in4
	if f == v6 {
		want = in6
	}
	for _, p := range ps {
		if famOf(p) == f && want.OverlapsPrefix(p) {
			return true
		}
	}
	return false
}

// peerText renders a set of rules' peers for messages: "0.0.0.0/0" when one
// rule says it, else the list.
func peerText(rules []*vpc.Rule, f family) string {
	var ps []string
	seen := map[string]bool{}
	for _, r := range rules {
		s := r.Peer.String()
		if r.Peer.Kind == vpc.PeerCIDR && famOf(r.Peer.Prefix) != f || seen[s] {
			continue
		}
		seen[s] = true
		ps = append(ps, s)
	}
	if len(ps) == 1 {
		return ps[0]
	}
	return "the whole " + f.String() + " internet (" + joinAnd(ps) + ")"
}
