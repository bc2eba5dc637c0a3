package flowlog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
)

// source is one input: a file or stdin.
type source struct {
	name  string // as reported in messages
	stdin bool
}

// expandSources resolves arguments into files: "-" is stdin, a folder is
// walked recursively in lexical order (hidden entries skipped), a file is
// itself.
func expandSources(args []string) ([]*source, error) {
	if len(args) == 0 {
		return nil, errors.New("no flow log source given")
	}
	var out []*source
	for _, a := range args {
		if a == "-" {
			out = append(out, &source{name: "-", stdin: true})
			continue
		}
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("flow log source %s: %w", a, errors.Unwrap(err))
		}
		if !fi.IsDir() {
			out = append(out, &source{name: a})
			continue
		}
		var files []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != a && len(d.Name()) > 0 && d.Name()[0] == '.' {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("flow log folder %s: %w", a, err)
		}
		sort.Strings(files)
		for _, f := range files {
			out = append(out, &source{name: f})
		}
	}
	return out, nil
}

// chunk is a newline-aligned piece of text input.
type chunk struct {
	src, seq  int
	f         *Format
	data      []byte
	skipFirst bool
	header    []byte
	done      func()
	mapped    bool // a piece of a mapped file (counted as read when parsed)
}

// task is either a chunk of a memory-mapped file or a whole stream source
// (gzip, Parquet, stdin) that the worker taking it reads.
type task struct {
	c      *chunk
	stream int
}

type pipeline struct {
	ctx         context.Context
	opts        *Options
	srcs        []*source
	tasks       chan task
	chunks      chan *chunk // hand-off from stream readers to idle workers
	streamsDone chan struct{}
	streamWG    sync.WaitGroup
	book        *lineBook
	bufs        sync.Pool

	mu   sync.Mutex
	errs map[int]error

	read atomic.Int64 // input bytes consumed, for Options.Progress
}

// startProgress reports progress until the returned function is called.
func (p *pipeline) startProgress() (stop func()) {
	if p.opts.Progress == nil {
		return func() {}
	}
	var total int64
	for _, s := range p.srcs {
		if fi, err := os.Stat(s.name); err == nil && !s.stdin && fi.Mode().IsRegular() {
			total += fi.Size()
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				p.opts.Progress(p.read.Load(), total)
				return
			case <-t.C:
				p.opts.Progress(p.read.Load(), total)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// countingReader counts the bytes read through it into n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	k, err := c.r.Read(b)
	c.n.Add(int64(k))
	return k, err
}

func (p *pipeline) fail(src int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.errs == nil {
		p.errs = map[int]error{}
	}
	if p.errs[src] == nil {
		p.errs[src] = err
	}
}

// errors returns the source errors in source order.
func (p *pipeline) errors() []error {
	var out []error
	for i := range p.srcs {
		if e := p.errs[i]; e != nil {
			out = append(out, e)
		}
	}
	return out
}

// produce queues every source, then waits for the stream readers.
func (p *pipeline) produce() {
	for i, s := range p.srcs {
		if p.ctx.Err() != nil {
			break
		}
		if !s.stdin && p.mapText(i, s) {
			continue
		}
		p.streamWG.Add(1)
		p.tasks <- task{stream: i}
	}
	close(p.tasks)
	p.streamWG.Wait()
	close(p.streamsDone)
}

// mapText memory-maps a plain-text file and queues its chunks. It returns
// false when the file must be streamed instead (compressed, Parquet, not
// mappable), and true when it was queued or failed (the error recorded).
func (p *pipeline) mapText(i int, s *source) bool {
	f, err := os.Open(s.name)
	if err != nil {
		p.fail(i, fmt.Errorf("%s: %w", s.name, errors.Unwrap(err)))
		return true
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return fi != nil && fi.Mode().IsRegular() // empty file: nothing to do
	}
	var magic [4]byte
	if n, _ := f.ReadAt(magic[:], 0); n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b ||
		n == 4 && string(magic[:]) == "PAR1" {
		return false
	}
	data, unmap, err := mmapFile(f, fi.Size())
	if err != nil {
		return false
	}
	format, skip, header := p.detectFormat(data)
	size := p.opts.ChunkSize
	var pieces [][]byte
	for pos := 0; pos < len(data); {
		end := pos + size
		if end >= len(data) {
			end = len(data)
		} else if j := bytes.IndexByte(data[end:], '\n'); j < 0 {
			end = len(data)
		} else {
			end += j + 1
		}
		pieces = append(pieces, data[pos:end])
		pos = end
	}
	left := atomic.Int64{}
	left.Store(int64(len(pieces)))
	done := func() {
		if left.Add(-1) == 0 {
			unmap()
		}
	}
	for seq, d := range pieces {
		p.tasks <- task{c: &chunk{src: i, seq: seq, f: format, data: d, skipFirst: skip && seq == 0, header: header,
			done: func() { release(d); done() }, mapped: true}}
	}
	return true
}

// detectFormat reads the first line: a header line gives the format,
// anything else means the configured one.
func (p *pipeline) detectFormat(data []byte) (f *Format, skipFirst bool, header []byte) {
	first := data
	if j := bytes.IndexByte(first, '\n'); j >= 0 {
		first = first[:j]
	}
	first = bytes.TrimRight(first, "\r")
	if len(first) > 0 && (first[0] < '0' || first[0] > '9') && len(first) < 4096 {
		if hf, err := ParseHeader(string(first)); err == nil {
			return hf, true, bytes.Clone(first)
		}
	}
	return p.opts.Format, false, nil
}

// run is one worker's loop.
func (p *pipeline) run(w *worker) {
	tasks := p.tasks
	for {
		if tasks == nil {
			select {
			case c := <-p.chunks:
				p.parseChunk(w, c)
			case <-p.streamsDone:
				return
			}
			continue
		}
		select {
		case t, ok := <-tasks:
			if !ok {
				tasks = nil
				continue
			}
			if t.c != nil {
				p.parseChunk(w, t.c)
			} else {
				p.stream(w, t.stream)
				p.streamWG.Done()
			}
		case c := <-p.chunks:
			p.parseChunk(w, c)
		}
	}
}

func (p *pipeline) parseChunk(w *worker, c *chunk) {
	defer c.done()
	if p.ctx.Err() != nil {
		return
	}
	p.book.done(w.parseText(c.f, c.data, c.skipFirst, c.header, c.src, c.seq))
	if c.mapped {
		p.read.Add(int64(len(c.data)))
	}
}

func (p *pipeline) getBuf(min int) *[]byte {
	if b, ok := p.bufs.Get().(*[]byte); ok && len(*b) >= min {
		return b
	}
	b := make([]byte, max(min, p.opts.ChunkSize))
	return &b
}

// stream reads a source that is not memory-mapped: gzip, Parquet, stdin,
// pipes. Text is cut into newline-aligned chunks that idle workers take
// over, so one large gzip file keeps every core busy while this worker
// decompresses.
func (p *pipeline) stream(w *worker, i int) {
	s := p.srcs[i]
	var in io.Reader
	if s.stdin {
		if p.opts.Stdin == nil {
			p.fail(i, errors.New("-: no standard input"))
			return
		}
		in = p.opts.Stdin
	} else {
		f, err := os.Open(s.name)
		if err != nil {
			p.fail(i, fmt.Errorf("%s: %w", s.name, errors.Unwrap(err)))
			return
		}
		defer f.Close()
		in = f
	}
	br := bufio.NewReaderSize(countingReader{in, &p.read}, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			p.fail(i, fmt.Errorf("%s: not a valid gzip file: %w", s.name, err))
			return
		}
		defer zr.Close()
		p.streamText(w, i, zr)
	case string(magic) == "PAR1":
		if err := p.readParquet(w, i, br); err != nil {
			p.fail(i, fmt.Errorf("%s: %w", s.name, err))
		}
	default:
		p.streamText(w, i, br)
	}
}

// readUntil fills b from r until it is full, r ends (io.EOF) or fails.
func readUntil(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (p *pipeline) streamText(w *worker, i int, r io.Reader) {
	name := p.srcs[i].name
	var carry []byte
	var format *Format
	var header []byte
	skip := false
	for seq := 0; ; seq++ {
		if p.ctx.Err() != nil {
			return
		}
		buf := p.getBuf(len(carry) + 1<<16)
		b := *buf
		n := copy(b, carry)
		m, err := readUntil(r, b[n:])
		n += m
		data := b[:n]
		var cut int
		switch {
		case err == io.EOF:
			cut = n
		case err != nil:
			cut = bytes.LastIndexByte(data, '\n') + 1
		default:
			cut = bytes.LastIndexByte(data, '\n') + 1
			if cut == 0 { // a line longer than the buffer: read on with a bigger one
				carry = append(carry[:0], data...)
				p.bufs.Put(buf)
				seq--
				continue
			}
		}
		carry = append(carry[:0], data[cut:]...)
		if format == nil {
			format, skip, header = p.detectFormat(data)
		}
		c := &chunk{src: i, seq: seq, f: format, data: data[:cut], skipFirst: skip && seq == 0, header: header,
			done: func() { p.bufs.Put(buf) }}
		select {
		case p.chunks <- c:
		default:
			p.parseChunk(w, c)
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				p.fail(i, fmt.Errorf("%s: truncated (input ends inside compressed data); the records before the cut were read", name))
			} else {
				p.fail(i, fmt.Errorf("%s: %w; the records before the error were read", name, err))
			}
			return
		}
	}
}
