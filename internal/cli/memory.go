package cli

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// flowMemoryLimit is the soft limit on the Go runtime's memory (heap,
// stacks; not the mapped input files) while flow logs are read.
const flowMemoryLimit = 256 << 20

// gcWhileSmall sets the garbage collector's policy for reading flow logs,
// unless the user chose one with GOGC or GOMEMLIMIT, and returns the
// function that restores the previous one.
//
// Reading allocates little besides the tables that hold the facts, and
// those stay live to the end: collecting while the heap is small frees
// almost nothing and cost about 10 % of a run (each cycle stops the parsing
// goroutines to scan their stacks; the 1 GiB corpus saw seven). So the
// collector is off until the heap's objects reach 3/4 of flowMemoryLimit;
// from there it runs at its normal pace (GOGC=100) under that soft limit,
// which holds 5 GB of flow logs near 230 MiB. Past the limit Go's GC CPU
// limiter bounds the cost.
func gcWhileSmall() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	p := &gcPolicy
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.users++; p.users == 1 {
		// The settings are the process's: the first reader sets them, the
		// last one restores them, however the reads overlap.
		p.prevLimit = debug.SetMemoryLimit(flowMemoryLimit)
		p.prevPercent = debug.SetGCPercent(-1)
		p.done, p.finished = make(chan struct{}), make(chan struct{})
		go watchHeap(p.done, p.finished)
	}
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.users--; p.users == 0 {
			close(p.done)
			<-p.finished
			debug.SetGCPercent(p.prevPercent)
			debug.SetMemoryLimit(p.prevLimit)
		}
	}
}

var gcPolicy struct {
	mu          sync.Mutex
	users       int
	prevLimit   int64
	prevPercent int
	done        chan struct{}
	finished    chan struct{}
}

// watchHeap turns the collector back on (GOGC=100) once the heap's objects
// pass 3/4 of flowMemoryLimit, or returns when done closes.
func watchHeap(done <-chan struct{}, finished chan<- struct{}) {
	defer close(finished)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > flowMemoryLimit/4*3 {
				debug.SetGCPercent(100)
				return
			}
		}
	}
}
