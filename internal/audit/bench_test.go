package audit_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/walls-dev/walls/bench/invgen"
	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/vpc"
)

var bigInv = sync.OnceValues(func() (*vpc.Inventory, error) {
	dir := os.Getenv("WALLS_BENCH_INVENTORY")
	if dir == "" {
		d, err := os.MkdirTemp("", "walls-audit-bench")
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(d, "inv")
		if err := invgen.Write(dir, invgen.Options{}); err != nil {
			return nil, err
		}
	}
	return inventory.Load([]string{dir})
})

// BenchmarkAudit runs every inventory check over bench/invgen's 10,000
// security groups and 100,000 interfaces (set WALLS_BENCH_INVENTORY to a
// folder it wrote to skip generating one). Loading is not timed here; see
// BENCHMARKS.md for the end-to-end figure.
func BenchmarkAudit(b *testing.B) {
	inv, err := bigInv()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		rep := audit.Run(inv, audit.Options{})
		b.ReportMetric(float64(len(rep.Findings)), "findings")
	}
}

// BenchmarkAuditEndToEnd loads the generated inventory and audits it, as
// `walls audit DIR` does (needs WALLS_BENCH_INVENTORY).
func BenchmarkAuditEndToEnd(b *testing.B) {
	dir := os.Getenv("WALLS_BENCH_INVENTORY")
	if dir == "" {
		b.Skip("set WALLS_BENCH_INVENTORY to a folder written by go run ./bench/cmd/invgen")
	}
	for b.Loop() {
		t0 := time.Now()
		inv, err := inventory.Load([]string{dir})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		audit.Run(inv, audit.Options{})
		b.ReportMetric(t1.Sub(t0).Seconds(), "load-s")
		b.ReportMetric(time.Since(t1).Seconds(), "audit-s")
	}
}

// BenchmarkAuditPerCheck times each check alone, to see where time goes.
func BenchmarkAuditPerCheck(b *testing.B) {
	inv, err := bigInv()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range audit.Catalog() {
		if c.NeedsFlows || c.ID == audit.ExpiredSuppression {
			continue
		}
		b.Run(c.ID, func(b *testing.B) {
			for b.Loop() {
				rep := audit.Run(inv, audit.Options{Checks: []string{c.ID}})
				b.ReportMetric(float64(len(rep.Findings)), "findings")
			}
		})
	}
}
