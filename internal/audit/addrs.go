package audit

import (
	"net/netip"

	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// internetSets is the internet of each family (policy's definition).
var internetSets = policy.InternetSets

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

// peerPrefixes returns the CIDRs a rule's peer stands for on the internet,
// read as policy.Listed: the CIDR itself or the prefix list's loaded
// entries. A security group reference matches members' private addresses
// only (docs/semantics.md#sg-refs), never the internet, so it yields
// nothing.
func peerPrefixes(inv *vpc.Inventory, r *vpc.Rule) []netip.Prefix {
	return policy.ListedPrefixes(inv, r.Peer)
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
