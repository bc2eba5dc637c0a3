package flowlog

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/walls-dev/walls/internal/safe"
)

// TestWorkerPanicReachesCaller: a panic in a worker (a bug) must reach the
// goroutine that called Aggregate, with the worker's stack, and the other
// workers and the producer must wind down instead of waiting for it.
func TestWorkerPanicReachesCaller(t *testing.T) {
	dir := t.TempDir()
	var text strings.Builder
	for i := 0; i < 20000; i++ {
		text.WriteString("2 123456789012 eni-a 10.0.1.10 203.0.113.9 40000 443 6 3 300 100 160 ACCEPT OK\n")
	}
	plain := writeFile(t, dir, "a.log", text.String())
	gz := filepath.Join(dir, "b.log.gz")
	f, err := os.Create(gz)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.Write([]byte(text.String()))
	zw.Close()
	f.Close()
	for _, nth := range []int32{1, 3} {
		var n atomic.Int32
		opts := Options{Workers: 2, ChunkSize: 64 << 10, taskHook: func() {
			if n.Add(1) == nth {
				panic("planted bug")
			}
		}}
		func() {
			defer func() {
				p, ok := recover().(*safe.Panic)
				if !ok || p.Value != "planted bug" || !strings.Contains(string(p.Stack), "panic_test.go") {
					t.Fatalf("task %d: recovered %v, want the worker's panic with its stack", nth, p)
				}
			}()
			Aggregate(context.Background(), []string{plain, gz}, opts)
			t.Fatalf("task %d: Aggregate returned although a worker panicked", nth)
		}()
	}
}
