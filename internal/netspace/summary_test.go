package netspace

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestSummarize(t *testing.T) {
	box := func(plo, phi uint8, lo, hi uint16, p string) Set {
		return Box{ProtoLo: plo, ProtoHi: phi, PortLo: lo, PortHi: hi, Prefix: netip.MustParsePrefix(p)}.Set()
	}
	all := box(0, 255, 0, 65535, "0.0.0.0/0")
	keep := box(6, 6, 21, 21, "0.0.0.0/0").Union(box(6, 6, 80, 80, "0.0.0.0/0")).Union(box(6, 6, 443, 443, "0.0.0.0/0"))
	for _, tt := range []struct {
		name string
		s    Set
		want []string
	}{
		{"empty", Set{}, []string{}},
		{"everything", all, []string{"all to 0.0.0.0/0"}},
		{"all but three tcp ports", all.Subtract(keep), []string{"all but tcp 21, 80, 443 to 0.0.0.0/0"}},
		{"a few ports stay a list", keep, []string{"tcp 21, 80, 443 to 0.0.0.0/0"}},
		{"two address groups", box(6, 6, 22, 22, "10.0.0.0/8").Union(box(17, 17, 53, 53, "192.0.2.0/24")).Union(box(6, 6, 3306, 3306, "10.0.0.0/8")),
			[]string{"tcp 22, 3306 to 10.0.0.0/8", "udp 53 to 192.0.2.0/24"}},
		{"icmp echo", box(1, 1, ICMPPort(8, 0), ICMPPort(8, 0), "0.0.0.0/0"), []string{"icmp type 8 code 0 to 0.0.0.0/0"}},
		{"protocols by name", box(7, 16, 0, 65535, "0.0.0.0/0").Union(box(50, 50, 0, 65535, "0.0.0.0/0")).Union(box(253, 254, 0, 65535, "0.0.0.0/0")),
			[]string{"protocols 7-16 (cbt, egp, igp, …); esp (50); protocols 253-254 to 0.0.0.0/0"}},
	} {
		if got := Summarize(tt.s); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
