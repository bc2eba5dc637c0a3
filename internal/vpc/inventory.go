package vpc

import (
	"net/netip"
	"sort"
)

// Kind is one kind of inventory object. Inventories are often partial; a
// kind that was never loaded is different from a kind loaded empty, and
// evaluators say "not evaluated" rather than guess (issue #2).
type Kind string

// The kinds an inventory can hold.
const (
	KindSecurityGroups     Kind = "security groups"
	KindSecurityGroupRules Kind = "security group rules"
	KindNetworkInterfaces  Kind = "network interfaces"
	KindNetworkACLs        Kind = "network ACLs"
	KindSubnets            Kind = "subnets"
	KindVPCs               Kind = "VPCs"
	KindPrefixLists        Kind = "managed prefix lists"
)

// AllKinds lists every kind in a stable order.
var AllKinds = []Kind{KindSecurityGroups, KindSecurityGroupRules, KindNetworkInterfaces,
	KindNetworkACLs, KindSubnets, KindVPCs, KindPrefixLists}

// Warning is a non-fatal observation about the inventory: a stale reference,
// a missing kind, an ambiguous input.
type Warning struct {
	Code     string // stable identifier, e.g. "unknown-group-reference"
	Resource string
	Message  string
	Source   Location
	// Note marks information rather than a problem (how many inventory
	// snapshots were read, say); commands print it as a note.
	Note bool
	// Skipped says what the problem made walls leave out of the model:
	// SkippedFile, SkippedResource, SkippedRule; "" when nothing was left
	// out. Audit counts these in its summary (docs/semantics.md#inputs).
	Skipped string
}

// What a warning says was left out of the model (Warning.Skipped).
const (
	SkippedFile     = "file"
	SkippedResource = "resource"
	SkippedRule     = "rule"
)

// Inventory is the whole loaded network model. Build it, then call Index
// once before evaluating; the maps are not to be mutated afterwards.
type Inventory struct {
	Groups      map[string]*SecurityGroup
	NACLs       map[string]*NACL
	Interfaces  map[string]*Interface
	Subnets     map[string]*Subnet
	VPCs        map[string]*VPC
	PrefixLists map[string]*PrefixList
	// Loaded records which kinds were present in the input at all.
	Loaded   map[Kind]bool
	Warnings []Warning
	// Suppressions are the inline `# walls:ignore` annotations found in
	// infrastructure code while loading it.
	Suppressions []Suppression
	// KeepGoing asks the loaders to leave out, with a warning, a file or
	// resource they cannot accept (one AWS would reject, a file of another
	// tool) and read the rest, rather than fail the whole load. walls
	// audit sets it unless --fail-on-parse-error.
	KeepGoing bool

	idx *Index
}

// New returns an empty inventory.
func New() *Inventory {
	return &Inventory{
		Groups:      map[string]*SecurityGroup{},
		NACLs:       map[string]*NACL{},
		Interfaces:  map[string]*Interface{},
		Subnets:     map[string]*Subnet{},
		VPCs:        map[string]*VPC{},
		PrefixLists: map[string]*PrefixList{},
		Loaded:      map[Kind]bool{},
	}
}

// Has reports whether a kind was loaded.
func (inv *Inventory) Has(k Kind) bool { return inv.Loaded[k] }

// HasGroupRules reports whether SG rules were loaded in either shape.
func (inv *Inventory) HasGroupRules() bool {
	return inv.Loaded[KindSecurityGroups] || inv.Loaded[KindSecurityGroupRules]
}

// Suppression is an inline `# walls:ignore WALLS-XXX reason` annotation in
// infrastructure code: its author accepts finding CheckID for one resource
// (Rule false: findings whose resource id is Resource) or for one rule
// (Rule true: findings located at Loc, the Source of that rule). Loaders
// record them on the inventory; the audit engine applies them.
type Suppression struct {
	CheckID  string // e.g. WALLS-SG-001
	Resource string // resource address, e.g. aws_security_group.web
	Reason   string // free text after the check id; may be empty
	Loc      Location
	Rule     bool
}

// Warn records a warning.
func (inv *Inventory) Warn(w Warning) { inv.Warnings = append(inv.Warnings, w) }

// Index holds the lookup structures evaluators need, built once.
type Index struct {
	// ByPrivateIP maps every private IPv4 and IPv6 address to its interface.
	// A gone interface holds an address only when no current interface
	// does; among gone interfaces, the most recently seen one holds it.
	ByPrivateIP map[netip.Addr]*Interface
	// ByPublicIP maps public IPv4 / Elastic IP addresses to their interface,
	// gone interfaces ranked like in ByPrivateIP.
	ByPublicIP map[netip.Addr]*Interface
	// Members maps a security group id to the current (not gone)
	// interfaces that carry it.
	Members map[string][]*Interface
	// GoneMembers maps a security group id to the gone interfaces that
	// carried it, by ENI id.
	GoneMembers map[string][]*Interface
	// ByInstance maps an instance id to its current interfaces, by ENI id.
	ByInstance map[string][]*Interface
	// SubnetNACL maps a subnet id to its network ACL: the explicit
	// association, else the VPC's default NACL.
	SubnetNACL map[string]*NACL
	// DefaultNACL maps a VPC id to its default NACL.
	DefaultNACL map[string]*NACL
	// vpcs and subnets in id order, for address lookups.
	vpcs    []*VPC
	subnets []*Subnet
}

// Index builds (once) and returns the inventory's indexes.
func (inv *Inventory) Index() *Index {
	if inv.idx != nil {
		return inv.idx
	}
	ix := &Index{
		ByPrivateIP: make(map[netip.Addr]*Interface, len(inv.Interfaces)*2),
		ByPublicIP:  map[netip.Addr]*Interface{},
		Members:     map[string][]*Interface{},
		GoneMembers: map[string][]*Interface{},
		ByInstance:  map[string][]*Interface{},
		SubnetNACL:  map[string]*NACL{},
		DefaultNACL: map[string]*NACL{},
	}
	var gone []*Interface
	for _, id := range sortedKeys(inv.Interfaces) {
		eni := inv.Interfaces[id]
		if eni.Gone {
			gone = append(gone, eni)
			continue
		}
		for _, a := range eni.PrivateAddrs() {
			ix.ByPrivateIP[a] = eni
		}
		for _, a := range eni.PublicIPs {
			ix.ByPublicIP[a] = eni
		}
		for _, g := range eni.GroupIDs {
			ix.Members[g] = append(ix.Members[g], eni)
		}
		if eni.InstanceID != "" {
			ix.ByInstance[eni.InstanceID] = append(ix.ByInstance[eni.InstanceID], eni)
		}
	}
	// Gone interfaces come after every current one, newest first, and only
	// take addresses nobody holds yet: a reused address belongs to today's
	// interface.
	sort.SliceStable(gone, func(i, j int) bool { return gone[i].LastSnapshot.After(gone[j].LastSnapshot) })
	for _, eni := range gone {
		for _, a := range eni.PrivateAddrs() {
			if ix.ByPrivateIP[a] == nil {
				ix.ByPrivateIP[a] = eni
			}
		}
		for _, a := range eni.PublicIPs {
			if ix.ByPublicIP[a] == nil {
				ix.ByPublicIP[a] = eni
			}
		}
		for _, g := range eni.GroupIDs {
			ix.GoneMembers[g] = append(ix.GoneMembers[g], eni)
		}
	}
	for _, id := range sortedKeys(inv.NACLs) {
		n := inv.NACLs[id]
		if n.IsDefault {
			ix.DefaultNACL[n.VpcID] = n
		}
		for _, s := range n.SubnetIDs {
			ix.SubnetNACL[s] = n
		}
	}
	for _, id := range sortedKeys(inv.VPCs) {
		ix.vpcs = append(ix.vpcs, inv.VPCs[id])
	}
	for _, id := range sortedKeys(inv.Subnets) {
		ix.subnets = append(ix.subnets, inv.Subnets[id])
	}
	for id, s := range inv.Subnets {
		if _, ok := ix.SubnetNACL[id]; !ok {
			if d := ix.DefaultNACL[s.VpcID]; d != nil {
				ix.SubnetNACL[id] = d
			}
		}
	}
	inv.idx = ix
	return ix
}

// NACLForSubnet returns the NACL governing a subnet: its explicit
// association, else the default NACL of vpcID. Nil when unknown.
func (ix *Index) NACLForSubnet(subnetID, vpcID string) *NACL {
	if n := ix.SubnetNACL[subnetID]; n != nil {
		return n
	}
	return ix.DefaultNACL[vpcID]
}

// GroupHasMemberAddr reports whether addr is a private address of an
// interface carrying group id: what an SG reference matches (docs/semantics.md#sg-refs). A gone
// interface counts for the addresses it holds in ByPrivateIP.
func (ix *Index) GroupHasMemberAddr(groupID string, addr netip.Addr) bool {
	eni := ix.ByPrivateIP[addr]
	if eni == nil {
		return false
	}
	for _, g := range eni.GroupIDs {
		if g == groupID {
			return true
		}
	}
	return false
}

// InterfaceByIP finds the interface owning a private or public address and
// says whether the match was on a public address.
func (ix *Index) InterfaceByIP(a netip.Addr) (eni *Interface, public bool) {
	if e := ix.ByPrivateIP[a]; e != nil {
		return e, false
	}
	if e := ix.ByPublicIP[a]; e != nil {
		return e, true
	}
	return nil, false
}

// VPCFor returns the VPC whose CIDR blocks contain a, or nil.
func (inv *Inventory) VPCFor(a netip.Addr) *VPC {
	for _, v := range inv.Index().vpcs {
		if v.Contains(a) {
			return v
		}
	}
	return nil
}

// SubnetFor returns the subnet whose CIDR contains a, or nil.
func (inv *Inventory) SubnetFor(a netip.Addr) *Subnet {
	for _, s := range inv.Index().subnets {
		if s.CIDR.Contains(a) {
			return s
		}
		for _, p := range s.IPv6CIDRs {
			if p.Contains(a) {
				return s
			}
		}
	}
	return nil
}

// SortedGroupIDs returns the group ids in order, for deterministic output.
func (inv *Inventory) SortedGroupIDs() []string { return sortedKeys(inv.Groups) }

// SortedInterfaceIDs returns the interface ids in order.
func (inv *Inventory) SortedInterfaceIDs() []string { return sortedKeys(inv.Interfaces) }

// SortedNACLIDs returns the NACL ids in order.
func (inv *Inventory) SortedNACLIDs() []string { return sortedKeys(inv.NACLs) }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// PeerPrefixes resolves a rule's peer to the address blocks it matches
// (docs/semantics.md#sg-refs) and says whether the inventory could resolve it: a CIDR is
// itself; a prefix list is its entries (unresolved when the list or its
// entries are not loaded); a security group reference is the private IPv4
// and IPv6 addresses, primary and secondary, of the interfaces that carry
// the group, as /32 and /128 blocks (unresolved when no interfaces are
// loaded). Public addresses are never part of a reference. Gone members
// count with the addresses they hold in the index (none a current
// interface holds), so that this agrees with GroupHasMemberAddr.
func (inv *Inventory) PeerPrefixes(p Peer) ([]netip.Prefix, bool) {
	switch p.Kind {
	case PeerCIDR:
		return []netip.Prefix{p.Prefix}, p.Prefix.IsValid()
	case PeerPrefixList:
		pl := inv.PrefixLists[p.PrefixListID]
		if pl == nil || !pl.EntriesKnown {
			return nil, false
		}
		return pl.Entries, true
	case PeerGroup:
		var out []netip.Prefix
		ix := inv.Index()
		for _, eni := range ix.Members[p.Group.GroupID] {
			for _, a := range eni.PrivateAddrs() {
				out = append(out, netip.PrefixFrom(a, a.BitLen()))
			}
		}
		for _, eni := range ix.GoneMembers[p.Group.GroupID] {
			for _, a := range eni.PrivateAddrs() {
				if ix.ByPrivateIP[a] == eni {
					out = append(out, netip.PrefixFrom(a, a.BitLen()))
				}
			}
		}
		return out, inv.Has(KindNetworkInterfaces)
	}
	return nil, false
}

// Current returns the inventory as of the newest snapshot: without gone
// interfaces and gone groups, for commands that judge today's network
// (audit, check). It returns inv itself when nothing is gone; otherwise a
// new, unindexed inventory sharing everything else with inv.
func (inv *Inventory) Current() *Inventory {
	anyGone := false
	for _, e := range inv.Interfaces {
		if e.Gone {
			anyGone = true
			break
		}
	}
	for _, g := range inv.Groups {
		if anyGone {
			break
		}
		anyGone = g.Gone
	}
	if !anyGone {
		return inv
	}
	out := &Inventory{
		Groups:       make(map[string]*SecurityGroup, len(inv.Groups)),
		NACLs:        inv.NACLs,
		Interfaces:   make(map[string]*Interface, len(inv.Interfaces)),
		Subnets:      inv.Subnets,
		VPCs:         inv.VPCs,
		PrefixLists:  inv.PrefixLists,
		Loaded:       inv.Loaded,
		Warnings:     inv.Warnings,
		Suppressions: inv.Suppressions,
		KeepGoing:    inv.KeepGoing,
	}
	for id, g := range inv.Groups {
		if !g.Gone {
			out.Groups[id] = g
		}
	}
	for id, e := range inv.Interfaces {
		if !e.Gone {
			out.Interfaces[id] = e
		}
	}
	return out
}
