package flowlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// memObject is an in-memory Object; ranged reads are counted.
type memObject struct {
	name   string
	data   []byte
	opens  atomic.Int32
	ranged atomic.Int32
}

func (m *memObject) Name() string { return m.name }
func (m *memObject) Size() int64  { return int64(len(m.data)) }
func (m *memObject) Open(context.Context) (io.ReadCloser, error) {
	m.opens.Add(1)
	return io.NopCloser(bytes.NewReader(m.data)), nil
}
func (m *memObject) ReaderAt(context.Context) io.ReaderAt { return countingAt{m} }

type countingAt struct{ m *memObject }

func (c countingAt) ReadAt(b []byte, off int64) (int, error) {
	c.m.ranged.Add(1)
	return bytes.NewReader(c.m.data).ReadAt(b, off)
}

// streamOnly is an Object without ranged reads.
type streamOnly struct{ *memObject }

func (s streamOnly) ReaderAt() {}

type formatted struct {
	*memObject
	f *Format
}

func (f formatted) Format() *Format { return f.f }

// Objects read the same as the same bytes in files: text, gzip, Parquet.
func TestObjectsEqualFiles(t *testing.T) {
	t.Parallel()
	v5s3, err := os.ReadFile("testdata/aws/v5-s3.log")
	if err != nil {
		t.Fatal(err)
	}
	contents := map[string][]byte{
		"a/plain.log":       v5s3,
		"a/z.log.gz":        gz(t, string(v5s3)+"this is not a record\n"),
		"b/flows.parquet":   validParquet(t),
		"b/handmade.log.gz": gz(t, strings.Replace(handmadeV2, "\n", "\n", 1)),
	}
	dir := t.TempDir()
	var files []string
	var objs []Object
	var pq *memObject
	for _, name := range []string{"a/plain.log", "a/z.log.gz", "b/flows.parquet", "b/handmade.log.gz"} {
		files = append(files, writeFile(t, dir, name, string(contents[name])))
		o := &memObject{name: "s3://bucket/" + name, data: contents[name]}
		if strings.HasSuffix(name, ".parquet") {
			pq = o
		}
		objs = append(objs, o)
	}
	want := aggregate(t, files, Options{MaxBadRatio: -1})
	var last Progress
	got := aggregate(t, nil, Options{Objects: objs, MaxBadRatio: -1, Progress: func(p Progress) { last = p }})
	equalLines(t, rows(got), rows(want))
	if got.Stats.Records != want.Stats.Records || got.Stats.BadLines != want.Stats.BadLines || got.Stats.BadLines != 1 {
		t.Errorf("stats: got %d records %d bad, want %d and %d", got.Stats.Records, got.Stats.BadLines, want.Stats.Records, want.Stats.BadLines)
	}
	if len(got.Stats.BadLineExamples) != 1 || got.Stats.BadLineExamples[0].File != "s3://bucket/a/z.log.gz" ||
		got.Stats.BadLineExamples[0].Line != want.Stats.BadLineExamples[0].Line {
		t.Errorf("bad lines %v, want one in s3://bucket/a/z.log.gz at line %d", got.Stats.BadLineExamples, want.Stats.BadLineExamples[0].Line)
	}
	if pq.opens.Load() != 0 || pq.ranged.Load() == 0 {
		t.Errorf("Parquet object: %d whole reads, %d ranged reads; want ranged reads only", pq.opens.Load(), pq.ranged.Load())
	}
	var total int64
	for _, c := range contents {
		total += int64(len(c))
	}
	if last.Done != 4 || last.Sources != 4 || last.Total != total {
		t.Errorf("progress %+v, want 4 of 4 done, total %d", last, total)
	}

	// Mixed: local files and objects together count each once.
	mixed := aggregate(t, files[:2], Options{Objects: objs[2:], MaxBadRatio: -1})
	equalLines(t, rows(mixed), rows(want))
}

// A Parquet object without a .parquet name, or without ranged reads, is
// still read by its content.
func TestObjectParquetByContent(t *testing.T) {
	t.Parallel()
	data := validParquet(t)
	want := aggregate(t, []string{writeFile(t, t.TempDir(), "x.parquet", string(data))}, Options{})
	for _, o := range []Object{&memObject{name: "s3://b/noext", data: data}, streamOnly{&memObject{name: "s3://b/x.parquet", data: data}}} {
		got := aggregate(t, nil, Options{Objects: []Object{o}})
		equalLines(t, rows(got), rows(want))
		if got.Stats.Records != 2 || got.Stats.Records != want.Stats.Records {
			t.Errorf("%s: %d records, want 2", o.Name(), got.Stats.Records)
		}
	}
}

// A FormattedObject's format applies to it alone; files keep the
// configured one.
func TestFormattedObject(t *testing.T) {
	t.Parallel()
	v5, err := ParseLogFormat(hmV5Format)
	if err != nil {
		t.Fatal(err)
	}
	want := aggregate(t, []string{writeFile(t, t.TempDir(), "v5.log", handmadeV5)}, Options{Format: v5})
	file := writeFile(t, t.TempDir(), "v2.log", handmadeV2)
	wantV2 := aggregate(t, []string{file}, Options{})
	o := formatted{&memObject{name: "cloudwatch://g", data: []byte(handmadeV5)}, v5}
	got := aggregate(t, nil, Options{Objects: []Object{o}})
	equalLines(t, rows(got), rows(want))
	both := aggregate(t, []string{file}, Options{Objects: []Object{o}})
	if len(both.Observations) < len(wantV2.Observations) || both.Stats.BadLines != 0 {
		t.Errorf("file and formatted object: %d observations, %d bad lines", len(both.Observations), both.Stats.BadLines)
	}
}

// gateObject's Open blocks the first object until `want` opens have
// started, and tracks the objects open at once.
type gateObject struct {
	*memObject
	first            bool
	started, release chan struct{}
	open, maxOpen    *atomic.Int32
	want             int
}

func (g *gateObject) Open(ctx context.Context) (io.ReadCloser, error) {
	n := g.open.Add(1)
	for {
		m := g.maxOpen.Load()
		if n <= m || g.maxOpen.CompareAndSwap(m, n) {
			break
		}
	}
	g.started <- struct{}{}
	if g.first {
		select {
		case <-g.release:
		case <-time.After(5 * time.Second):
			return nil, errors.New("no other object was opened while the first one was")
		}
	}
	rc, _ := g.memObject.Open(ctx)
	return closer{rc, g.open}, nil
}

type closer struct {
	io.ReadCloser
	open *atomic.Int32
}

func (c closer) Close() error { c.open.Add(-1); return c.ReadCloser.Close() }

// Remote objects are opened ahead of the workers, within Options.Prefetch.
func TestPrefetch(t *testing.T) {
	t.Parallel()
	const bound = 3
	var open, maxOpen atomic.Int32
	started, release := make(chan struct{}, 100), make(chan struct{})
	var objs []Object
	for i := range 20 {
		objs = append(objs, &gateObject{memObject: &memObject{name: fmt.Sprintf("s3://b/%02d.log", i), data: []byte(handmadeV2)},
			first: i == 0, started: started, release: release, open: &open, maxOpen: &maxOpen})
	}
	go func() {
		for range bound {
			<-started
		}
		close(release) // the first open may finish once `bound` have started
		for range started {
		}
	}()
	res, err := Aggregate(context.Background(), nil, Options{Objects: objs, Workers: 1, Prefetch: bound})
	close(started)
	if err != nil {
		t.Fatal(err)
	}
	if m := maxOpen.Load(); m > bound || m < 2 {
		t.Errorf("at most %d objects open at once, want 2 to %d", m, bound)
	}
	if res.Stats.Files != 20 || res.Stats.Records == 0 {
		t.Errorf("%d sources, %d records", res.Stats.Files, res.Stats.Records)
	}
}
