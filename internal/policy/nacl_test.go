package policy

import "testing"

func TestCarve(t *testing.T) {
	rest, hit := carve([]PortRange{{32768, 60999}}, 40000, 50000)
	if len(rest) != 2 || rest[0] != (PortRange{32768, 39999}) || rest[1] != (PortRange{50001, 60999}) {
		t.Fatalf("rest = %v", rest)
	}
	if len(hit) != 1 || hit[0] != (PortRange{40000, 50000}) {
		t.Fatalf("hit = %v", hit)
	}
}
