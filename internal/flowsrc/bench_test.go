//go:build unix

package flowsrc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/flowlog"
)

// BenchmarkS3Gzip reads 1,000 gzip objects (WALLS_BENCH_OBJECTS
// overrides it) of benchRecords records each, about 110 bytes a record
// (75 kB of gzip an object): benchBodies distinct bodies under 1,000
// dated keys, so that generating them stays quick.
var (
	benchOnce    sync.Once
	benchCorpus  corpus
	benchRecords = 5000
	benchBodies  = 40
)

func benchData(b *testing.B) corpus {
	benchOnce.Do(func() {
		n := 1000
		if v, err := strconv.Atoi(os.Getenv("WALLS_BENCH_OBJECTS")); err == nil && v > 0 {
			n = v
		}
		benchCorpus = corpus{}
		base := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
		bodies := make([][]byte, benchBodies)
		for i := range bodies {
			bodies[i] = gzipped(b, records(base.Add(time.Duration(i)*5*time.Minute), benchRecords, i))
		}
		for i := range n {
			ts := base.Add(time.Duration(i) * 5 * time.Minute)
			benchCorpus[std+ts.Format("2006/01/02/")+fileName("eu-west-1", ts, fmt.Sprintf("-%d.log.gz", i))] = bodies[i%len(bodies)]
		}
	})
	return benchCorpus
}

// BenchmarkS3Gzip: the same gzip objects from local files and from
// the S3 test server (listing included); compare the two MB/s figures
// (BENCHMARKS.md, "Flow logs from S3").
func BenchmarkS3Gzip(b *testing.B) {
	c := benchData(b)
	var size int64
	for _, v := range c {
		size += int64(len(v))
	}
	b.Run("local", func(b *testing.B) {
		dir := writeCorpus(b, c)
		b.SetBytes(size)
		defer cpuPerOp(b)()
		for b.Loop() {
			if _, err := flowlog.Aggregate(context.Background(), []string{filepath.Join(dir, "logs")}, flowlog.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("s3", func(b *testing.B) {
		s := awstest.NewS3(b)
		s.AddBucket("flowbucket", "eu-west-1")
		for k, v := range c {
			s.Put("flowbucket", k, v)
		}
		cfg := testConfig(s.URL, "eu-west-1")
		b.SetBytes(size)
		defer cpuPerOp(b)()
		for b.Loop() {
			l, err := ListS3(context.Background(), cfg, "s3://flowbucket/logs/", S3Options{})
			if err != nil {
				b.Fatal(err)
			}
			if len(l.Objects) != len(c) {
				b.Fatalf("%d objects listed, want %d", len(l.Objects), len(c))
			}
			if _, err := flowlog.Aggregate(context.Background(), nil, flowlog.Options{Objects: l.Objects}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuPerOp reports the process's CPU seconds (user and system) per
// operation: on a shared host the wall time follows the neighbours' load,
// the CPU time much less. The test server's work is included.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
