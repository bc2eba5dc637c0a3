package plan

import (
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// PrefixListWeight is how many rules a reference to pl counts for against
// the quota (docs/semantics.md#quotas): a customer-managed list its MaxEntries, an AWS-managed
// list its published weight (S3 and DynamoDB 1, CloudFront origin-facing 55,
// VPC Lattice 10, Ground Station 5). Unknown AWS-managed lists count their
// MaxEntries, else their entries; never less than 1.
func PrefixListWeight(pl *vpc.PrefixList) int {
	if pl == nil {
		return 1
	}
	if pl.AWSManaged() || strings.HasPrefix(pl.Name, "com.amazonaws.") {
		n := pl.Name
		switch {
		case strings.HasSuffix(n, ".s3"), strings.HasSuffix(n, ".dynamodb"), strings.HasSuffix(n, ".s3express"):
			return 1
		case strings.HasSuffix(n, "cloudfront.origin-facing"):
			return 55
		case strings.HasSuffix(n, ".vpc-lattice"):
			return 10
		case strings.HasSuffix(n, "groundstation"):
			return 5
		}
	}
	if pl.MaxEntries > 0 {
		return pl.MaxEntries
	}
	return max(1, len(pl.Entries))
}

// Count sizes a rule list as AWS counts it against the per-group quota:
// per family bucket, a CIDR 1 in its family, an SG reference 1 and a prefix
// list its weight in both (the stricter reading of docs/semantics.md#quotas).
func Count(inv *vpc.Inventory, rules []vpc.Rule) RuleCount {
	var c RuleCount
	for i := range rules {
		v4, v6 := Weight(inv, &rules[i])
		c.IPv4 += v4
		c.IPv6 += v6
	}
	return c
}

// Weight is what one rule adds to the IPv4 and IPv6 buckets.
func Weight(inv *vpc.Inventory, r *vpc.Rule) (v4, v6 int) {
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		if r.Peer.Prefix.Addr().Is4() {
			return 1, 0
		}
		return 0, 1
	case vpc.PeerPrefixList:
		w := PrefixListWeight(inv.PrefixLists[r.Peer.PrefixListID])
		return w, w
	}
	return 1, 1
}
