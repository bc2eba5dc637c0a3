package terraform

// The builder's managed prefix lists and their entries.

import (
	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

var prefixListFields = iac.PrefixListFields{Name: "name", Family: "address_family", Owner: "owner_id",
	MaxEntries: "max_entries", Entries: "entry", Entry: "cidr"}

func (b *builder) prefixList(r *resource) error {
	pl := &vpc.PrefixList{ID: idOf(r), Source: r.Body.Loc}
	return iac.PrefixList(b.inv, body{b: b, r: r, o: r.Body}, prefixListFields, pl)
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
	if err := iac.PrefixListEntry(body{b: b, r: r, o: o}, "cidr", 0, pl); err != nil {
		return err
	}
	b.inv.Loaded[vpc.KindPrefixLists] = true
	return nil
}
