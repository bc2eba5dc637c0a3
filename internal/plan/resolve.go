package plan

import (
	"net/netip"

	"go4.org/netipx"

	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// peerAddrs resolves a rule's peer exactly against inv (policy.PeerSet):
// unknown lists and groups resolve to nothing.
func peerAddrs(inv *vpc.Inventory, p vpc.Peer) *netipx.IPSet {
	return policy.PeerSet(inv, p, policy.Exact)
}

// ruleSet is the packets a rule allows with its peer resolved exactly
// against inv (policy.RuleSet, docs/semantics.md#sg-refs): unknown lists
// and groups resolve to nothing.
func ruleSet(inv *vpc.Inventory, r *vpc.Rule) (netspace.Set, error) {
	return policy.RuleSet(inv, r, policy.Exact)
}

// rulesSet is the union of rules' sets; invalid rules add nothing.
func rulesSet(inv *vpc.Inventory, rules []vpc.Rule) netspace.Set {
	return policy.RulesSet(inv, rules, policy.Exact)
}

func prefixSet(ps ...netip.Prefix) *netipx.IPSet { return policy.PrefixSet(ps...) }

// RuleSet is the packets rule r allows with its peer resolved against inv
// as it is today.
func RuleSet(inv *vpc.Inventory, r *vpc.Rule) (netspace.Set, error) { return ruleSet(inv, r) }

// RulesSet is the union of the packets rules allow, peers resolved against
// inv; invalid rules add nothing.
func RulesSet(inv *vpc.Inventory, rules []vpc.Rule) netspace.Set { return rulesSet(inv, rules) }
