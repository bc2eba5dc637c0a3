package flowlog

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// TestMergeFactsRefuses: rows classifyVals could not have made are
// refused, naming the row, rather than merged into wrong observations.
func TestMergeFactsRefuses(t *testing.T) {
	t.Parallel()
	a, b, c := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("2001:db8::1")
	ok := FactRow{Interface: "eni-1", Src: a, Dst: b, DstPort: 443, Protocol: 6, Info: FactAccepted | FactExact<<FactEvidenceShift, Flows: 1}
	if _, err := MergeFacts(&Facts{Rows: []FactRow{ok}}, Options{}); err != nil {
		t.Fatalf("a good row refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(r *FactRow)
		want string
	}{
		{"families", func(r *FactRow) { r.Dst = c }, "address families differ"},
		{"no address", func(r *FactRow) { r.Src = netip.Addr{} }, "missing address"},
		{"evidence 3", func(r *FactRow) { r.Info |= 3 << FactEvidenceShift }, "not a fact's bits"},
		{"ipv6 bit", func(r *FactRow) { r.Info |= 1 << 7 }, "not a fact's bits"},
		{"no records", func(r *FactRow) { r.Flows = 0 }, "no records"},
		{"ports", func(r *FactRow) { r.EphLo, r.EphHi = 40000, 30000 }, "dropped ports"},
		{"no interface", func(r *FactRow) { r.Interface = "" }, "without an interface"},
	} {
		r := ok
		tc.edit(&r)
		if _, err := MergeFacts(&Facts{Rows: []FactRow{r}}, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	three := []AddrCount{{"eni-1", a, 1}, {"eni-1", b, 1}, {"eni-1", c, 1}}
	if _, err := MergeFacts(&Facts{Rows: []FactRow{ok}, Addrs: three}, Options{}); err == nil || !strings.Contains(err.Error(), "3 addresses") {
		t.Errorf("three addresses in every record accepted: %v", err)
	}
	if _, err := MergeFacts(&Facts{Rows: []FactRow{ok}, Meta: []MetaRow{{Interface: "eni-9"}}}, Options{}); err == nil {
		t.Error("metadata of an unknown interface accepted")
	}
}

func TestServicePorts(t *testing.T) {
	t.Parallel()
	got := ServicePorts([]uint16{9001})
	for _, p := range []uint16{1433, 8080, 27017, 9001} {
		if !slices.Contains(got, p) {
			t.Errorf("%d missing from %v", p, got)
		}
	}
	if slices.Contains(got, 9002) || slices.Contains(got, 1023) || !slices.IsSorted(got) {
		t.Errorf("ServicePorts = %v", got)
	}
}
