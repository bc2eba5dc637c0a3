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

func TestFamilyMatches(t *testing.T) {
	if FamilyMatches(ProtoICMP, netip.MustParseAddr("::1")) || !FamilyMatches(ProtoICMPv6, netip.MustParseAddr("::1")) || FamilyMatches(ProtoICMPv6, netip.MustParseAddr("10.0.0.1")) {
		t.Error("FamilyMatches")
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
