package vpc

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

func TestParseProtocol(t *testing.T) {
	cases := map[string]Protocol{"-1": ProtoAll, "all": ProtoAll, "tcp": ProtoTCP, "TCP": ProtoTCP, "6": ProtoTCP,
		"udp": ProtoUDP, "17": ProtoUDP, "icmp": ProtoICMP, "1": ProtoICMP, "icmpv6": ProtoICMPv6, "58": ProtoICMPv6,
		"50": 50, "0": 0, "255": 255}
	for in, want := range cases {
		got, err := ParseProtocol(in)
		if err != nil || got != want {
			t.Errorf("ParseProtocol(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "256", "-2", "tcpp", "6.0"} {
		if _, err := ParseProtocol(bad); err == nil {
			t.Errorf("ParseProtocol(%q) accepted", bad)
		}
	}
	if ProtoTCP.String() != "tcp" || Protocol(50).String() != "50" || ProtoAll.String() != "-1" || ProtoAll.Label() != "all" {
		t.Error("String/Label")
	}
}

func TestRuleMatchesTraffic(t *testing.T) {
	cases := []struct {
		rule            Rule
		proto           Protocol
		port, typ, code int32
		want            bool
	}{
		{Rule{Protocol: ProtoAll, FromPort: -1, ToPort: -1}, ProtoUDP, 53, 0, 0, true},
		{Rule{Protocol: ProtoTCP, FromPort: 20, ToPort: 21}, ProtoTCP, 20, 0, 0, true},
		{Rule{Protocol: ProtoTCP, FromPort: 20, ToPort: 21}, ProtoTCP, 22, 0, 0, false},
		{Rule{Protocol: ProtoTCP, FromPort: 20, ToPort: 21}, ProtoUDP, 21, 0, 0, false},
		{Rule{Protocol: ProtoICMP, FromPort: 8, ToPort: -1}, ProtoICMP, 0, 8, 5, true},
		{Rule{Protocol: ProtoICMP, FromPort: 8, ToPort: 0}, ProtoICMP, 0, 8, 1, false},
		{Rule{Protocol: ProtoICMP, FromPort: -1, ToPort: -1}, ProtoICMP, 0, 3, 4, true},
		{Rule{Protocol: 50, FromPort: -1, ToPort: -1}, 50, 0, 0, 0, true},
		{Rule{Protocol: 50, FromPort: -1, ToPort: -1}, 51, 0, 0, 0, false},
	}
	for i, c := range cases {
		if got := c.rule.MatchesTraffic(c.proto, c.port, c.typ, c.code); got != c.want {
			t.Errorf("case %d: %s matches %s %d/%d/%d = %v", i, &c.rule, c.proto, c.port, c.typ, c.code, got)
		}
	}
	if FamilyMatches(ProtoICMP, netip.MustParseAddr("::1")) || !FamilyMatches(ProtoICMPv6, netip.MustParseAddr("::1")) || FamilyMatches(ProtoICMPv6, netip.MustParseAddr("10.0.0.1")) {
		t.Error("FamilyMatches")
	}
}

func TestNACLEntryMatches(t *testing.T) {
	v4, v6 := netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("2001:db8::5")
	e := func(p Protocol, cidr string, from, to, typ, code int32) NACLEntry {
		return NACLEntry{Protocol: p, Prefix: netip.MustParsePrefix(cidr), FromPort: from, ToPort: to, ICMPType: typ, ICMPCode: code}
	}
	cases := []struct {
		e     NACLEntry
		proto Protocol
		addr  netip.Addr
		port  int32
		t, c  int32
		want  bool
	}{
		{e(ProtoAll, "0.0.0.0/0", 0, 0, -1, -1), ProtoTCP, v4, 1, 0, 0, true},
		{e(ProtoAll, "0.0.0.0/0", 0, 0, -1, -1), ProtoTCP, v6, 1, 0, 0, false}, // IPv4 entries never match IPv6
		{e(ProtoTCP, "10.0.0.0/8", 1024, 65535, 0, 0), ProtoTCP, v4, 1024, 0, 0, true},
		{e(ProtoTCP, "10.0.0.0/8", 1024, 65535, 0, 0), ProtoTCP, v4, 1023, 0, 0, false},
		{e(ProtoICMP, "0.0.0.0/0", 0, 0, 3, 4), ProtoICMP, v4, 0, 3, 4, true},
		{e(ProtoICMP, "0.0.0.0/0", 0, 0, 3, 4), ProtoICMP, v4, 0, 3, 3, false},
		{e(ProtoICMPv6, "0.0.0.0/0", 0, 0, 128, 0), ProtoICMPv6, v4, 0, 1, 1, true}, // docs/semantics.md#nacl-icmp: 58 with IPv4 = all types
		{e(ProtoICMPv6, "::/0", 0, 0, 128, 0), ProtoICMPv6, v6, 0, 129, 0, false},
		{e(47, "0.0.0.0/0", 0, 0, -1, -1), 47, v4, 0, 0, 0, true},
	}
	for i, c := range cases {
		if got := c.e.Matches(c.proto, c.addr, c.port, c.t, c.c); got != c.want {
			t.Errorf("case %d: %s matches = %v, want %v", i, &c.e, got, c.want)
		}
	}
}

func TestRuleTextAndJSON(t *testing.T) {
	r := Rule{ID: "sgr-1", GroupID: "sg-1", Egress: true, Protocol: ProtoTCP, FromPort: 20, ToPort: 21,
		Peer: Peer{Kind: PeerCIDR, Prefix: netip.MustParsePrefix("0.0.0.0/0")}}
	if got := r.String(); got != "egress tcp 20-21 to 0.0.0.0/0" {
		t.Errorf("String = %q", got)
	}
	b, _ := json.Marshal(r)
	for _, want := range []string{`"SecurityGroupRuleId":"sgr-1"`, `"IpProtocol":"tcp"`, `"FromPort":20`, `"CidrIpv4":"0.0.0.0/0"`, `"IsEgress":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	g := Rule{GroupID: "sg-1", Protocol: ProtoAll, FromPort: -1, ToPort: -1, Index: 2,
		Peer: Peer{Kind: PeerGroup, Group: GroupRef{GroupID: "sg-2", UserID: "111"}}}
	if g.Ref() != "sg-1/ingress[2]" || g.String() != "ingress all from sg-2" {
		t.Errorf("Ref %q String %q", g.Ref(), g.String())
	}
	b, _ = json.Marshal(g)
	if !strings.Contains(string(b), `"ReferencedGroupInfo":{"GroupId":"sg-2","UserId":"111"}`) {
		t.Errorf("JSON %s", b)
	}
	n := NACLEntry{RuleNumber: 32767, Protocol: ProtoAll, Prefix: netip.MustParsePrefix("0.0.0.0/0")}
	if n.String() != "* deny all 0.0.0.0/0" {
		t.Errorf("NACL String %q", n.String())
	}
	b, _ = json.Marshal(NACLEntry{RuleNumber: 100, Allow: true, Protocol: ProtoTCP, Prefix: netip.MustParsePrefix("::/0"), FromPort: 1, ToPort: 2})
	if string(b) != `{"RuleNumber":100,"Egress":false,"RuleAction":"allow","Protocol":"6","Ipv6CidrBlock":"::/0","PortRange":{"From":1,"To":2}}` {
		t.Errorf("NACL JSON %s", b)
	}
}
