package netspace_test

import (
	"fmt"
	"net/netip"

	"github.com/walls-dev/walls/internal/netspace"
	"go4.org/netipx"
)

func cidrs(prefixes ...string) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range prefixes {
		b.AddPrefix(netip.MustParsePrefix(p))
	}
	s, _ := b.IPSet()
	return s
}

// A rule is redundant when the other rules already cover it, even if no
// single other rule does.
func ExampleSet_Subset() {
	https, _ := netspace.RuleSet(6, 443, 443, cidrs("10.0.0.0/16"))
	low, _ := netspace.RuleSet(6, 0, 1023, cidrs("10.0.0.0/17"))
	high, _ := netspace.RuleSet(6, 443, 8443, cidrs("10.0.128.0/17"))
	fmt.Println(https.Subset(low), https.Subset(high), https.Subset(low.Union(high)))
	// Output: false false true
}

// Subtract answers "what would this change stop allowing".
func ExampleSet_Subtract() {
	current, _ := netspace.RuleSet(-1, -1, -1, cidrs("0.0.0.0/0"))
	var proposed netspace.Builder
	for _, port := range []int32{443, 5432} {
		s, _ := netspace.RuleSet(6, port, port, cidrs("10.0.0.0/8"))
		proposed.Add(s)
	}
	lost := current.Subtract(proposed.Set())
	fmt.Println(lost.Contains(netspace.Packet{Protocol: 6, Port: 443, Addr: netip.MustParseAddr("8.8.8.8")}))
	fmt.Println(lost.Contains(netspace.Packet{Protocol: 6, Port: 443, Addr: netip.MustParseAddr("10.1.2.3")}))
	// protocols 0-5, tcp 0-442, tcp 444-5431, tcp 5433-65535 and
	// protocols 7-255 to 0.0.0.0/0, plus tcp 443 and tcp 5432 to the 8
	// prefixes that cover 0.0.0.0/0 without 10.0.0.0/8.
	fmt.Println(lost.NumBoxes(), "boxes")
	// Output:
	// true
	// false
	// 21 boxes
}

// An icmp rule only matches IPv4 and an icmpv6 rule only IPv6 (docs/semantics.md#protocols).
func ExampleRuleSet() {
	for _, r := range []struct {
		proto     int
		from, to  int32
		addresses []string
	}{
		{6, 20, 21, []string{"10.0.0.0/16"}},
		{1, 3, 4, []string{"0.0.0.0/0", "::/0"}},
		{58, -1, -1, []string{"0.0.0.0/0", "::/0"}},
		{50, 80, 80, []string{"192.168.0.0/24"}},
		{1, -1, -1, []string{"2001:db8::/32"}},
	} {
		s, err := netspace.RuleSet(r.proto, r.from, r.to, cidrs(r.addresses...))
		fmt.Println(s, err)
	}
	_, err := netspace.RuleSet(6, 443, 80, cidrs("0.0.0.0/0"))
	fmt.Println(err)
	// Output:
	// tcp 20-21 10.0.0.0/16 <nil>
	// icmp type 3 code 4 0.0.0.0/0 <nil>
	// icmpv6 all types ::/0 <nil>
	// protocol 50 192.168.0.0/24 <nil>
	// none <nil>
	// invalid rule: protocol 6 ports 443-80: from port after to port
}
