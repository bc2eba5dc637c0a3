package terraform

// The builder's managed prefix lists and their entries.

import (
	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

func (b *builder) prefixList(r *resource) error {
	o := r.Body
	pl := &vpc.PrefixList{ID: idOf(r), EntriesKnown: true, Source: o.Loc}
	pl.Name, _, _ = o.str("name")
	pl.AddressFamily, _, _ = o.str("address_family")
	pl.OwnerID, _, _ = o.str("owner_id")
	if m, st, _ := o.integer("max_entries"); st == known {
		pl.MaxEntries = int(m.V)
	}
	fam := 0
	switch pl.AddressFamily {
	case "IPv4":
		fam = 4
	case "IPv6":
		fam = 6
	}
	blocks, unk, st, err := o.blocks("entry")
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		b.warnUnknown(r, o, "entry", "the list's entries are not known")
		pl.EntriesKnown = false
	}
	for i, blk := range blocks {
		p, st, err := b.prefix(blk, "cidr", fam)
		if err != nil {
			return err
		}
		switch st {
		case known:
			pl.Entries = append(pl.Entries, p)
		case isUnknown:
			b.warnUnknown(r, blk, describe("entry", i, "cidr"), "entry skipped")
			pl.EntriesKnown = false
		default:
			return iac.Errorf(blk.Loc, "%s: entry[%d]: missing cidr: want a CIDR block", r.Addr, i)
		}
	}
	if prev := b.inv.PrefixLists[pl.ID]; prev != nil {
		pl.Entries = append(pl.Entries, prev.Entries...)
	}
	b.inv.PrefixLists[pl.ID] = pl
	b.inv.Loaded[vpc.KindPrefixLists] = true
	return nil
}

func (b *builder) prefixListEntry(r *resource) error {
	o := r.Body
	id, err := b.ref(r, o, "prefix_list_id", "entry skipped")
	if err != nil || id == "" {
		return err
	}
	pl := b.inv.PrefixLists[id]
	if pl == nil {
		pl = &vpc.PrefixList{ID: id, Source: o.Loc}
		b.inv.PrefixLists[id] = pl
	}
	p, st, err := b.prefix(o, "cidr", 0)
	if err != nil {
		return err
	}
	switch st {
	case known:
		pl.Entries = append(pl.Entries, p)
	case isUnknown:
		b.warnUnknown(r, o, "cidr", "entry skipped")
		pl.EntriesKnown = false
	default:
		return iac.Errorf(o.Loc, "%s: missing cidr: want a CIDR block", r.Addr)
	}
	b.inv.Loaded[vpc.KindPrefixLists] = true
	return nil
}
