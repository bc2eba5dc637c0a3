package terraform

import (
	"fmt"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
	"github.com/walls-dev/walls/internal/vpc"
)

// body is an object read through iac.Body, so the field readers shared
// with the CloudFormation loader apply to Terraform resources. path is the
// block's place in the resource (ingress[0]), "" for the resource itself.
type body struct {
	b    *builder
	r    *resource
	o    *object
	path string
}

var _ iac.Body = body{}

func (t body) Str(field string) (string, iac.State, error) { return t.o.str(field) }
func (t body) Bool(field string) (bool, iac.State, error)  { return t.o.boolean(field) }
func (t body) StrList(field string) ([]string, int, iac.State, error) {
	return t.o.strList(field)
}

func (t body) Int(field string) (iac.Int, iac.State, error) { return t.o.integer(field) }

// Object reads a nested object. Terraform's rule and entry fields are
// flat; a single nested block reads as its object.
func (t body) Object(field string) (iac.Body, iac.State, error) {
	switch v := t.o.Fields[field].(type) {
	case nil:
		return nil, absent, nil
	case unknown:
		return nil, isUnknown, nil
	case *object:
		return body{t.b, t.r, v, describe(t.path, field)}, known, nil
	}
	return nil, absent, iac.Errorf(t.o.loc(field), "%s: want an object", where(t.r, describe(t.path, field)))
}

// Objects reads nested blocks; block i reads at path field[i].
func (t body) Objects(field string) ([]iac.Body, int, iac.State, error) {
	blks, unk, st, err := t.o.blocks(field)
	out := make([]iac.Body, len(blks))
	for i, blk := range blks {
		out[i] = body{t.b, t.r, blk, describe(t.path, field, i)}
	}
	return out, unk, st, err
}

func (t body) Unknown(field, consequence string) {
	t.b.warnUnknown(t.r, t.o, describe(t.path, field), consequence)
}

func (t body) Errorf(format string, args ...any) error {
	return iac.Errorf(t.o.Loc, "%s: %s", where(t.r, t.path), fmt.Sprintf(format, args...))
}

func (t body) FieldErrorf(field, format string, args ...any) error {
	return iac.Errorf(t.o.loc(field), "%s: %s", where(t.r, describe(t.path, field)), fmt.Sprintf(format, args...))
}

// Group reads a group id as Terraform writes it, "sg-…" or
// "111122223333/sg-…"; Terraform names no group peer by name.
func (t body) Group(value string, _ bool) vpc.GroupRef { return iac.GroupRef(value) }

// The protocol and port fields of Terraform's rules and the fields of its
// NACL entries: inline blocks (rule_no, action) and aws_network_acl_rule
// (rule_number, rule_action).
var (
	ruleHead      = iac.HeadFields{Protocol: "protocol", From: "from_port", To: "to_port"}
	vpcRuleHead   = iac.HeadFields{Protocol: "ip_protocol", From: "from_port", To: "to_port"}
	inlineEntry   = tfEntry("rule_no", "action")
	naclRuleEntry = tfEntry("rule_number", "rule_action")
)

func tfEntry(num, action string) iac.EntryFields {
	return iac.EntryFields{Number: num, Action: action, Protocol: "protocol", CIDR4: "cidr_block", CIDR6: "ipv6_cidr_block",
		From: "from_port", To: "to_port", Type: "icmp_type", Code: "icmp_code", UnsetICMPIsZero: true}
}

// The peer fields of Terraform's rule resources.
var (
	inlinePeers = iac.PeerFields{CIDR4: "cidr_blocks", CIDR6: "ipv6_cidr_blocks", PrefixList: "prefix_list_ids",
		GroupID: "security_groups", Self: "self", Lists: true,
		Want: "cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, security_groups or self = true"}
	legacyPeers = iac.PeerFields{CIDR4: "cidr_blocks", CIDR6: "ipv6_cidr_blocks", PrefixList: "prefix_list_ids",
		GroupID: "source_security_group_id", Self: "self", Lists: true,
		Want: "cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, source_security_group_id or self = true"}
	vpcRulePeers = iac.PeerFields{CIDR4: "cidr_ipv4", CIDR6: "cidr_ipv6", PrefixList: "prefix_list_id",
		GroupID: "referenced_security_group_id",
		Want:    "cidr_ipv4, cidr_ipv6, prefix_list_id or referenced_security_group_id"}
)
