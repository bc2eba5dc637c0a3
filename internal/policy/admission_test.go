package policy

import (
	"net/netip"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func mp(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ma(s string) netip.Addr   { return netip.MustParseAddr(s) }

// TestMayStart holds Admission's upper bound to its cases: what the rules
// admit, and everything where they cannot be known.
func TestMayStart(t *testing.T) {
	inv := vpc.New()
	for _, k := range vpc.AllKinds {
		inv.Loaded[k] = true
	}
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{mp("10.0.0.0/16")}}
	cidr := func(s string) vpc.Peer { return vpc.Peer{Kind: vpc.PeerCIDR, Prefix: mp(s)} }
	rule := func(g string, egress bool, p vpc.Protocol, from, to int32, peer vpc.Peer) vpc.Rule {
		return vpc.Rule{GroupID: g, Egress: egress, Protocol: p, FromPort: from, ToPort: to, Peer: peer}
	}
	inv.Groups["sg-web"] = &vpc.SecurityGroup{ID: "sg-web", RulesKnown: true,
		Ingress: []vpc.Rule{rule("sg-web", false, vpc.ProtoTCP, 443, 443, cidr("0.0.0.0/0")),
			rule("sg-web", false, vpc.ProtoICMP, 8, 0, cidr("10.0.0.0/16"))},
		Egress: []vpc.Rule{rule("sg-web", true, vpc.ProtoTCP, 5432, 5432, vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-db"}}),
			rule("sg-web", true, vpc.ProtoTCP, 8000, 8100, vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-unknown"}),
			rule("sg-web", true, vpc.ProtoUDP, 53, 53, vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-elsewhere"}}),
			rule("sg-web", true, vpc.ProtoTCP, 9000, 9000, vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-v4"})}}
	inv.PrefixLists["pl-v4"] = &vpc.PrefixList{ID: "pl-v4", AddressFamily: "IPv4"} // entries not loaded
	inv.Groups["sg-db"] = &vpc.SecurityGroup{ID: "sg-db", RulesKnown: true,
		Ingress: []vpc.Rule{rule("sg-db", false, vpc.ProtoTCP, 5432, 5432, vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-web"}})}}
	inv.Groups["sg-partial"] = &vpc.SecurityGroup{ID: "sg-partial"} // rules not loaded
	add := func(id, ip string, groups ...string) *vpc.Interface {
		e := &vpc.Interface{ID: id, VpcID: "vpc-1", PrivateIPs: []netip.Addr{ma(ip)}, GroupIDs: groups}
		inv.Interfaces[id] = e
		return e
	}
	web := add("eni-web", "10.0.1.10", "sg-web")
	db := add("eni-db", "10.0.2.20", "sg-db")
	odd := add("eni-odd", "10.0.3.30", "sg-web", "sg-partial")
	bare := add("eni-nat", "10.0.0.5")
	a := NewAdmission(inv)
	const tcp, udp, icmp = 6, 17, 1
	tests := []struct {
		name   string
		from   *vpc.Interface
		src    string
		to     *vpc.Interface
		dst    string
		proto  uint8
		lo, hi uint16
		want   bool
	}{
		{"web to db on 5432: both ends admit", web, "10.0.1.10", db, "10.0.2.20", tcp, 5432, 5432, true},
		{"db to web: db's egress has no rule", db, "10.0.2.20", web, "10.0.1.10", tcp, 443, 443, false},
		{"web to db on 22: db's ingress does not admit", web, "10.0.1.10", db, "10.0.2.20", tcp, 22, 22, false},
		{"internet to web on 443", nil, "198.51.100.7", web, "10.0.1.10", tcp, 443, 443, true},
		{"internet to web on 40200", nil, "198.51.100.7", web, "10.0.1.10", tcp, 40200, 40200, false},
		{"a range overlapping 443 may be admitted", nil, "198.51.100.7", web, "10.0.1.10", tcp, 400, 500, true},
		{"a range missing 443 is not", nil, "198.51.100.7", web, "10.0.1.10", tcp, 444, 500, false},
		{"ping from inside: echo request admitted", nil, "10.0.9.9", web, "10.0.1.10", icmp, 0, 0, true},
		{"ping from outside: not admitted", nil, "198.51.100.7", web, "10.0.1.10", icmp, 0, 0, false},
		{"a prefix list without entries matches everything", web, "10.0.1.10", nil, "192.0.2.1", tcp, 8050, 8050, true},
		{"a list of unknown entries matches its family", web, "10.0.1.10", nil, "192.0.2.1", tcp, 9000, 9000, true},
		{"and no other", web, "10.0.1.10", nil, "2001:db8::1", tcp, 9000, 9000, false},
		{"a group of another account matches everything", web, "10.0.1.10", nil, "192.0.2.1", udp, 53, 53, true},
		{"web to the internet on 443: no such egress", web, "10.0.1.10", nil, "192.0.2.1", tcp, 443, 443, false},
		{"a group whose rules are not loaded excludes nothing", odd, "10.0.3.30", nil, "192.0.2.1", tcp, 443, 443, true},
		{"an interface without groups excludes nothing", bare, "10.0.0.5", nil, "192.0.2.1", tcp, 1, 1, true},
		{"destinations no group filters", web, "10.0.1.10", nil, "169.254.169.254", tcp, 80, 80, true},
		{"unknown ends exclude nothing", nil, "192.0.2.1", nil, "192.0.2.2", tcp, 1, 1, true},
	}
	for _, tt := range tests {
		if got := a.MayStart(tt.from, ma(tt.src), tt.to, ma(tt.dst), tt.proto, tt.lo, tt.hi); got != tt.want {
			t.Errorf("%s: MayStart = %v, want %v", tt.name, got, tt.want)
		}
	}
	if a.Interface(ma("10.0.2.20")) != db || a.Interface(ma("10.9.9.9")) != nil {
		t.Error("Interface does not find interfaces by private address")
	}
}
