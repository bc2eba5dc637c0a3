package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"

	"github.com/walls-dev/walls/internal/vpc"
)

// Fingerprint hashes what a plan depends on: every group's rules in both
// directions, every interface's groups and private addresses, and every
// prefix list's entries, in a canonical order. Two inventories with the same
// fingerprint evaluate every egress question the same way. Interfaces and
// groups known only to an older snapshot (Gone) are not today's account and
// are left out, so the plan matches an inventory of today alone.
func Fingerprint(inv *vpc.Inventory) string {
	h := sha256.New()
	for _, id := range inv.SortedGroupIDs() {
		g := inv.Groups[id]
		if g.Gone {
			continue // known only to an older snapshot: not today's rules
		}
		fmt.Fprintf(h, "sg %s %s %t\n", id, g.VpcID, g.RulesKnown)
		for _, egress := range []bool{false, true} {
			writeKeys(h, fmt.Sprintf(" %t ", egress), g.Rules(egress))
		}
	}
	for _, id := range inv.SortedInterfaceIDs() {
		eni := inv.Interfaces[id]
		if eni.Gone {
			continue
		}
		gs := append([]string(nil), eni.GroupIDs...)
		sort.Strings(gs)
		fmt.Fprintf(h, "eni %s %v %v\n", id, gs, eni.PrivateAddrs())
	}
	pls := make([]string, 0, len(inv.PrefixLists))
	for id := range inv.PrefixLists {
		pls = append(pls, id)
	}
	sort.Strings(pls)
	for _, id := range pls {
		pl := inv.PrefixLists[id]
		fmt.Fprintf(h, "pl %s %d %t %v\n", id, pl.MaxEntries, pl.EntriesKnown, pl.Entries)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func writeKeys(w io.Writer, prefix string, rules []vpc.Rule) {
	keys := make([]string, len(rules))
	for i := range rules {
		keys[i] = Key(&rules[i])
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintln(w, prefix+k)
	}
}
