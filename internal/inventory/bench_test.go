package inventory

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/bench/invgen"
)

// benchInventory returns a generated inventory of 10,000 SGs and 100,000
// ENIs: the folder in $WALLS_BENCH_INVENTORY when set (generate it once with
// `go run ./bench/cmd/invgen -o DIR`), else a fresh one under the test's
// temporary folder.
func benchInventory(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("WALLS_BENCH_INVENTORY"); dir != "" {
		return dir
	}
	dir := filepath.Join(b.TempDir(), "inv")
	if err := invgen.Write(dir, invgen.Options{}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoad10kSG100kENI measures loading (decode, validate, merge,
// index) an inventory of 10,000 security groups and 100,000 interfaces.
func BenchmarkLoad10kSG100kENI(b *testing.B) {
	dir := benchInventory(b)
	b.ResetTimer()
	for b.Loop() {
		inv, err := Load([]string{dir})
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Interfaces) != 100000 || len(inv.Groups) != 10000 {
			b.Fatalf("loaded %d interfaces, %d groups", len(inv.Interfaces), len(inv.Groups))
		}
	}
}
