package inventory

import (
	"fmt"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// Finalize runs after every source is merged: it reports references that
// point at objects the inventory does not hold (stale references, other
// accounts, peer VPCs) as warnings, and builds the indexes. Real
// inventories are partial and stale; none of this is an error.
func Finalize(inv *vpc.Inventory) {
	haveGroups := inv.HasGroupRules()
	for _, gid := range inv.SortedGroupIDs() {
		g := inv.Groups[gid]
		for _, rules := range [][]vpc.Rule{g.Ingress, g.Egress} {
			for i := range rules {
				r := &rules[i]
				switch r.Peer.Kind {
				case vpc.PeerGroup:
					ref := r.Peer.Group
					if _, ok := inv.Groups[ref.GroupID]; ok || !haveGroups {
						continue
					}
					where := "not in the loaded inventory (deleted, or in a peer VPC)"
					if ref.UserID != "" && g.OwnerID != "" && ref.UserID != g.OwnerID {
						where = "in account " + ref.UserID + ", not loaded"
					} else if ref.VpcID != "" && ref.VpcID != g.VpcID {
						where = "in VPC " + ref.VpcID + ", not loaded"
					}
					inv.Warn(vpc.Warning{Code: "unknown-group-reference", Resource: r.Ref(), Source: r.Source,
						Message: fmt.Sprintf("%s (%s) references %s, %s; it matches no known interface", r.Ref(), r, ref.GroupID, where)})
				case vpc.PeerPrefixList:
					pl, ok := inv.PrefixLists[r.Peer.PrefixListID]
					switch {
					case !ok:
						inv.Warn(vpc.Warning{Code: "unknown-prefix-list", Resource: r.Ref(), Source: r.Source,
							Message: fmt.Sprintf("%s (%s) references prefix list %s, which is not loaded; traffic to it is not evaluated", r.Ref(), r, r.Peer.PrefixListID)})
					case !pl.EntriesKnown:
						inv.Warn(vpc.Warning{Code: "prefix-list-entries-missing", Resource: r.Ref(), Source: r.Source,
							Message: fmt.Sprintf("%s (%s) references prefix list %s, whose entries are not loaded (add get-managed-prefix-list-entries output as pl-….json)", r.Ref(), r, pl.ID)})
					}
				}
			}
		}
	}
	if haveGroups {
		missing := map[string][]string{}
		for _, id := range inv.SortedInterfaceIDs() {
			for _, g := range inv.Interfaces[id].GroupIDs {
				if _, ok := inv.Groups[g]; !ok {
					missing[g] = append(missing[g], id)
				}
			}
		}
		gids := make([]string, 0, len(missing))
		for g := range missing {
			gids = append(gids, g)
		}
		sort.Strings(gids)
		for _, g := range gids {
			enis := missing[g]
			inv.Warn(vpc.Warning{Code: "unknown-interface-group", Resource: g,
				Message: fmt.Sprintf("%s is attached to %d interface(s) (%s) but its rules are not loaded; their SG hops are not evaluated", g, len(enis), firstN(enis, 3))})
		}
	}
	inv.Index()
}

func firstN(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(", … %d more", len(s)-n)
}

// MissingKinds lists the kinds that no input provided, for a one-time note.
// Prefix lists are left out: only rules that reference one need it, and
// each such rule already has its own warning.
func MissingKinds(inv *vpc.Inventory) []vpc.Kind {
	var out []vpc.Kind
	for _, k := range vpc.AllKinds {
		if k == vpc.KindSecurityGroupRules || k == vpc.KindSecurityGroups || k == vpc.KindPrefixLists {
			continue
		}
		if !inv.Loaded[k] {
			out = append(out, k)
		}
	}
	if !inv.HasGroupRules() {
		out = append([]vpc.Kind{vpc.KindSecurityGroups}, out...)
	}
	return out
}
