package inventory

import (
	"net/netip"
	"reflect"
	"slices"

	"github.com/walls-dev/walls/internal/vpc"
)

// sameDefinition reports whether two definitions of one object say the
// same thing, wherever each was read from: every field but the Source
// locations (of the object, its rules and its entries) must be equal.
func sameDefinition[T any](a, b T) bool {
	return reflect.DeepEqual(withoutSources(a), withoutSources(b))
}

// withoutSources returns a copy of a model object with its locations
// cleared; other values are returned as they are.
func withoutSources(x any) any {
	switch v := x.(type) {
	case *vpc.SecurityGroup:
		c := *v
		c.Source = vpc.Location{}
		c.Ingress, c.Egress = rulesWithoutSources(v.Ingress), rulesWithoutSources(v.Egress)
		return c
	case vpc.Rule:
		v.Source = vpc.Location{}
		return v
	case *vpc.NACL:
		c := *v
		c.Source = vpc.Location{}
		c.Inbound, c.Outbound = entriesWithoutSources(v.Inbound), entriesWithoutSources(v.Outbound)
		return c
	case *vpc.Interface:
		c := *v
		c.Source = vpc.Location{}
		return c
	case *vpc.Subnet:
		c := *v
		c.Source = vpc.Location{}
		return c
	case *vpc.VPC:
		c := *v
		c.Source = vpc.Location{}
		return c
	}
	return x
}

func rulesWithoutSources(rs []vpc.Rule) []vpc.Rule {
	out := slices.Clone(rs)
	for i := range out {
		out[i].Source = vpc.Location{}
	}
	return out
}

func entriesWithoutSources(es []vpc.NACLEntry) []vpc.NACLEntry {
	out := slices.Clone(es)
	for i := range out {
		out[i].Source = vpc.Location{}
	}
	return out
}

// samePrefixes reports whether two prefix-list entry sets hold the same
// CIDRs, in whatever order.
func samePrefixes(a, b []netip.Prefix) bool {
	if len(a) != len(b) {
		return false
	}
	cmp := func(x, y netip.Prefix) int {
		if c := x.Addr().Compare(y.Addr()); c != 0 {
			return c
		}
		return x.Bits() - y.Bits()
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}
