package reach

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/bench/invgen"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/vpc"
)

// BenchmarkCheckLarge measures one check on a loaded inventory of 10,000
// SGs and 100,000 ENIs (the folder in $WALLS_BENCH_INVENTORY, or a freshly
// generated one). Loading is outside the timed loop.
func BenchmarkCheckLarge(b *testing.B) {
	dir := os.Getenv("WALLS_BENCH_INVENTORY")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "inv")
		if err := invgen.Write(dir, invgen.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	inv, err := inventory.Load([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	reqs := []Request{
		{From: invgen.InterfaceID(1), To: invgen.InterfaceID(21), Protocol: vpc.ProtoTCP, Port: 443},
		{From: invgen.InterfaceID(5), To: "203.0.113.9", Protocol: vpc.ProtoTCP, Port: 443},
		{From: "198.51.100.4", To: invgen.InterfaceID(77), Protocol: vpc.ProtoTCP, Port: 22},
	}
	for _, r := range reqs {
		b.Run(r.From+"->"+r.To, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(inv, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
