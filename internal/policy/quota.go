package policy

import (
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// Quota weights: how many rules a security-group rule counts for against
// AWS's per-group rule quota, which is enforced separately for IPv4 and
// IPv6 rules. plan sizes learn's proposals (--max-rules) with these and
// audit's WALLS-SG-012 compares groups with the quota by them, so both
// size one group the same.

// awsListWeights are the published weights of AWS-managed prefix lists, by
// the end of the list's name.
var awsListWeights = []struct {
	suffix string
	weight int
}{
	{".s3", 1}, {".dynamodb", 1}, {".s3express", 1},
	{"cloudfront.origin-facing", 55}, {".vpc-lattice", 10}, {"groundstation", 5},
}

// PrefixListWeight is how many rules a reference to pl counts for: a
// customer-managed list its MaxEntries (AWS reserves the maximum, not the
// entries in use), an AWS-managed list its published weight (S3, S3
// Express and DynamoDB 1, CloudFront origin-facing 55, VPC Lattice 10,
// Ground Station 5). An AWS-managed list without a published weight counts
// its MaxEntries, and a list whose MaxEntries is not known its entries;
// never less than 1. exact is false when the weight had to be estimated
// that way, or pl is nil (a list not in the input counts 1).
func PrefixListWeight(pl *vpc.PrefixList) (w int, exact bool) {
	if pl == nil {
		return 1, false
	}
	if pl.AWSManaged() || strings.HasPrefix(pl.Name, "com.amazonaws.") {
		for _, x := range awsListWeights {
			if strings.HasSuffix(pl.Name, x.suffix) {
				return x.weight, true
			}
		}
		if pl.MaxEntries > 0 {
			return pl.MaxEntries, false
		}
		return max(1, len(pl.Entries)), false
	}
	if pl.MaxEntries > 0 {
		return pl.MaxEntries, true
	}
	return max(1, len(pl.Entries)), false
}

// RuleWeight is what one rule adds to the IPv4 and IPv6 quota buckets: a
// CIDR 1 in its family; a security group reference 1 in both; a prefix
// list its weight in both. Which bucket a prefix list or a group reference
// counts in is not documented; counting both is the stricter reading, so
// a group sized by it never exceeds the quota when AWS counts it.
// exact is false when a prefix list's weight was estimated.
func RuleWeight(inv *vpc.Inventory, r *vpc.Rule) (v4, v6 int, exact bool) {
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		if r.Peer.Prefix.Addr().Is6() {
			return 0, 1, true
		}
		return 1, 0, true
	case vpc.PeerPrefixList:
		w, exact := PrefixListWeight(inv.PrefixLists[r.Peer.PrefixListID])
		return w, w, exact
	}
	return 1, 1, true
}

// RuleCount sizes a rule list per bucket as AWS counts it; exact is false
// when some prefix list's weight was estimated.
func RuleCount(inv *vpc.Inventory, rules []vpc.Rule) (v4, v6 int, exact bool) {
	exact = true
	for i := range rules {
		a, b, ok := RuleWeight(inv, &rules[i])
		v4, v6, exact = v4+a, v6+b, exact && ok
	}
	return v4, v6, exact
}
