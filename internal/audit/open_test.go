package audit

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func egressGroup(rules ...vpc.Rule) *vpc.Inventory {
	inv := vpc.New()
	inv.Loaded[vpc.KindSecurityGroups] = true
	for i := range rules {
		rules[i].GroupID, rules[i].Egress, rules[i].Index = "sg-p", true, i
	}
	inv.Groups["sg-p"] = &vpc.SecurityGroup{ID: "sg-p", Name: "p", RulesKnown: true, Egress: rules}
	return inv
}

func messages(rep *Report) string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.CheckID+": "+f.Message)
	}
	return strings.Join(out, "\n")
}

// TestProtocol253IsOneProtocol: protocol 253 is a real IANA number (for
// experimentation), not "all protocols". Egress of protocol 253 to the
// whole internet is egress of one protocol without ports: WALLS-SG-001
// (all protocols, or every port of TCP or UDP) does not apply, nor does
// WALLS-SG-003 (named TCP and UDP ports), so the group has no finding; and
// it does not hide the group's risky ports from WALLS-SG-003. Over IPv6
// alone it is what WALLS-SG-002 reports, as protocol 253.
func TestProtocol253IsOneProtocol(t *testing.T) {
	checks := []string{OpenEgress, RiskyEgress, IPv6LeftOpen}
	inv := egressGroup(rule("", true, 253, -1, -1, cidr("0.0.0.0/0"), 0))
	if rep := Run(inv, Options{Now: now, Checks: checks}); len(rep.Findings) != 0 {
		t.Errorf("protocol 253 to 0.0.0.0/0: want no finding, got\n%s", messages(rep))
	}

	inv = egressGroup(rule("", true, 253, -1, -1, cidr("0.0.0.0/0"), 0), rule("", true, vpc.ProtoTCP, 25, 25, cidr("0.0.0.0/0"), 0))
	rep := Run(inv, Options{Now: now, Checks: checks})
	if got := ids(rep.Findings); got != RiskyEgress+":sg-p" || !strings.Contains(rep.Findings[0].Message, "SMTP 25/tcp") {
		t.Errorf("protocol 253 and tcp 25 to 0.0.0.0/0: want SMTP from %s alone, got\n%s", RiskyEgress, messages(rep))
	}

	inv = egressGroup(rule("", true, 253, -1, -1, cidr("::/0"), 0))
	rep = Run(inv, Options{Now: now, Checks: checks})
	want := "sg-p (p) allows protocol 253 to the IPv6 internet but nothing to the IPv4 internet: IPv6 was left open (protocol 253 more over IPv6)."
	if len(rep.Findings) != 1 || rep.Findings[0].CheckID != IPv6LeftOpen || rep.Findings[0].Message != want {
		t.Errorf("protocol 253 to ::/0: want %s %q, got\n%s", IPv6LeftOpen, want, messages(rep))
	}

	// All protocols is still all traffic, however it is split.
	inv = egressGroup(rule("", true, vpc.ProtoAll, -1, -1, cidr("0.0.0.0/1"), 0), rule("", true, vpc.ProtoAll, -1, -1, cidr("128.0.0.0/1"), 1))
	rep = Run(inv, Options{Now: now, Checks: checks})
	if len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Message, "allows all traffic to the whole IPv4 internet") {
		t.Errorf("-1 to both /1 halves: want all traffic, got\n%s", messages(rep))
	}
}

// TestOpeningRuns: the opening's port runs and first open port, where
// rules overlap and only together cover the internet.
func TestOpeningRuns(t *testing.T) {
	rs := []prule{}
	for i, r := range []vpc.Rule{
		rule("sg", true, vpc.ProtoTCP, 20, 30, cidr("0.0.0.0/1"), 0),
		rule("sg", true, vpc.ProtoTCP, 25, 40, cidr("128.0.0.0/1"), 1),
		rule("sg", true, vpc.ProtoTCP, 35, 50, cidr("0.0.0.0/0"), 2),
		rule("sg", true, vpc.ProtoUDP, 0, 65535, cidr("203.0.113.0/24"), 3),
	} {
		r.Index = i
		rs = append(rs, prule{r: &r, pfx: []netip.Prefix{r.Peer.Prefix}})
	}
	o := (&scan{inv: vpc.New()}).openTo(rs, v4)
	if got := o.ports(vpc.ProtoTCP, 0, 65535); len(got) != 2 || got[0] != [2]int32{25, 30} || got[1] != [2]int32{35, 50} {
		t.Errorf("tcp runs = %v, want [25 30] [35 50] (31-34 has only the upper half)", got)
	}
	if ok, pt, used := o.firstOpen(vpc.ProtoTCP, 10, 100); !ok || pt != 25 || len(used) != 2 || used[0].Index != 0 {
		t.Errorf("first open = %v %d %v", ok, pt, used)
	}
	if ok, _ := o.allPorts(vpc.ProtoUDP); ok {
		t.Error("udp to one /24 is not open to the internet")
	}
	if sp, _ := o.space(); spaceText(sp) != "tcp 25-30 and tcp 35-50" {
		t.Errorf("space = %q", spaceText(sp))
	}
}

// TestOpenReadsListedPeers: "open to the internet" reads peers as
// policy.Listed. A prefix list of which only some entries are known is open
// by the entries that are (each is surely in it); a group reference is
// never the internet, even when its members have global IPv6 addresses.
func TestOpenReadsListedPeers(t *testing.T) {
	pl := vpc.Peer{Kind: vpc.PeerPrefixList, PrefixListID: "pl-part"}
	inv := egressGroup(rule("", true, vpc.ProtoAll, -1, -1, pl, 0))
	inv.PrefixLists["pl-part"] = &vpc.PrefixList{ID: "pl-part", AddressFamily: "IPv4", Entries: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}
	rep := Run(inv, Options{Now: now, Checks: []string{OpenEgress}})
	if got := ids(rep.Findings); got != OpenEgress+":sg-p" || !strings.Contains(rep.Findings[0].Message, "all traffic to pl-part") {
		t.Errorf("a partly loaded prefix list holding 0.0.0.0/0: want %s, got\n%s", OpenEgress, messages(rep))
	}

	inv = egressGroup(rule("", true, vpc.ProtoAll, -1, -1, vpc.Peer{Kind: vpc.PeerGroup, Group: vpc.GroupRef{GroupID: "sg-p"}}, 0))
	inv.Loaded[vpc.KindNetworkInterfaces] = true
	inv.Interfaces["eni-1"] = &vpc.Interface{ID: "eni-1", GroupIDs: []string{"sg-p"}, IPv6s: []netip.Addr{netip.MustParseAddr("2600:1f18::1")}}
	if rs := (&scan{inv: inv}).internetRules(inv.Groups["sg-p"].Egress); len(rs) != 0 {
		t.Errorf("a group reference counted as reaching the internet: %v", rs[0].pfx)
	}
}
