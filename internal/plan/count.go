package plan

import (
	"github.com/walls-dev/walls/internal/policy"
	"github.com/walls-dev/walls/internal/vpc"
)

// PrefixListWeight is how many rules a reference to pl counts for against
// the quota: policy.PrefixListWeight, the one definition audit uses too.
func PrefixListWeight(pl *vpc.PrefixList) int {
	w, _ := policy.PrefixListWeight(pl)
	return w
}

// Count sizes a rule list as AWS counts it against the per-group quota,
// per family bucket (policy.RuleCount).
func Count(inv *vpc.Inventory, rules []vpc.Rule) RuleCount {
	v4, v6, _ := policy.RuleCount(inv, rules)
	return RuleCount{IPv4: v4, IPv6: v6}
}

// Weight is what one rule adds to the IPv4 and IPv6 buckets
// (policy.RuleWeight).
func Weight(inv *vpc.Inventory, r *vpc.Rule) (v4, v6 int) {
	v4, v6, _ = policy.RuleWeight(inv, r)
	return v4, v6
}
