package iac

import (
	"net/netip"
	"strings"

	"github.com/walls-dev/walls/internal/vpc"
)

// The protocol and ports of a security group rule and the whole of a
// network ACL entry, read through Body from per-loader field tables. What
// the values may be is vpc.RulePorts' and vpc.NACLEntryPorts' to say; these
// readers only find the fields, skip what is unknown (with a warning) and
// locate each error at the field it is about.

// ruleProtocols is what a rule's or entry's protocol field may hold.
const ruleProtocols = "tcp, udp, icmp, icmpv6, -1 (all) or a protocol number"

// HeadFields names a security group rule's protocol and port fields.
type HeadFields struct {
	Protocol, From, To string
}

// RuleHead reads a rule's protocol and ports as the model stores them:
// the port range for tcp and udp, ICMP type and code for icmp and icmpv6,
// -1/-1 for every other protocol (their port fields are not read). ok is
// false when a field is unknown: a warning is recorded and the rule is to
// be skipped.
func RuleHead(b Body, f HeadFields) (p vpc.Protocol, from, to int32, ok bool, err error) {
	const skipped = "rule skipped"
	if p, ok, err = protocol(b, f.Protocol, ruleProtocols, skipped); !ok {
		return 0, 0, 0, false, err
	}
	if !p.HasPorts() && !p.IsICMP() {
		return p, -1, -1, true, nil // docs/semantics.md#protocols, #inputs
	}
	v, ok, err := ints(b, skipped, f.From, f.To)
	if !ok {
		return 0, 0, 0, false, err
	}
	if from, to, err = vpc.RulePorts(p, v[0], v[1]); err != nil {
		fld := Field(err, map[string]string{"FromPort": f.From, "ToPort": f.To}, f.From)
		return 0, 0, 0, false, b.FieldErrorf(fld, "%v", err)
	}
	return p, from, to, true, nil
}

// EntryFields names a network ACL entry's fields.
type EntryFields struct {
	Number, Action, Protocol string
	// ProtocolWant is what the protocol may be, for the message when it is
	// missing ("" for tcp, udp, icmp, icmpv6, -1 or a number).
	ProtocolWant string
	CIDR4, CIDR6 string // exactly one is set
	// PortRange and ICMP name the objects that hold From/To and
	// Type/Code. "" reads those fields on the entry itself, whatever the
	// protocol; a named object is read only when the protocol needs it
	// (vpc.NACLEntryPorts says which), and is then required.
	PortRange, From, To string
	ICMP, Type, Code    string
	// UnsetICMPIsZero: an icmp or icmpv6 entry's unset type or code is 0,
	// as the Terraform provider sends it.
	UnsetICMPIsZero bool
}

// NACLEntry reads a network ACL entry as f names its fields; the caller
// sets Egress and Source. ok is false when a field is unknown: a warning
// is recorded and the entry is to be skipped.
func NACLEntry(b Body, f EntryFields) (e vpc.NACLEntry, ok bool, err error) {
	const skipped = "entry skipped"
	num, st, err := b.Int(f.Number)
	if ok, err := required(b, f.Number, st, err, "a rule number 1-32766", skipped); !ok {
		return e, false, err
	}
	if e.RuleNumber, err = RuleNumber(num.V); err != nil {
		return e, false, b.FieldErrorf(f.Number, "%v", err)
	}
	act, st, err := b.Str(f.Action)
	if ok, err := required(b, f.Action, st, err, "allow or deny", skipped); !ok {
		return e, false, err
	}
	if e.Allow, err = Action(act); err != nil {
		return e, false, b.FieldErrorf(f.Action, "%v", err)
	}
	want := f.ProtocolWant
	if want == "" {
		want = ruleProtocols
	}
	if e.Protocol, ok, err = protocol(b, f.Protocol, want, skipped); !ok {
		return e, false, err
	}
	p4, w4, st4, err := writtenPrefix(b, f.CIDR4, 4)
	if err != nil {
		return e, false, err
	}
	p6, w6, st6, err := writtenPrefix(b, f.CIDR6, 6)
	if err != nil {
		return e, false, err
	}
	switch {
	case st4 == Unknown:
		b.Unknown(f.CIDR4, skipped)
		return e, false, nil
	case st6 == Unknown:
		b.Unknown(f.CIDR6, skipped)
		return e, false, nil
	case st4 == Known && st6 == Known:
		return e, false, b.Errorf("both %s and %s set: want exactly one", f.CIDR4, f.CIDR6)
	case st4 == Known:
		e.Prefix, e.Written = p4, SlashZeroTypo(w4, p4)
	case st6 == Known:
		e.Prefix, e.Written = p6, SlashZeroTypo(w6, p6)
	default:
		return e, false, b.Errorf("missing %s or %s: want exactly one", f.CIDR4, f.CIDR6)
	}
	need := needs(e.Protocol, e.Prefix)
	ports, ok, err := part(b, f.PortRange, strings.HasPrefix(need, "PortRange"), skipped, f.From, f.To)
	if !ok {
		return e, false, err
	}
	icmp, ok, err := part(b, f.ICMP, strings.HasPrefix(need, "IcmpTypeCode"), skipped, f.Type, f.Code)
	if !ok {
		return e, false, err
	}
	if f.UnsetICMPIsZero && e.Protocol.IsICMP() {
		for i := range icmp.v {
			if !icmp.v[i].Set {
				icmp.v[i] = SomeInt(0)
			}
		}
	}
	if e.FromPort, e.ToPort, e.ICMPType, e.ICMPCode, err = nacl(e.Protocol, e.Prefix, ports.v[0], ports.v[1], icmp.v[0], icmp.v[1]); err != nil {
		at, fld := b, f.From
		switch Field(err, nil, "PortRange.From") {
		case "PortRange.From":
			at, fld = ports.at(b, f.PortRange, f.From)
		case "PortRange.To":
			at, fld = ports.at(b, f.PortRange, f.To)
		case "IcmpTypeCode":
			at, fld = icmp.at(b, f.ICMP, f.Type)
			if f.ICMP != "" {
				at, fld = b, f.ICMP
			}
		case "IcmpTypeCode.Type":
			at, fld = icmp.at(b, f.ICMP, f.Type)
		case "IcmpTypeCode.Code":
			at, fld = icmp.at(b, f.ICMP, f.Code)
		}
		return e, false, at.FieldErrorf(fld, "%v", err)
	}
	return e, true, nil
}

var nacl = vpc.NACLEntryPorts

// needs is the field vpc.NACLEntryPorts requires first of an entry with
// protocol p on block prefix (PortRange.From, IcmpTypeCode, or "" when it
// needs none): the one rule, asked with nothing set, decides which nested
// objects an entry must have.
func needs(p vpc.Protocol, prefix netip.Prefix) string {
	_, _, _, _, err := nacl(p, prefix, Int{}, Int{}, Int{}, Int{})
	if err == nil {
		return ""
	}
	return Field(err, nil, "")
}

// fieldPair is two whole-number fields as read, and the nested object
// they were read in (nil: the entry itself, or an absent object).
type fieldPair struct {
	obj Body
	v   [2]Int
}

// at is where an error about field of the pair is reported: in the object
// when it was read, at the object field when it is missing, else on b.
func (fp fieldPair) at(b Body, object, field string) (Body, string) {
	switch {
	case fp.obj != nil:
		return fp.obj, field
	case object != "":
		return b, object
	}
	return b, field
}

// part reads two whole-number fields: on b when object is "", else in the
// nested object, when needed. ok is false when something is unknown (a
// warning is recorded).
func part(b Body, object string, needed bool, skipped, f1, f2 string) (fieldPair, bool, error) {
	var fp fieldPair
	in := b
	if object != "" {
		if !needed {
			return fp, true, nil
		}
		o, st, err := b.Object(object)
		switch {
		case err != nil:
			return fp, false, err
		case st == Unknown:
			b.Unknown(object, skipped)
			return fp, false, nil
		case st == Absent:
			return fp, true, nil // NACLEntryPorts reports it missing
		}
		in, fp.obj = o, o
	}
	v, ok, err := ints(in, skipped, f1, f2)
	if ok {
		fp.v = [2]Int(v)
	}
	return fp, ok, err
}

// protocol reads a protocol field; ok is false when it is unknown (warned)
// or there is an error.
func protocol(b Body, field, want, skipped string) (vpc.Protocol, bool, error) {
	s, st, err := b.Str(field)
	if ok, err := required(b, field, st, err, want, skipped); !ok {
		return 0, false, err
	}
	p, err := vpc.ParseProtocol(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return 0, false, b.FieldErrorf(field, "%v", err)
	}
	return p, true, nil
}

// required checks the read of a required field: ok is false on a read
// error, when the field is absent (an error, want says what it may be)
// or unknown (a warning).
func required(b Body, field string, st State, err error, want, skipped string) (ok bool, _ error) {
	switch {
	case err != nil:
		return false, err
	case st == Absent:
		return false, b.FieldErrorf(field, "missing: want %s", want)
	case st == Unknown:
		b.Unknown(field, skipped)
		return false, nil
	}
	return true, nil
}

// ints reads whole-number fields of b: the first read error, else, when
// one is unknown, ok false after a warning about the first unknown one.
func ints(b Body, skipped string, fields ...string) ([]Int, bool, error) {
	vs := make([]Int, len(fields))
	sts := make([]State, len(fields))
	for i, f := range fields {
		v, st, err := b.Int(f)
		if err != nil {
			return nil, false, err
		}
		vs[i], sts[i] = v, st
	}
	for i, st := range sts {
		if st == Unknown {
			b.Unknown(fields[i], skipped)
			return nil, false, nil
		}
	}
	return vs, true, nil
}

// prefix reads a CIDR block field of family 4 or 6; "" counts as absent
// (terraform show -json writes "" for a block that is not set), as it does
// for rule peers.
func prefix(b Body, field string, family int) (netip.Prefix, State, error) {
	p, _, st, err := writtenPrefix(b, field, family)
	return p, st, err
}

// writtenPrefix is prefix with the block as the input wrote it.
func writtenPrefix(b Body, field string, family int) (netip.Prefix, string, State, error) {
	s, st, err := b.Str(field)
	if err != nil || st == Unknown {
		return netip.Prefix{}, "", st, err
	}
	if st != Known || s == "" {
		return netip.Prefix{}, "", Absent, nil
	}
	p, err := ParsePrefix(s, family)
	if err != nil {
		return netip.Prefix{}, "", st, b.FieldErrorf(field, "%v", err)
	}
	return p, s, Known, nil
}
