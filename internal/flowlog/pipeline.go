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

	"github.com/walls-dev/walls/internal/readfile"
	"github.com/walls-dev/walls/internal/safe"
)

// source is one input: a file, stdin or a remote object.
type source struct {
	name  string // as reported in messages
	stdin bool
	obj   Object  // a remote object, read through its own reader
	def   *Format // field order without a header line; nil for Options.Format
}

// MaxLineLength is the longest line read as a record, in bytes (its newline
// not counted). Real records are well under 1 KiB; a
// longer line is one malformed line ("longer than 65536 bytes"), and a
// streamed reader (gzip, stdin) skips to its end without holding it, so
// no line, however long, costs more than a fixed buffer.
const MaxLineLength = 64 << 10

// errLongLine is the reason given for a line longer than MaxLineLength.
var errLongLine = fmt.Errorf("longer than %d bytes", MaxLineLength)

// expandSources resolves arguments into files: "-" is stdin, a folder is
// walked recursively in lexical order (hidden entries skipped), a file is
// itself. Only regular files are read: a special file (named pipe, device,
// socket) named as a source is refused, one met in a folder is skipped and
// reported in skipped, as is a symbolic link that does not lead to a
// regular file (folders are not followed through links).
func expandSources(args []string) (out []*source, skipped []string, err error) {
	if len(args) == 0 {
		return nil, nil, errors.New("no flow log source given")
	}
	for _, a := range args {
		if a == "-" {
			out = append(out, &source{name: "-", stdin: true})
			continue
		}
		fi, err := os.Stat(a)
		if err != nil {
			return nil, nil, fmt.Errorf("flow log source %s: %w", a, errors.Unwrap(err))
		}
		if fi.Mode().IsRegular() {
			out = append(out, &source{name: a})
			continue
		}
		if !fi.IsDir() {
			return nil, nil, fmt.Errorf("flow log source %s is %s, not a regular file or folder; to read a stream, pipe it to standard input and name - instead", a, readfile.NotRegular(fi.Mode()))
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
			switch t := d.Type(); {
			case t.IsRegular():
				files = append(files, p)
			case t.IsDir():
			case t&fs.ModeSymlink != 0:
				fi, err := os.Stat(p)
				switch {
				case err != nil:
					skipped = append(skipped, fmt.Sprintf("%s: a symbolic link that leads nowhere (%v)", p, errors.Unwrap(err)))
				case fi.Mode().IsRegular():
					files = append(files, p)
				case fi.IsDir():
					skipped = append(skipped, p+": a symbolic link to a folder (not followed)")
				default:
					skipped = append(skipped, fmt.Sprintf("%s: a symbolic link to %s, not a regular file", p, readfile.NotRegular(fi.Mode())))
				}
			default:
				skipped = append(skipped, fmt.Sprintf("%s: %s, not a regular file", p, readfile.NotRegular(t)))
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("flow log folder %s: %w", a, err)
		}
		sort.Strings(files)
		for _, f := range files {
			out = append(out, &source{name: f})
		}
	}
	return out, skipped, nil
}

// openRegular opens a source found to be a regular file, refusing it if it
// is no longer one (replaced since the walk): opening never waits for a
// pipe's writer (openNoWait), and the type is checked on the open file.
func openRegular(name string) (*os.File, os.FileInfo, error) {
	f, err := openNoWait(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, errors.Unwrap(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, errors.Unwrap(err))
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is %s, not a regular file", name, readfile.NotRegular(fi.Mode()))
	}
	return f, fi, nil
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

	pre   []chan opened // remote objects opened ahead, by source
	slots chan struct{} // bounds pre
	read  atomic.Int64  // input bytes consumed, for Options.Progress
	done  atomic.Int64  // sources finished, for Options.Progress

	// A panic in a worker (a bug) is kept here and raised again by
	// Aggregate; cancel winds the run down meanwhile, and the worker goes
	// on taking tasks so that nothing waits for it.
	panics safe.Group
	cancel context.CancelFunc
}

// catch is deferred around one task: see panics.
func (p *pipeline) catch() {
	if r := recover(); r != nil {
		p.panics.Record(r)
		p.cancel()
	}
}

// startProgress reports progress until the returned function is called.
func (p *pipeline) startProgress() (stop func()) {
	if p.opts.Progress == nil {
		return func() {}
	}
	var total int64
	for _, s := range p.srcs {
		switch {
		case s.obj != nil:
			total += max(s.obj.Size(), 0)
		case s.stdin:
		default:
			if fi, err := os.Stat(s.name); err == nil && fi.Mode().IsRegular() {
				total += fi.Size()
			}
		}
	}
	report := func() {
		p.opts.Progress(Progress{Read: p.read.Load(), Total: total, Done: int(p.done.Load()), Sources: len(p.srcs)})
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer p.catch()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				report()
				return
			case <-t.C:
				report()
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
		if !s.stdin && s.obj == nil && p.mapText(i, s) {
			continue
		}
		if s.obj != nil && !p.rangedParquet(s) && !p.prefetch(i, s) {
			break
		}
		p.streamWG.Add(1)
		p.tasks <- task{stream: i}
	}
	close(p.tasks)
	p.streamWG.Wait()
	close(p.streamsDone)
}

// opened is a remote object opened ahead of the worker that reads it.
type opened struct {
	rc  io.ReadCloser
	err error
}

// prefetch opens object i in the background, within Options.Prefetch
// objects open at once, so that request latency overlaps the parsing of
// the objects before it. It returns false when the run was cancelled.
func (p *pipeline) prefetch(i int, s *source) bool {
	select {
	case p.slots <- struct{}{}:
	case <-p.ctx.Done():
		return false
	}
	ch := make(chan opened, 1)
	p.pre[i] = ch // written before the task is queued: the worker sees it
	go func() {
		rc, err := s.obj.Open(p.ctx)
		ch <- opened{rc, err}
	}()
	return true
}

// rangedParquet reports whether an object is read by ranged reads.
func (p *pipeline) rangedParquet(s *source) bool {
	_, ranged := s.obj.(RangeObject)
	return ranged && s.obj.Size() >= 0 && looksParquet(s.name)
}

// mapText memory-maps a plain-text file and queues its chunks. It returns
// false when the file must be streamed instead (compressed, Parquet, not
// mappable), and true when it was queued or failed (the error recorded).
func (p *pipeline) mapText(i int, s *source) (queued bool) {
	f, fi, err := openRegular(s.name)
	if err != nil {
		p.fail(i, err)
		p.done.Add(1)
		return true
	}
	defer f.Close()
	if fi.Size() == 0 {
		p.done.Add(1)
		return true // empty file: nothing to do
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
	format, skip, header, err := p.detectFormat(data, i)
	if err != nil {
		unmap()
		p.fail(i, fmt.Errorf("%s:1: %w", s.name, err))
		p.done.Add(1)
		return true
	}
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
			p.done.Add(1)
		}
	}
	for seq, d := range pieces {
		p.tasks <- task{c: &chunk{src: i, seq: seq, f: format, data: d, skipFirst: skip && seq == 0, header: header,
			done: func() { release(d); done() }, mapped: true}}
	}
	return true
}

// detectFormat reads the first line: a header line gives the format,
// anything else means the source's own (a FormattedObject) or the
// configured one. A header line walls cannot use
// is an error naming the field at fault: reading the file in another
// format would misread every record.
func (p *pipeline) detectFormat(data []byte, src int) (f *Format, skipFirst bool, header []byte, err error) {
	first := data
	if j := bytes.IndexByte(first, '\n'); j >= 0 {
		first = first[:j]
	}
	first = bytes.TrimRight(first, "\r")
	if len(first) > 0 && (first[0] < '0' || first[0] > '9') && len(first) <= MaxLineLength {
		hf, isHeader, err := parseHeader(string(first))
		if err == nil {
			return hf, true, bytes.Clone(first), nil
		}
		if isHeader {
			return nil, false, nil, fmt.Errorf("header line refused: %w", err)
		}
	}
	if def := p.srcs[src].def; def != nil {
		return def, false, nil, nil
	}
	return p.opts.Format, false, nil, nil
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
				p.streamTask(w, t.stream)
			}
		case c := <-p.chunks:
			p.parseChunk(w, c)
		}
	}
}

func (p *pipeline) streamTask(w *worker, i int) {
	defer p.streamWG.Done()
	defer p.done.Add(1)
	defer p.catch()
	if p.opts.taskHook != nil {
		p.opts.taskHook()
	}
	p.stream(w, i)
}

func (p *pipeline) parseChunk(w *worker, c *chunk) {
	defer c.done()
	defer p.catch()
	if p.opts.taskHook != nil {
		p.opts.taskHook()
	}
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
	var at io.ReaderAt
	var size int64
	if s.obj != nil {
		p.streamObject(w, i, s)
		return
	}
	if s.stdin {
		if p.opts.Stdin == nil {
			p.fail(i, errors.New("-: no standard input"))
			return
		}
		in = p.opts.Stdin
	} else {
		f, fi, err := openRegular(s.name)
		if err != nil {
			p.fail(i, err)
			return
		}
		defer f.Close()
		in, at, size = f, f, fi.Size()
	}
	p.decode(w, i, in, at, size, false)
}

// streamObject reads a remote object: Parquet by ranged reads when its
// name says so and its first bytes agree, anything else as a stream.
func (p *pipeline) streamObject(w *worker, i int, s *source) {
	ro, ranged := s.obj.(RangeObject)
	size := s.obj.Size()
	var rc io.ReadCloser
	var err error
	if ch := p.pre[i]; ch != nil {
		defer func() { <-p.slots }()
		o := <-ch
		rc, err = o.rc, o.err
	}
	if p.rangedParquet(s) {
		at := ro.ReaderAt(p.ctx)
		var magic [4]byte
		if n, _ := at.ReadAt(magic[:], 0); n == 4 && string(magic[:]) == "PAR1" {
			if err := p.readParquet(w, i, countingReaderAt{at, &p.read}, size, remoteParquetBuffer); err != nil {
				p.fail(i, fmt.Errorf("%s: %w", s.name, err))
			}
			return
		}
	}
	if rc == nil && err == nil {
		rc, err = s.obj.Open(p.ctx)
	}
	if err != nil {
		p.fail(i, fmt.Errorf("%s: %w", s.name, err))
		return
	}
	defer rc.Close()
	var at io.ReaderAt
	if ranged && size >= 0 {
		at = ro.ReaderAt(p.ctx)
	}
	p.decode(w, i, rc, at, size, true)
}

// decode reads one source by its content: gzip and plain text as
// streams, Parquet through at when there is one (else held in memory,
// within MaxStreamedParquet).
func (p *pipeline) decode(w *worker, i int, in io.Reader, at io.ReaderAt, size int64, remote bool) {
	s := p.srcs[i]
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
		var err error
		if at != nil {
			buf := 0
			if remote {
				buf = remoteParquetBuffer
			}
			err = p.readParquet(w, i, countingReaderAt{at, &p.read}, size, buf)
		} else {
			err = p.readParquetStream(w, i, br)
		}
		if err != nil {
			p.fail(i, fmt.Errorf("%s: %w", s.name, err))
		}
	default:
		p.streamText(w, i, br)
	}
}

// countingReaderAt counts the bytes read through it into n.
type countingReaderAt struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c countingReaderAt) ReadAt(b []byte, off int64) (int, error) {
	k, err := c.r.ReadAt(b, off)
	c.n.Add(int64(k))
	return k, err
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

// streamText cuts a text stream into newline-aligned chunks. Each buffer
// holds the start of the line the previous one cut (at most MaxLineLength
// bytes) and at least 64 KiB more, so buffers have a fixed size and every
// read moves on. A line longer than MaxLineLength is counted as one
// malformed line and skipped up to its newline through a small scratch
// buffer: it is never held, whatever its length.
func (p *pipeline) streamText(w *worker, i int, r io.Reader) {
	name := p.srcs[i].name
	var carry []byte
	var format *Format
	var header []byte
	var scratch []byte
	var pending error // the reader's error, met while skipping a long line
	skip := false
	longs := 0 // long lines given as examples
	for seq := 0; ; seq++ {
		if p.ctx.Err() != nil {
			return
		}
		buf := p.getBuf(len(carry) + 1<<16)
		b := *buf
		n := copy(b, carry)
		err := pending
		if err == nil {
			var m int
			m, err = readUntil(r, b[n:])
			n += m
		}
		data := b[:n]
		cut := n
		if err != io.EOF {
			cut = bytes.LastIndexByte(data, '\n') + 1
		}
		long := err == nil && n-cut > MaxLineLength // the last line is too long
		if cut == 0 && !long && err == nil {
			// The buffer holds no newline yet: read on with the line's start.
			carry = append(carry[:0], data...)
			p.bufs.Put(buf)
			seq--
			continue
		}
		carry = append(carry[:0], data[cut:]...)
		if long {
			carry = carry[:0]
		}
		if format == nil {
			if cut == 0 && long { // the first line is too long: not a header
				format = p.opts.Format
			} else {
				var ferr error
				if format, skip, header, ferr = p.detectFormat(data, i); ferr != nil {
					p.bufs.Put(buf)
					p.fail(i, fmt.Errorf("%s:1: %w", name, ferr))
					return
				}
			}
		}
		if cut > 0 || !long {
			c := &chunk{src: i, seq: seq, f: format, data: data[:cut], skipFirst: skip && seq == 0, header: header,
				done: func() { p.bufs.Put(buf) }}
			select {
			case p.chunks <- c:
			default:
				p.parseChunk(w, c)
			}
			if long {
				seq++
			}
		} else {
			p.bufs.Put(buf)
		}
		if long {
			if scratch == nil {
				scratch = make([]byte, 64<<10)
			}
			var rest []byte
			var skipped int64
			rest, skipped, err = p.skipLine(r, scratch)
			p.longLine(w, i, seq, &longs, int64(n-cut)+skipped)
			carry = append(carry, rest...)
			pending = err // the next round reads no more and ends on it
			continue
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

// skipLine reads r up to and including the next newline, through scratch.
// It returns what scratch holds after that newline, the bytes skipped, and
// the reader's error (io.EOF when the stream ends first).
func (p *pipeline) skipLine(r io.Reader, scratch []byte) (rest []byte, skipped int64, err error) {
	for {
		if err := p.ctx.Err(); err != nil {
			return nil, skipped, err
		}
		m, err := r.Read(scratch)
		if j := bytes.IndexByte(scratch[:m], '\n'); j >= 0 {
			return scratch[j+1 : m], skipped + int64(j+1), err
		}
		skipped += int64(m)
		if err != nil {
			return nil, skipped, err
		}
	}
}

// longLine counts a streamed line longer than MaxLineLength as the only
// line of chunk seq, with an example for the first few of the source.
func (p *pipeline) longLine(w *worker, i, seq int, examples *int, size int64) {
	res := chunkResult{src: i, seq: seq, lines: 1}
	w.n.lines++
	w.n.bad++
	w.n.bytes += size
	if *examples < w.maxExamples {
		*examples++
		res.bad = []badLine{{src: i, seq: seq, line: 1, reason: errLongLine.Error()}}
	}
	p.book.done(res)
}
