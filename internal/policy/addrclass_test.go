package policy

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func TestClassify(t *testing.T) {
	inv := vpc.New()
	inv.VPCs["vpc-1"] = &vpc.VPC{ID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}}
	for _, c := range []struct {
		addr string
		want Class
	}{
		{"10.1.2.3", Private}, {"172.16.0.1", Private}, {"172.31.255.255", Private}, {"192.168.1.1", Private},
		{"fd12::1", Private}, {"fc00::1", Private},
		{"100.64.0.1", CGNAT}, {"100.127.255.255", CGNAT}, {"::ffff:100.64.0.1", CGNAT},
		{"169.254.1.1", Unfiltered}, {"169.254.169.254", Unfiltered}, {"fd00:ec2::254", Unfiltered},
		{"10.0.0.2", Unfiltered}, // the VPC resolver
		{"fe80::1", LinkLocal},
		{"8.8.8.8", Internet}, {"100.128.0.1", Internet}, {"172.32.0.1", Internet}, {"2600::1", Internet},
		{"::ffff:8.8.8.8", Internet},
		{"127.0.0.1", Other}, {"0.1.2.3", Other}, {"224.0.0.1", Other}, {"240.0.0.1", Other},
		{"::1", Other}, {"ff02::1", Other}, {"4000::1", Other},
	} {
		if got := Classify(inv, netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("Classify(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
	// Without an inventory, link-local services are link-local.
	if got := Classify(nil, netip.MustParseAddr("169.254.169.254")); got != LinkLocal {
		t.Errorf("Classify(nil, metadata) = %s", got)
	}
}

// TestInternal16SameAsInternal holds flowlog's 16-byte form equal to the
// address form over generated addresses, weighted towards the class edges.
func TestInternal16SameAsInternal(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	edges := []string{"10.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.64.0.0", "100.127.255.255",
		"100.128.0.0", "172.15.255.255", "172.16.0.0", "172.31.255.255", "172.32.0.0", "192.167.255.255",
		"192.168.0.0", "192.169.0.0", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::"}
	var addrs []netip.Addr
	for _, e := range edges {
		addrs = append(addrs, netip.MustParseAddr(e))
	}
	for range 20000 {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if r.IntN(2) == 0 {
			v4 := netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]})
			if r.IntN(2) == 0 {
				v4 = netip.AddrFrom4([4]byte{[]byte{10, 100, 172, 192}[r.IntN(4)], b[1], b[2], b[3]})
			}
			addrs = append(addrs, v4)
			continue
		}
		if r.IntN(2) == 0 {
			b[0] = 0xfc | b[0]&1
		}
		addrs = append(addrs, netip.AddrFrom16(b))
	}
	for _, a := range addrs {
		want := a.Unmap().IsPrivate() || netip.MustParsePrefix("100.64.0.0/10").Contains(a.Unmap())
		if got := IsInternal(a); got != want {
			t.Fatalf("IsInternal(%s) = %v, want %v", a, got, want)
		}
		if got := IsInternal16(a.As16()); got != want {
			t.Fatalf("IsInternal16(%s) = %v, want %v", a, got, want)
		}
		if in, cls := IsInternet(a), Classify(nil, a); in != (cls == Internet) {
			t.Fatalf("IsInternet(%s) = %v but Classify = %s", a, in, cls)
		}
	}
}
