package flowlog

import (
	"context"
	"os"
	"strings"
	"testing"
)

var benchLine = []byte("5 10.0.1.10 10.0.2.17 44297 8080 6 1767225600 1767225626 IPv4 4 5404 123456789012 vpc-0a1b2c3d4e5f60718 subnet-00000000000000001 i-00000000000000100 eni-0aaa0000000000100 us-east-1 use1-az1 - - ACCEPT 3 10.0.1.10 10.0.2.17 - - 1 egress OK")

const benchHeader = "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status"

// BenchmarkParseV5 measures the line parser alone; it must not allocate.
func BenchmarkParseV5(b *testing.B) {
	f, err := ParseHeader(benchHeader)
	if err != nil {
		b.Fatal(err)
	}
	var r Record
	b.SetBytes(int64(len(benchLine) + 1))
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Parse(benchLine, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddRecord measures parse plus fold into the worker tables.
func BenchmarkAddRecord(b *testing.B) {
	f, _ := ParseHeader(benchHeader)
	w := newWorker(newStore(), newPortClasses(nil), 0, 0, 10)
	data := []byte(strings.Repeat(string(benchLine)+"\n", 1000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		w.parseText(f, data, false, nil, 0, 0)
	}
}

// BenchmarkAggregateFile runs Aggregate on the corpus named by
// WALLS_BENCH_FLOWS (see bench/observe.sh); skipped without it.
func BenchmarkAggregateFile(b *testing.B) {
	path := os.Getenv("WALLS_BENCH_FLOWS")
	if path == "" {
		b.Skip("WALLS_BENCH_FLOWS not set")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	for b.Loop() {
		if _, err := Aggregate(context.Background(), []string{path}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCorpus returns the first size bytes (whole lines) of the corpus named
// by WALLS_BENCH_FLOWS; the benchmark is skipped without it.
func benchCorpus(b *testing.B, size int) []byte {
	path := os.Getenv("WALLS_BENCH_FLOWS")
	if path == "" {
		b.Skip("WALLS_BENCH_FLOWS not set")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	data := make([]byte, size)
	n, _ := f.Read(data)
	data = data[:n]
	return data[:strings.LastIndexByte(string(data), '\n')+1]
}

// BenchmarkParseChunk parses and folds the first 32 MiB of the corpus named
// by WALLS_BENCH_FLOWS (real variety: the fact table is realistic).
func BenchmarkParseChunk(b *testing.B) {
	data := benchCorpus(b, 32<<20)
	hdr := data[:strings.IndexByte(string(data), '\n')]
	format, err := ParseHeader(string(hdr))
	if err != nil {
		b.Fatal(err)
	}
	w := newWorker(newStore(), newPortClasses(nil), 0, 0, 10)
	w.flushAt = 1 << 30
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		w.parseText(format, data, true, nil, 0, 0)
	}
}
