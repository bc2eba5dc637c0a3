package vpc

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"
)

// SecurityGroup is one security group with its rules in both directions.
type SecurityGroup struct {
	ID          string
	Name        string
	Description string
	OwnerID     string
	VpcID       string
	Tags        map[string]string
	Ingress     []Rule
	Egress      []Rule
	// RulesKnown is false when the group is known only by reference (for
	// example from an ENI's Groups list) and none of its rules were loaded.
	RulesKnown bool
	// Undeclared marks a group the input refers to without declaring it
	// (see UndeclaredGroup): the rules listed are real, the group may have
	// others.
	Undeclared bool
	Source     Location
	// Declared is the Terraform or CloudFormation resource that declares
	// the group, when it was read from one.
	Declared Declared
	// Gone marks a group that only older inventory snapshots hold: it was
	// added, with the rules it had then, because a gone interface carried
	// it. Snapshot and LastSnapshot name the newest snapshot that held it.
	Gone         bool
	Snapshot     string
	LastSnapshot time.Time
}

// IsDefault reports whether this is a VPC's default security group.
func (g *SecurityGroup) IsDefault() bool { return g.Name == "default" }

// Rules returns the ingress or egress rules.
func (g *SecurityGroup) Rules(egress bool) []Rule {
	if egress {
		return g.Egress
	}
	return g.Ingress
}

// NACLEntry is one numbered network ACL rule (docs/semantics.md#nacl-icmp).
type NACLEntry struct {
	RuleNumber int
	Egress     bool
	Allow      bool
	Protocol   Protocol
	Prefix     netip.Prefix // CidrBlock or Ipv6CidrBlock
	// FromPort/ToPort hold the PortRange for tcp and udp. ICMPType and
	// ICMPCode hold IcmpTypeCode for icmp and icmpv6 (-1 = any). For other
	// protocols, and for icmpv6 on an IPv4 block, every port and type
	// matches (docs/semantics.md#nacl-icmp).
	FromPort, ToPort   int32
	ICMPType, ICMPCode int32
	Source             Location
	// Written is the block as the input wrote it when the input set host
	// bits under a /0 mask ("10.0.0.0/0"), as Peer.Written; empty
	// otherwise.
	Written string
}

// IsDefaultDeny reports whether this is the built-in catch-all deny (the
// console's "*", numbered 32767 for IPv4 and 32768 for IPv6).
func (e *NACLEntry) IsDefaultDeny() bool { return e.RuleNumber >= 32767 }

// CheckRuleNumber validates an entry's rule number against AWS's limits:
// entries anyone writes are numbered 1-32766; 32767 (and 32768, as some
// tools number the IPv6 one) is reserved for AWS's own catch-all deny,
// which denies every protocol to or from the whole address family. Every
// loader calls it, so an "allow" at 32767, whose verdict would depend on
// the order of entries with the same number, never enters the model.
func (e *NACLEntry) CheckRuleNumber() error {
	n := e.RuleNumber
	if n >= 1 && n <= 32766 {
		return nil
	}
	if n == 32767 || n == 32768 {
		if !e.Allow && e.Protocol == ProtoAll && e.Prefix.IsValid() && e.Prefix.Bits() == 0 {
			return nil
		}
		return fmt.Errorf("rule number %d is reserved for AWS's default deny (\"*\": deny, all protocols, 0.0.0.0/0 or ::/0); want 1-32766 for any other entry", n)
	}
	return fmt.Errorf("rule number %d: want 1-32766 (32767 is AWS's default deny)", n)
}

// RuleLabel is the rule number as the console shows it: "*" for the default deny.
func (e *NACLEntry) RuleLabel() string {
	if e.IsDefaultDeny() {
		return "*"
	}
	return strconv.Itoa(e.RuleNumber)
}

// String renders the entry: "100 allow tcp 1024-65535 0.0.0.0/0".
func (e *NACLEntry) String() string { return e.Text(Protocol.Label) }

// Text renders the entry as String does with the protocol written by
// protocol: "100 allow esp (50) 0.0.0.0/0".
func (e *NACLEntry) Text(protocol func(Protocol) string) string {
	act := "deny"
	if e.Allow {
		act = "allow"
	}
	s := e.RuleLabel() + " " + act + " " + protocol(e.Protocol)
	switch {
	case e.Protocol.HasPorts():
		s += " " + PortText(e.Protocol, e.FromPort, e.ToPort)
	case e.Protocol == ProtoICMP || e.Protocol == ProtoICMPv6 && e.Prefix.Addr().Is6():
		s += " " + PortText(e.Protocol, e.ICMPType, e.ICMPCode)
	}
	return s + " " + e.Prefix.String()
}

// NACL is a network ACL. Inbound and Outbound are sorted by rule number and
// include the built-in deny entries when the input listed them. What a
// direction decides, for one packet or for all, is evaluated in one place:
// internal/policy (NACLEvaluate, NACLPorts, NACLSet).
type NACL struct {
	ID        string
	VpcID     string
	OwnerID   string
	IsDefault bool
	Inbound   []NACLEntry
	Outbound  []NACLEntry
	SubnetIDs []string // explicit associations
	Tags      map[string]string
	Source    Location
}

// Entries returns the inbound or outbound entries in evaluation order.
func (n *NACL) Entries(egress bool) []NACLEntry {
	if egress {
		return n.Outbound
	}
	return n.Inbound
}

// SortEntries orders both directions by rule number, the evaluation order.
func (n *NACL) SortEntries() {
	by := func(es []NACLEntry) {
		sort.SliceStable(es, func(i, j int) bool { return es[i].RuleNumber < es[j].RuleNumber })
	}
	by(n.Inbound)
	by(n.Outbound)
}

// Interface is an elastic network interface (ENI).
type Interface struct {
	ID               string
	Type             string // InterfaceType: interface, natGateway, vpc_endpoint, …
	Status           string
	Description      string
	SubnetID         string
	VpcID            string
	OwnerID          string
	AvailabilityZone string
	InstanceID       string // Attachment.InstanceId, when attached to an instance
	DeviceIndex      int    // Attachment.DeviceIndex: 0 is the instance's primary interface
	RequesterManaged bool
	GroupIDs         []string
	// PrivateIPs lists the private IPv4 addresses, the primary first.
	PrivateIPs []netip.Addr
	IPv6s      []netip.Addr
	// PublicIPs are the public IPv4 / Elastic IP associations. An SG
	// reference does not match them (docs/semantics.md#sg-refs).
	PublicIPs []netip.Addr
	// Delegated prefixes; whether an SG reference covers them is unverified (docs/semantics.md#sg-refs).
	IPv4Prefixes []netip.Prefix
	IPv6Prefixes []netip.Prefix
	Tags         map[string]string
	Source       Location
	// Gone marks an interface that the newest inventory snapshot lacks (an
	// Auto Scaling group replaced its instance, say) but an older one
	// recorded: its groups, subnet and addresses are those of the newest
	// snapshot that knew it, named by Snapshot and timed by LastSnapshot.
	// Older flow logs still name it. The index never lets a gone interface
	// shadow a current one, and Current leaves gone interfaces out.
	Gone         bool
	Snapshot     string
	LastSnapshot time.Time
}

// PrimaryIP returns the primary private IPv4 address (or the first IPv6 one
// on IPv6-only interfaces), or the zero Addr.
func (i *Interface) PrimaryIP() netip.Addr {
	if len(i.PrivateIPs) > 0 {
		return i.PrivateIPs[0]
	}
	if len(i.IPv6s) > 0 {
		return i.IPv6s[0]
	}
	return netip.Addr{}
}

// PrivateAddrs returns every private address an SG reference to one of the
// interface's groups matches: all private IPv4 (primary and secondary) and
// all IPv6 addresses (docs/semantics.md#sg-refs).
func (i *Interface) PrivateAddrs() []netip.Addr {
	out := make([]netip.Addr, 0, len(i.PrivateIPs)+len(i.IPv6s))
	out = append(out, i.PrivateIPs...)
	return append(out, i.IPv6s...)
}

// HasPrivateAddr reports whether a is one of the interface's private IPv4 or
// IPv6 addresses (not a public one).
func (i *Interface) HasPrivateAddr(a netip.Addr) bool {
	for _, p := range i.PrivateIPs {
		if p == a {
			return true
		}
	}
	for _, p := range i.IPv6s {
		if p == a {
			return true
		}
	}
	return false
}

// Name is the interface's Name tag, else its description.
func (i *Interface) Name() string {
	if n := i.Tags["Name"]; n != "" {
		return n
	}
	return i.Description
}

// Subnet is a VPC subnet.
type Subnet struct {
	ID               string
	VpcID            string
	OwnerID          string
	AvailabilityZone string
	CIDR             netip.Prefix
	IPv6CIDRs        []netip.Prefix
	Tags             map[string]string
	Source           Location
}

// VPC is a virtual private cloud with its CIDR blocks.
type VPC struct {
	ID        string
	OwnerID   string
	IsDefault bool
	CIDRs     []netip.Prefix // primary first
	IPv6CIDRs []netip.Prefix
	Tags      map[string]string
	Source    Location
}

// Contains reports whether a lies in one of the VPC's IPv4 or IPv6 blocks.
func (v *VPC) Contains(a netip.Addr) bool {
	for _, p := range v.CIDRs {
		if p.Contains(a) {
			return true
		}
	}
	for _, p := range v.IPv6CIDRs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// PrefixList is a managed prefix list (customer- or AWS-managed).
type PrefixList struct {
	ID            string
	Name          string
	AddressFamily string // IPv4 or IPv6
	OwnerID       string // "AWS" for AWS-managed lists
	MaxEntries    int
	Entries       []netip.Prefix
	// EntriesKnown is false when the list is known but its entries were not
	// loaded; rules that reference it then cannot be evaluated exactly.
	EntriesKnown bool
	Source       Location
}

// AWSManaged reports whether AWS owns the list.
func (p *PrefixList) AWSManaged() bool { return p.OwnerID == "AWS" }

// Contains reports whether a lies in one of the list's entries.
func (p *PrefixList) Contains(a netip.Addr) bool {
	for _, e := range p.Entries {
		if e.Contains(a) {
			return true
		}
	}
	return false
}
