package flowlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/walls-dev/walls/internal/vpc"
)

// Options control Aggregate.
type Options struct {
	// Inventory, when given, names each interface's own addresses and its
	// type (transit hops), and its security groups' rules, which decide the
	// initiator where flags do not (Confidence ByRules).
	Inventory *vpc.Inventory
	// Since and Until keep records whose window overlaps [Since, Until).
	Since, Until time.Time
	// Format is the column order of files without a header line (and of
	// stdin); nil means the default version-2 format.
	Format *Format
	// MaxBadRatio is the share of malformed lines above which Aggregate
	// fails; 0 means the default 1 %, a negative value never fails.
	MaxBadRatio float64
	// Workers is the number of parsing goroutines, 1 to MaxWorkers; 0
	// means GOMAXPROCS (at most MaxWorkers).
	Workers int
	// ServicePorts adds well-known service ports (>= 1024) to H1.
	ServicePorts []uint16
	// Stdin is read for the source "-".
	Stdin io.Reader
	// MaxBadExamples bounds Stats.BadLineExamples; 0 means 10.
	MaxBadExamples int
	// ChunkSize is the size of the pieces input is cut into; 0 means 8 MiB.
	ChunkSize int
	// Objects are remote inputs (S3 objects, CloudWatch Logs groups) read
	// after the local sources, with the same parsers.
	Objects []Object
	// Prefetch bounds the remote objects opened ahead of the workers
	// reading them (their requests in flight while earlier objects are
	// parsed); 0 means 8, under the SDK client's 10 idle connections per
	// host so that connections are reused.
	Prefetch int
	// Progress, when set, is called about five times a second from its own
	// goroutine, and once at the end.
	Progress func(Progress)

	flushAt int // worker table size that triggers a flush; tests lower it
	// taskHook, when set, runs at the start of every chunk and stream a
	// worker takes: tests make it panic.
	taskHook     func()
	parquetLimit int64 // below MaxStreamedParquet in tests
}

// Progress is what Options.Progress reports.
type Progress struct {
	// Read is the input read so far in bytes as stored (compressed bytes
	// for gzip and Parquet); Total is the size of the inputs whose size is
	// known beforehand (files and listed objects; not stdin or CloudWatch).
	Read, Total int64
	// Done of Sources inputs are finished.
	Done, Sources int
}

// MaxWorkers bounds Options.Workers: each worker holds its own tables
// (a few MiB once busy), and parsing gains nothing past the core count.
const MaxWorkers = 256

// DefaultMaxBadRatio is the share of malformed lines tolerated by default.
const DefaultMaxBadRatio = 0.01

// TooManyBadLinesError reports a run above the bad-line threshold.
type TooManyBadLinesError struct {
	Bad, Lines int64
	Ratio      float64
	Examples   []BadLine
}

func (e *TooManyBadLinesError) Error() string {
	msg := fmt.Sprintf("%d of %d lines are not flow log records (more than %.4g%%)", e.Bad, e.Lines, e.Ratio*100)
	for _, b := range e.Examples {
		msg += "\n  " + b.String()
	}
	return msg
}

// Aggregate reads every source (files, folders walked recursively, "-" for
// stdin; plain text, gzip or Parquet, detected by content) and returns the
// observations. It streams: memory grows with distinct observations (and
// with flows the records alone cannot decide), not with input size. The
// result is the same whatever the worker count and source order.
//
// A source that fails part-way (a truncated gzip) still contributes what
// was read before the failure; the error names it, and the partial Result
// is returned with it.
func Aggregate(ctx context.Context, sources []string, opts Options) (*Result, error) {
	if opts.Workers < 0 || opts.Workers > MaxWorkers {
		return nil, fmt.Errorf("%d workers: expected 1 to %d (0 means one per core)", opts.Workers, MaxWorkers)
	}
	var srcs []*source
	var skipped []string
	if len(sources) > 0 || len(opts.Objects) == 0 {
		var err error
		if srcs, skipped, err = expandSources(sources); err != nil {
			return nil, err
		}
	}
	for _, o := range opts.Objects {
		s := &source{name: o.Name(), obj: o}
		if fo, ok := o.(FormattedObject); ok {
			s.def = fo.Format()
		}
		srcs = append(srcs, s)
	}
	nw := opts.Workers
	if nw == 0 {
		nw = min(runtime.GOMAXPROCS(0), MaxWorkers)
	}
	if opts.MaxBadExamples <= 0 {
		opts.MaxBadExamples = 10
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 8 << 20
	}
	if opts.Format == nil {
		opts.Format = DefaultFormat()
	}
	pc := newPortClasses(opts.ServicePorts)
	var since, until int64
	if !opts.Since.IsZero() {
		since = opts.Since.Unix()
	}
	if !opts.Until.IsZero() {
		until = opts.Until.Unix()
	}

	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &pipeline{ctx: ctx, cancel: cancel, opts: &opts, srcs: srcs,
		tasks: make(chan task, 4*nw), chunks: make(chan *chunk),
		streamsDone: make(chan struct{}), book: newLineBook(len(srcs))}
	if len(opts.Objects) > 0 {
		n := opts.Prefetch
		if n <= 0 {
			n = 8
		}
		p.pre = make([]chan opened, len(srcs))
		p.slots = make(chan struct{}, n)
	}
	st := newStore()
	workers := make([]*worker, nw)
	var wg sync.WaitGroup
	for i := range workers {
		workers[i] = newWorker(st, pc, since, until, opts.MaxBadExamples)
		if opts.flushAt > 0 {
			workers[i].flushAt = opts.flushAt
		}
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			p.run(w)
			w.flushPending() // the merge reads the worker's own tables too
		}(workers[i])
	}
	stopProgress := p.startProgress()
	p.produce()
	wg.Wait()
	stopProgress()
	p.panics.Rethrow() // a bug in a worker: the command reports it (exit 3)

	res := merge(workers, st, opts.Inventory)
	stats := &res.Stats
	stats.Files = len(srcs)
	stats.SkippedFiles = skipped
	stats.BadLineExamples = p.book.examples(srcs, opts.MaxBadExamples)
	errs := p.errors()
	if err := outer.Err(); err != nil {
		errs = append([]error{err}, errs...)
	}
	ratio := opts.MaxBadRatio
	if ratio == 0 {
		ratio = DefaultMaxBadRatio
	}
	if total := stats.BadLines + stats.Records + stats.NoData + stats.SkipData + stats.OutsideTimeRange; ratio >= 0 && stats.BadLines > 0 &&
		float64(stats.BadLines) > ratio*float64(total) {
		errs = append(errs, &TooManyBadLinesError{Bad: stats.BadLines, Lines: total, Ratio: ratio, Examples: stats.BadLineExamples})
	}
	return res, errors.Join(errs...)
}

// lineBook turns chunk-relative line numbers into file lines.
type lineBook struct {
	mu     sync.Mutex
	counts [][]int64 // by source, by chunk sequence
	bad    []badLine
}

func newLineBook(n int) *lineBook { return &lineBook{counts: make([][]int64, n)} }

func (b *lineBook) done(r chunkResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.counts[r.src]
	for len(c) <= r.seq {
		c = append(c, 0)
	}
	c[r.seq] = r.lines
	b.counts[r.src] = c
	b.bad = append(b.bad, r.bad...)
}

func (b *lineBook) examples(srcs []*source, max int) []BadLine {
	type abs struct {
		src  int
		line int64
		why  string
	}
	all := make([]abs, 0, len(b.bad))
	for _, bl := range b.bad {
		var before int64
		for _, n := range b.counts[bl.src][:bl.seq] {
			before += n
		}
		all = append(all, abs{bl.src, before + bl.line, bl.reason})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].src != all[j].src {
			return all[i].src < all[j].src
		}
		return all[i].line < all[j].line
	})
	if len(all) > max {
		all = all[:max]
	}
	out := make([]BadLine, len(all))
	for i, a := range all {
		out[i] = BadLine{File: srcs[a.src].name, Line: a.line, Reason: a.why}
	}
	return out
}
