package terraform

// The builder's instances, network interfaces and their attachments.

import (
	"fmt"
	"net/netip"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// addrs reads IP address members into dst.
func (b *builder) addrs(r *resource, o *object, dst *[]netip.Addr, fields ...string) error {
	for _, f := range fields {
		var vals []string
		var unk int
		var st state
		var err error
		if _, isList := o.Fields[f].([]any); isList || isUnknownValue(o.Fields[f]) {
			vals, unk, st, err = o.strList(f)
		} else {
			var s string
			s, st, err = o.str(f)
			if s != "" {
				vals = []string{s}
			}
		}
		if err != nil {
			return err
		}
		if st == isUnknown || unk > 0 {
			b.warnUnknown(r, o, f, "addresses assigned at launch are not known")
		}
		for _, s := range vals {
			a, err := iac.ParseAddr(s)
			if err != nil {
				return iac.Errorf(o.loc(f), "%s: %s: %v", r.Addr, f, err)
			}
			if !containsAddr(*dst, a) {
				*dst = append(*dst, a)
			}
		}
	}
	return nil
}

// noAddress notes an interface declared without a private address: AWS
// picks one at launch (the usual case, so a note), so references to its
// groups cannot be matched to it.
func (b *builder) noAddress(r *resource, o *object, eni *vpc.Interface, field string) {
	if len(eni.PrivateIPs) > 0 || len(eni.IPv6s) > 0 {
		return
	}
	for _, f := range []string{"private_ip", "private_ips", "secondary_private_ips"} {
		if _, u := o.Fields[f].(unknown); u {
			return // already reported as unknown
		}
	}
	b.inv.Warn(vpc.Warning{Code: "unknown-value", Resource: r.Addr, Note: true,
		Message: fmt.Sprintf("%s: %s not set: AWS assigns the address at launch, so the interface has no known address", r.Addr, field),
		Source:  o.Loc})
}

func containsAddr(as []netip.Addr, a netip.Addr) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

// instance reads aws_instance as its primary network interface. An
// instance whose network_interface blocks attach existing interfaces is
// those interfaces instead: their groups are theirs.
func (b *builder) instance(r *resource) error {
	o := r.Body
	if nis, _, _, err := o.blocks("network_interface"); err == nil && len(nis) > 0 {
		attached := false
		for _, ni := range nis {
			// Only interfaces declared in the input: a state lists the
			// instance's own primary interface here too.
			if id, _, _ := ni.str("network_interface_id"); b.declaredENIs[id] {
				b.attach = append(b.attach, eniAttach{eni: id, instance: idOf(r), addr: r.Addr, loc: ni.Loc})
				attached = true
			}
		}
		if attached {
			return nil
		}
	}
	eni := &vpc.Interface{ID: r.Addr, InstanceID: idOf(r), Type: "interface", Tags: o.tags("tags"), Source: o.Loc}
	if s, _, _ := o.str("primary_network_interface_id"); s != "" {
		eni.ID = s
	}
	var err error
	if eni.SubnetID, err = b.ref(r, o, "subnet_id", "the instance's subnet is not known"); err != nil {
		return err
	}
	eni.AvailabilityZone, _, _ = o.str("availability_zone")
	groups, unk, st, err := o.strList("vpc_security_group_ids")
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		b.warnUnknown(r, o, "vpc_security_group_ids", "the instance's groups are not all known")
	}
	eni.GroupIDs = groups
	if st == absent && o.Fields["security_groups"] == nil {
		b.inv.Warn(vpc.Warning{Code: "default-group-assumed", Resource: r.Addr,
			Message: fmt.Sprintf("%s: no vpc_security_group_ids: AWS attaches the VPC's default security group, whose id is not known here", r.Addr),
			Source:  o.Loc})
	}
	if err := b.addrs(r, o, &eni.PrivateIPs, "private_ip", "secondary_private_ips"); err != nil {
		return err
	}
	b.noAddress(r, o, eni, "private_ip")
	if err := b.addrs(r, o, &eni.IPv6s, "ipv6_addresses"); err != nil {
		return err
	}
	if err := b.addrs(r, o, &eni.PublicIPs, "public_ip"); err != nil {
		return err
	}
	b.addInterface(eni)
	return nil
}

func (b *builder) networkInterface(r *resource) error {
	o := r.Body
	eni := &vpc.Interface{ID: idOf(r), Type: "interface", Tags: o.tags("tags"), Source: o.Loc}
	eni.Description, _, _ = o.str("description")
	if t, _, _ := o.str("interface_type"); t != "" {
		eni.Type = t
	}
	var err error
	if eni.SubnetID, err = b.ref(r, o, "subnet_id", "the interface's subnet is not known"); err != nil {
		return err
	}
	groups, unk, st, err := o.strList("security_groups")
	if err != nil {
		return err
	}
	if st == isUnknown || unk > 0 {
		b.warnUnknown(r, o, "security_groups", "the interface's groups are not all known")
	}
	eni.GroupIDs = groups
	if err := b.addrs(r, o, &eni.PrivateIPs, "private_ip", "private_ips"); err != nil {
		return err
	}
	b.noAddress(r, o, eni, "private_ips")
	if err := b.addrs(r, o, &eni.IPv6s, "ipv6_addresses"); err != nil {
		return err
	}
	if atts, _, _, err := o.blocks("attachment"); err == nil && len(atts) > 0 {
		eni.InstanceID, _, _ = atts[0].str("instance")
	}
	b.addInterface(eni)
	return nil
}

// sgAttachment reads aws_network_interface_sg_attachment: one more group
// on an interface.
func (b *builder) sgAttachment(r *resource) error {
	return b.attachment(r, "security_group_id", func(a *eniAttach, v string) { a.group = v })
}

// eniAttachment reads aws_network_interface_attachment: an interface
// attached to an instance.
func (b *builder) eniAttachment(r *resource) error {
	return b.attachment(r, "instance_id", func(a *eniAttach, v string) { a.instance = v })
}

// attachment reads the two references of an attachment resource: what
// field names (set records it) and the network interface.
func (b *builder) attachment(r *resource, field string, set func(*eniAttach, string)) error {
	o := r.Body
	v, err := b.ref(r, o, field, "attachment skipped")
	if err != nil {
		return err
	}
	eni, err := b.ref(r, o, "network_interface_id", "attachment skipped")
	if err != nil || v == "" || eni == "" {
		return err
	}
	a := eniAttach{eni: eni, addr: r.Addr, loc: o.Loc}
	set(&a, v)
	b.attach = append(b.attach, a)
	return nil
}

// eniAttach is a group or an instance attached to an interface by a
// separate resource, applied once every interface is known.
type eniAttach struct {
	eni, group, instance string
	addr                 string
	loc                  vpc.Location
}

func (b *builder) addInterface(eni *vpc.Interface) {
	b.inv.Interfaces[eni.ID] = eni
	b.pending.ENIs = append(b.pending.ENIs, eni)
	b.inv.Loaded[vpc.KindNetworkInterfaces] = true
}
