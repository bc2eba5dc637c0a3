package audit

import (
	"fmt"

	"github.com/walls-dev/walls/internal/policy"
)

// checkGroupQuota: WALLS-SG-012.
func checkGroupQuota(s *scan) {
	q := s.opts.RuleQuota
	warn := int(float64(q)*s.opts.QuotaWarn + 0.5)
	for _, g := range s.groupsWithRules() {
		for _, egress := range []bool{false, true} {
			n4, n6, exact := policy.RuleCount(s.inv, g.Rules(egress))
			guessed := !exact
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
