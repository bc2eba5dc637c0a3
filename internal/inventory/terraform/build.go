package terraform

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// builder turns resources into model objects with the AWS provider's
// semantics (docs/semantics.md#inputs).
type builder struct {
	inv *vpc.Inventory
	// why words unknown values: "unknown at plan time" for plans,
	// "unknown: not resolvable statically" for .tf folders.
	why string
	// plan: the resources come from terraform show -json of a plan.
	plan bool
	// unit names what the resources were read from (a .tf folder or a
	// terraform show -json file). Addresses are unique within one unit
	// only: when the unit's addresses are already taken by another unit,
	// its ids are qualified with it ("envs/staging/aws_security_group.web").
	unit string
	// unitDir: unit is a folder (of .tf files), else a file.
	unitDir bool
	// qualified is what prefixes this unit's addresses, or "".
	qualified string
	// again: the unit was read before and is skipped.
	again bool
	// pending holds NACL associations until every NACL is known, and
	// the NACLs and interfaces this load added, for the final pass.
	pending iac.Pending
	// attach holds attachments to interfaces until every one is known.
	attach       []eniAttach
	declaredENIs map[string]bool
	// groups lists the groups this load added, for the final pass.
	groups []*vpc.SecurityGroup
}

// order is the processing order of resource types: containers before the
// rules and associations that point into them.
var order = map[string]int{
	"aws_vpc": 1, "aws_subnet": 2,
	"aws_vpc_ipv4_cidr_block_association": 2, "aws_vpc_ipv6_cidr_block_association": 2,
	"aws_security_group": 3, "aws_default_security_group": 3,
	"aws_ec2_managed_prefix_list": 3,
	"aws_network_acl":             3, "aws_default_network_acl": 3,
	"aws_security_group_rule":             4,
	"aws_vpc_security_group_ingress_rule": 4, "aws_vpc_security_group_egress_rule": 4,
	"aws_network_acl_rule": 4, "aws_network_acl_association": 4,
	"aws_ec2_managed_prefix_list_entry": 4,
	"aws_instance":                      5, "aws_network_interface": 5,
	"aws_network_interface_sg_attachment": 6, "aws_network_interface_attachment": 6,
}

// Supported reports whether walls reads a Terraform resource type.
func Supported(resourceType string) bool { return order[resourceType] > 0 }

// build adds the resources to the inventory.
func (b *builder) build(rs []resource) error {
	sort.SliceStable(rs, func(i, j int) bool { return order[rs[i].Type] < order[rs[j].Type] })
	if b.unit != "" {
		switch b.claim(rs) {
		case unitAgain:
			b.again = true
			return nil // the same folder or file named twice: read once
		case unitTaken:
			b.qualify(rs, b.unit+"/")
		}
	}
	b.declaredENIs = map[string]bool{}
	for i := range rs {
		if rs[i].Type == "aws_network_interface" {
			b.declaredENIs[idOf(&rs[i])] = true
		}
	}
	for i := range rs {
		r := &rs[i]
		var err error
		switch r.Type {
		case "aws_vpc":
			err = b.vpc(r)
		case "aws_subnet":
			err = b.subnet(r)
		case "aws_vpc_ipv4_cidr_block_association":
			err = b.vpcBlock(r, ipv4BlockFields)
		case "aws_vpc_ipv6_cidr_block_association":
			err = b.vpcBlock(r, ipv6BlockFields)
		case "aws_security_group", "aws_default_security_group":
			err = b.group(r)
		case "aws_ec2_managed_prefix_list":
			err = b.prefixList(r)
		case "aws_network_acl", "aws_default_network_acl":
			err = b.nacl(r)
		case "aws_security_group_rule":
			err = b.legacyRule(r)
		case "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule":
			err = b.vpcRule(r)
		case "aws_network_acl_rule":
			err = b.naclRule(r)
		case "aws_network_acl_association":
			err = b.naclAssociation(r)
		case "aws_ec2_managed_prefix_list_entry":
			err = b.prefixListEntry(r)
		case "aws_instance":
			err = b.instance(r)
		case "aws_network_interface":
			err = b.networkInterface(r)
		case "aws_network_interface_sg_attachment":
			err = b.sgAttachment(r)
		case "aws_network_interface_attachment":
			err = b.eniAttachment(r)
		}
		// A resource AWS would reject is left out with a warning; the
		// others are still read (iac.SkipResource).
		if err := iac.SkipResource(b.inv, r.Addr, err); err != nil {
			return err
		}
	}
	return b.finish()
}

const (
	unitFree  = iota // no address of the unit is taken
	unitAgain        // taken by this very unit, read before
	unitTaken        // taken by another unit
)

// claim says whether the ids this unit's resources take from their
// addresses are already used, and by whom.
func (b *builder) claim(rs []resource) int {
	for i := range rs {
		id := idOf(&rs[i])
		if id != rs[i].Addr {
			continue // a real id (state): the same object wherever it is read
		}
		src, ok := iac.TakenBy(b.inv, id)
		if !ok {
			continue
		}
		from := src.File
		if b.unitDir {
			from = filepath.Dir(from)
		}
		if iac.SamePath(from, b.unit) {
			return unitAgain
		}
		return unitTaken
	}
	return unitFree
}

// qualify prefixes every address of the unit, and every reference to one
// of them in the resources' values (references resolve to the address, or
// to a derived id such as aws_vpc.main.default_network_acl_id).
func (b *builder) qualify(rs []resource, prefix string) {
	b.qualified = prefix
	addrs := map[string]bool{}
	for i := range rs {
		addrs[rs[i].Addr] = true
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			if addrs[t] {
				return prefix + t
			}
			if i := strings.LastIndex(t, "."); i > 0 && addrs[t[:i]] {
				return prefix + t
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		case *object:
			if t != nil {
				for k := range t.Fields {
					t.Fields[k] = walk(t.Fields[k])
				}
			}
		}
		return v
	}
	for i := range rs {
		walk(rs[i].Body)
		rs[i].Addr = prefix + rs[i].Addr
	}
}

// warnUnknown records that a value is unknown and what was done about it.
// Values a plan normally cannot know (normalInPlan) are notes there, not
// warnings: nothing the audit checks is lost.
func (b *builder) warnUnknown(r *resource, o *object, path, consequence string) {
	b.inv.Warn(vpc.Warning{
		Code:     "unknown-value",
		Resource: r.Addr,
		Message:  fmt.Sprintf("%s is %s; %s", where(r, path), b.why, consequence),
		Source:   o.loc(lastName(path)),
		Note:     b.plan && normalInPlan[r.Type][path],
	})
}

// normalInPlan are the top-level fields whose value a plan that creates
// the resource's containers cannot know, by resource type: the VPC id of
// what is made in a new VPC, the IPv6 block AWS assigns a new VPC and the
// addresses AWS assigns at launch. They place resources; no rule, peer or
// entry depends on them.
var normalInPlan = map[string]map[string]bool{
	"aws_security_group":                  {"vpc_id": true},
	"aws_network_acl":                     {"vpc_id": true},
	"aws_subnet":                          {"vpc_id": true},
	"aws_vpc":                             {"ipv6_cidr_block": true},
	"aws_vpc_ipv6_cidr_block_association": {"ipv6_cidr_block": true},
	"aws_instance":                        {"private_ip": true, "ipv6_addresses": true, "secondary_private_ips": true},
	"aws_network_interface":               {"private_ip": true, "private_ips": true, "ipv6_addresses": true, "ipv6_address_list": true},
}

func lastName(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 && i+1 < len(path) {
		return path[i+1:]
	}
	return path
}

// idOf is a resource's model id: its real id when known, else its address,
// the same string every reference to it resolves to.
func idOf(r *resource) string {
	if s, ok := r.Body.Fields["id"].(string); ok && s != "" {
		return s
	}
	return r.Addr
}

// ref reads a reference-like string member (vpc_id, subnet_id, …); unknown
// gives "" after a warning.
func (b *builder) ref(r *resource, o *object, name, consequence string) (string, error) {
	return iac.Ref(body{b: b, r: r, o: o}, name, consequence)
}

// finish dedupes the groups' rules, applies attachments to interfaces,
// then ends the load as every loader does (iac.Pending.Finish).
func (b *builder) finish() error {
	for _, g := range b.groups {
		g.Ingress, g.Egress = dedupe(g.Ingress), dedupe(g.Egress)
	}
	for _, a := range b.attach {
		eni := b.inv.Interfaces[a.eni]
		if eni == nil {
			b.inv.Warn(vpc.Warning{Code: "unknown-interface-reference", Resource: a.addr,
				Message: fmt.Sprintf("%s: network interface %s is not declared in this input; attachment skipped", a.addr, a.eni),
				Source:  a.loc})
			continue
		}
		if a.group != "" && !containsString(eni.GroupIDs, a.group) {
			eni.GroupIDs = append(eni.GroupIDs, a.group)
		}
		if a.instance != "" {
			eni.InstanceID = a.instance
		}
	}
	b.pending.Input = "input"
	return b.pending.Finish(b.inv)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// where names a place for messages: the resource address and, inside it,
// the path of a nested block.
func where(r *resource, path string) string {
	if path == "" {
		return r.Addr
	}
	return r.Addr + ": " + path
}
