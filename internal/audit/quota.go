package audit

import (
	"fmt"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// awsListWeights are the documented weights of AWS-managed prefix lists
// (docs/semantics.md#quotas), by the suffix of the list name.
var awsListWeights = []struct {
	suffix string
	weight int
}{
	{".s3", 1}, {".dynamodb", 1}, {"cloudfront.origin-facing", 55}, {".vpc-lattice", 10}, {"groundstation", 5},
}

// ruleWeight is what one rule counts against the quota (docs/semantics.md#quotas): 1 for a CIDR
// or a group reference, MaxEntries for a customer-managed prefix list, the
// documented weight for an AWS-managed one. It returns false in exact when
// the weight had to be guessed.
func ruleWeight(inv *vpc.Inventory, r *vpc.Rule) (w int, exact bool) {
	if r.Peer.Kind != vpc.PeerPrefixList {
		return 1, true
	}
	pl := inv.PrefixLists[r.Peer.PrefixListID]
	if pl == nil {
		return 1, false
	}
	if pl.AWSManaged() {
		for _, x := range awsListWeights {
			if strings.HasSuffix(pl.Name, x.suffix) {
				return x.weight, true
			}
		}
		return max(1, len(pl.Entries)), false
	}
	if pl.MaxEntries > 0 {
		return pl.MaxEntries, true
	}
	return max(1, len(pl.Entries)), false
}

// ruleBuckets says which family buckets a rule counts in. The bucket of
// group references and of prefix lists of unknown family is not documented;
// they count in both, the stricter reading (docs/semantics.md#quotas).
func ruleBuckets(inv *vpc.Inventory, r *vpc.Rule) (in4, in6 bool) {
	switch r.Peer.Kind {
	case vpc.PeerCIDR:
		return !r.Peer.Prefix.Addr().Is6(), r.Peer.Prefix.Addr().Is6()
	case vpc.PeerPrefixList:
		if pl := inv.PrefixLists[r.Peer.PrefixListID]; pl != nil {
			switch strings.ToLower(pl.AddressFamily) {
			case "ipv4":
				return true, false
			case "ipv6":
				return false, true
			}
		}
	}
	return true, true
}

// checkGroupQuota: WALLS-SG-012.
func checkGroupQuota(s *scan) {
	q := s.opts.RuleQuota
	warn := int(float64(q)*s.opts.QuotaWarn + 0.5)
	for _, g := range s.groupsWithRules() {
		for _, egress := range []bool{false, true} {
			var n4, n6 int
			guessed := false
			rules := g.Rules(egress)
			for i := range rules {
				w, exact := ruleWeight(s.inv, &rules[i])
				guessed = guessed || !exact
				a, b := ruleBuckets(s.inv, &rules[i])
				if a {
					n4 += w
				}
				if b {
					n6 += w
				}
			}
			for _, c := range []struct {
				f family
				n int
			}{{v4, n4}, {v6, n6}} {
				if c.n < warn {
					continue
				}
				sev := Medium
				state := "near"
				if c.n > q {
					sev, state = High, "over"
				}
				msg := fmt.Sprintf("%s counts %d %s %s rules of %d allowed: %s its quota.",
					groupLabel(g), c.n, c.f, dirWord(egress), q, state)
				if guessed {
					msg += " (Some prefix lists' sizes were not in the input and were estimated.)"
				}
				s.add(Finding{
					ResourceID: g.ID, Severity: sev, Message: msg, Location: locationOf(g.Source),
					key: dirWord(egress) + "/" + c.f.String(),
				})
			}
		}
	}
}

// checkNACLQuota: WALLS-NACL-004. The built-in deny counts (docs/semantics.md#nacl-order).
func checkNACLQuota(s *scan) {
	q := s.opts.NACLQuota
	warn := int(float64(q)*s.opts.QuotaWarn + 0.5)
	for _, id := range s.inv.SortedNACLIDs() {
		n := s.inv.NACLs[id]
		for _, egress := range []bool{false, true} {
			var n4, n6 int
			var deny4, deny6 bool
			for _, e := range n.Entries(egress) {
				if famOf(e.Prefix) == v6 {
					n6++
					deny6 = deny6 || e.IsDefaultDeny()
				} else {
					n4++
					deny4 = deny4 || e.IsDefaultDeny()
				}
			}
			if !deny4 {
				n4++
			}
			if !deny6 && n6 > 0 {
				n6++
			}
			for _, c := range []struct {
				f family
				n int
			}{{v4, n4}, {v6, n6}} {
				if c.n < warn {
					continue
				}
				sev, state := Low, "near"
				if c.n > q {
					sev, state = Medium, "over"
				}
				s.add(Finding{
					ResourceID: n.ID, Severity: sev, Location: locationOf(n.Source),
					Message: fmt.Sprintf("%s has %d %s %s entries (the default deny included) of %d allowed: %s its quota.",
						n.ID, c.n, c.f, naclDir(egress), q, state),
					key: naclDir(egress) + "/" + c.f.String(),
				})
			}
		}
	}
}

func naclDir(egress bool) string {
	if egress {
		return "outbound"
	}
	return "inbound"
}
