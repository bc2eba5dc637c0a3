package vpc

import (
	"errors"
	"net/netip"
	"testing"
)

func TestRulePorts(t *testing.T) {
	t.Parallel()
	s := SomeInt
	tests := []struct {
		name     string
		p        Protocol
		from, to Int
		want     [2]int32
		field    string // the field the error names; "" for no error
	}{
		{"tcp range", ProtoTCP, s(80), s(443), [2]int32{80, 443}, ""},
		{"tcp all ports", ProtoTCP, s(0), s(65535), [2]int32{0, 65535}, ""},
		{"tcp missing from", ProtoTCP, Int{}, s(1), [2]int32{}, "FromPort"},
		{"tcp missing to", ProtoTCP, s(1), Int{}, [2]int32{}, "ToPort"},
		{"udp reversed", ProtoUDP, s(9), s(8), [2]int32{}, "FromPort"},
		{"tcp -1/-1 is refused", ProtoTCP, s(-1), s(-1), [2]int32{}, "FromPort"},
		{"udp to -1 is refused", ProtoUDP, s(53), s(-1), [2]int32{}, "ToPort"},
		{"tcp to above 65535", ProtoTCP, s(1), s(65536), [2]int32{}, "ToPort"},
		{"all ignores ports", ProtoAll, s(0), s(65535), [2]int32{-1, -1}, ""},
		{"all without ports", ProtoAll, Int{}, Int{}, [2]int32{-1, -1}, ""},
		{"other protocol ignores even bad ports", Protocol(47), s(-5), s(70000), [2]int32{-1, -1}, ""},
		{"icmp type code", ProtoICMP, s(8), s(0), [2]int32{8, 0}, ""},
		{"icmp type any code", ProtoICMP, s(3), s(-1), [2]int32{3, -1}, ""},
		{"icmp all", ProtoICMP, s(-1), s(-1), [2]int32{-1, -1}, ""},
		{"icmp any type needs any code", ProtoICMP, s(-1), s(3), [2]int32{}, "ToPort"},
		{"icmp needs type", ProtoICMP, Int{}, Int{}, [2]int32{}, "FromPort"},
		{"icmp needs code", ProtoICMP, s(8), Int{}, [2]int32{}, "ToPort"},
		{"icmpv6 optional", ProtoICMPv6, Int{}, Int{}, [2]int32{-1, -1}, ""},
		{"icmpv6 half given", ProtoICMPv6, s(128), Int{}, [2]int32{}, "ToPort"},
		{"icmp type out of range", ProtoICMP, s(256), s(0), [2]int32{}, "FromPort"},
		{"icmpv6 code out of range", ProtoICMPv6, s(1), s(-2), [2]int32{}, "ToPort"},
	}
	for _, tt := range tests {
		f, to, err := RulePorts(tt.p, tt.from, tt.to)
		var fe *FieldError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field == "" && [2]int32{f, to} != tt.want:
			t.Errorf("%s: %d %d, want %v", tt.name, f, to, tt.want)
		case tt.field != "" && !errors.As(err, &fe):
			t.Errorf("%s: err %v, want a FieldError at %s", tt.name, err, tt.field)
		case tt.field != "" && fe.Field != tt.field:
			t.Errorf("%s: error at %s (%v), want %s", tt.name, fe.Field, err, tt.field)
		}
		if err == nil {
			// The stored form is a fixed point: a model rule holding it validates.
			r := Rule{Protocol: tt.p, FromPort: f, ToPort: to, Peer: Peer{Kind: PeerPrefixList, PrefixListID: "pl-1"}}
			if err := r.Validate(); err != nil {
				t.Errorf("%s: stored form %d %d does not validate: %v", tt.name, f, to, err)
			}
		}
	}
}

func TestNACLEntryPorts(t *testing.T) {
	t.Parallel()
	s := SomeInt
	v4, v6 := netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")
	tests := []struct {
		name                string
		p                   Protocol
		prefix              netip.Prefix
		from, to, typ, code Int
		want                [4]int32
		field               string
	}{
		{"tcp", ProtoTCP, v4, s(1024), s(65535), Int{}, Int{}, [4]int32{1024, 65535, -1, -1}, ""},
		{"udp without to", ProtoUDP, v4, s(1), Int{}, Int{}, Int{}, [4]int32{}, "PortRange.To"},
		{"tcp -1", ProtoTCP, v4, s(-1), s(-1), Int{}, Int{}, [4]int32{}, "PortRange.From"},
		{"tcp reversed", ProtoTCP, v6, s(2), s(1), Int{}, Int{}, [4]int32{}, "PortRange.From"},
		{"icmp any type forces any code", ProtoICMP, v4, Int{}, Int{}, s(-1), s(4), [4]int32{0, 65535, -1, -1}, ""},
		{"icmp type only", ProtoICMP, v4, Int{}, Int{}, s(8), Int{}, [4]int32{0, 65535, 8, -1}, ""},
		{"icmp needs IcmpTypeCode", ProtoICMP, v4, Int{}, Int{}, Int{}, Int{}, [4]int32{}, "IcmpTypeCode"},
		{"icmpv6 on v6 needs IcmpTypeCode", ProtoICMPv6, v6, Int{}, Int{}, Int{}, Int{}, [4]int32{}, "IcmpTypeCode"},
		{"icmpv6 on v4 ignores it", ProtoICMPv6, v4, Int{}, Int{}, s(999), Int{}, [4]int32{0, 65535, -1, -1}, ""},
		{"icmp code out of range", ProtoICMP, v6, Int{}, Int{}, s(3), s(256), [4]int32{}, "IcmpTypeCode.Code"},
		{"all ignores everything", ProtoAll, v4, s(5), s(-6), s(7), s(8), [4]int32{0, 65535, -1, -1}, ""},
	}
	for _, tt := range tests {
		f, to, it, ic, err := NACLEntryPorts(tt.p, tt.prefix, tt.from, tt.to, tt.typ, tt.code)
		var fe *FieldError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field == "" && [4]int32{f, to, it, ic} != tt.want:
			t.Errorf("%s: %d %d %d %d, want %v", tt.name, f, to, it, ic, tt.want)
		case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
			t.Errorf("%s: err %v, want a FieldError at %s", tt.name, err, tt.field)
		}
		if err == nil {
			e := NACLEntry{RuleNumber: 100, Protocol: tt.p, Prefix: tt.prefix, FromPort: f, ToPort: to, ICMPType: it, ICMPCode: ic}
			if err := e.Validate(); err != nil {
				t.Errorf("%s: stored form does not validate: %v", tt.name, err)
			}
		}
	}
}

func TestNACLEntryValidateRuleNumber(t *testing.T) {
	t.Parallel()
	all := NACLEntry{Protocol: ProtoAll, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
	for n, ok := range map[int]bool{0: false, 1: true, 32766: true, 32767: true, 32768: true, 32769: false, -1: false} {
		e := all
		e.RuleNumber = n
		err := e.Validate()
		var fe *FieldError
		if (err == nil) != ok || err != nil && (!errors.As(err, &fe) || fe.Field != "RuleNumber") {
			t.Errorf("deny all at %d: %v, want ok=%v with field RuleNumber", n, err, ok)
		}
		e.Allow = true
		if err := e.Validate(); (err == nil) != (ok && n <= 32766) {
			t.Errorf("allow all at %d: %v", n, err)
		}
	}
}
