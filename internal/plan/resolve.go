package plan

import (
	"net/netip"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/vpc"
)

// peerAddrs resolves a rule's peer to addresses against inv: a CIDR is
// itself, a prefix list its entries, an SG reference the private addresses
// of the group's member interfaces (docs/semantics.md#sg-refs). Unknown lists and groups resolve
// to nothing.
func peerAddrs(inv *vpc.Inventory, p vpc.Peer) *netipx.IPSet {
	ps, _ := inv.PeerPrefixes(p)
	return prefixSet(ps...)
}

// ruleSet is the packets a rule allows with its peer resolved against inv.
func ruleSet(inv *vpc.Inventory, r *vpc.Rule) (netspace.Set, error) {
	return netspace.RuleSet(int(r.Protocol), r.FromPort, r.ToPort, peerAddrs(inv, r.Peer))
}

// rulesSet is the union of rules' sets; invalid rules add nothing.
func rulesSet(inv *vpc.Inventory, rules []vpc.Rule) netspace.Set {
	var b netspace.Builder
	for i := range rules {
		if s, err := ruleSet(inv, &rules[i]); err == nil {
			b.Add(s)
		}
	}
	return b.Set()
}

func prefixSet(ps ...netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range ps {
		b.AddPrefix(p)
	}
	s, _ := b.IPSet()
	return s
}

// RuleSet is the packets rule r allows with its peer resolved against inv
// as it is today.
func RuleSet(inv *vpc.Inventory, r *vpc.Rule) (netspace.Set, error) { return ruleSet(inv, r) }

// RulesSet is the union of the packets rules allow, peers resolved against
// inv; invalid rules add nothing.
func RulesSet(inv *vpc.Inventory, rules []vpc.Rule) netspace.Set { return rulesSet(inv, rules) }
