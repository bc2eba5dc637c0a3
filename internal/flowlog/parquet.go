package flowlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// MaxStreamedParquet is the largest Parquet object read from standard
// input. Parquet is read by its footer, which comes last, so a stream must
// be held in memory whole; a named file is read in place instead, one
// column chunk at a time, whatever its size.
const MaxStreamedParquet = 256 << 20

// readParquetStream reads a Parquet object from a stream (stdin) into
// memory, up to MaxStreamedParquet bytes, in pieces that are never copied
// again (so memory is the object's size, not twice it).
func (p *pipeline) readParquetStream(w *worker, i int, r io.Reader) error {
	var pieces piecesReaderAt
	for {
		b := make([]byte, 1<<20)
		n, err := readUntil(r, b)
		if n > 0 {
			pieces.add(b[:n])
		}
		if limit := p.opts.parquetLimit; pieces.size > MaxStreamedParquet || limit > 0 && pieces.size > limit {
			return fmt.Errorf("Parquet on standard input is held in memory to be read, and this one is larger than %d MiB: name the file instead", MaxStreamedParquet>>20)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return p.readParquet(w, i, &pieces, pieces.size, 0)
}

// piecesReaderAt reads at offsets of consecutive byte slices.
type piecesReaderAt struct {
	pieces [][]byte
	starts []int64
	size   int64
}

func (pr *piecesReaderAt) add(b []byte) {
	pr.pieces = append(pr.pieces, b)
	pr.starts = append(pr.starts, pr.size)
	pr.size += int64(len(b))
}

func (pr *piecesReaderAt) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= pr.size {
		return 0, io.EOF
	}
	k := sort.Search(len(pr.starts), func(j int) bool { return pr.starts[j] > off }) - 1
	n := 0
	for ; k >= 0 && k < len(pr.pieces) && n < len(b); k++ {
		from := off + int64(n) - pr.starts[k]
		n += copy(b[n:], pr.pieces[k][from:])
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// readParquet reads a flow log Parquet object as AWS delivers it: one
// column per field, named with underscores (account_id, tcp_flags, …),
// strings and integers, missing values as null or "-" (docs/semantics.md#flowlog-fields). Each row
// becomes a text record in the column order and goes through the same
// decoder as text, so validation is identical. The object is read through
// r, not loaded: memory holds the footer and the pages being decoded.
//
// A malformed object is an error, never a crash: the footer's claimed size
// is checked against the file's before anything is allocated for it, and a
// panic of the Parquet decoder on corrupt data is turned into an error.
//
// bufSize is the decoder's read size (0 for its default, right for local
// files; remote objects read larger pieces, each read being a request).
func (p *pipeline) readParquet(w *worker, i int, r io.ReaderAt, size int64, bufSize int) (err error) {
	res := chunkResult{src: i}
	var ln int64
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("not a readable Parquet file: corrupt data (%v)", v)
		}
		w.n.lines += ln
		res.lines = ln
		p.book.done(res)
	}()
	if err := checkParquetFooter(r, size); err != nil {
		return fmt.Errorf("not a readable Parquet file: %w", err)
	}
	popts := []parquet.FileOption{parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true)}
	if bufSize > 0 {
		popts = append(popts, parquet.ReadBufferSize(bufSize), parquet.OptimisticRead(true))
	}
	pf, err := parquet.OpenFile(r, size, popts...)
	if err != nil {
		return fmt.Errorf("not a readable Parquet file: %w", err)
	}
	cols := pf.Schema().Columns()
	names := make([]string, len(cols))
	for c, path := range cols {
		if len(path) != 1 {
			return fmt.Errorf("column %v is nested; flow log Parquet has flat columns", path)
		}
		names[c] = path[0]
	}
	format, err := newFormat(names)
	if err != nil {
		return fmt.Errorf("columns %v: %w", names, err)
	}
	rows := make([]parquet.Row, 256)
	var line []byte
	for _, rg := range pf.RowGroups() {
		rr := rg.Rows()
		for {
			n, err := rr.ReadRows(rows)
			for _, row := range rows[:n] {
				ln++
				line = line[:0]
				for c := range names {
					if c > 0 {
						line = append(line, ' ')
					}
					line = appendValue(line, row, c)
				}
				w.n.bytes += int64(len(line))
				if perr := format.Parse(line, &w.rec); perr != nil {
					w.n.bad++
					if len(res.bad) < w.maxExamples {
						res.bad = append(res.bad, badLine{src: i, line: ln, reason: "row: " + perr.Error()})
					}
					continue
				}
				w.addRecord(format, &w.rec)
			}
			w.maybeFlush()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rr.Close()
				return err
			}
			if p.ctx.Err() != nil {
				rr.Close()
				return nil
			}
		}
		rr.Close()
	}
	return nil
}

// checkParquetFooter checks the end of a Parquet object: the magic and a
// footer length that fits in the object (the decoder would allocate
// whatever length it claims).
func checkParquetFooter(r io.ReaderAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("%d bytes, too short for a Parquet file", size)
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	if string(tail[4:]) != "PAR1" {
		return fmt.Errorf("it does not end with the PAR1 footer (truncated?)")
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-12 {
		return fmt.Errorf("the footer claims %d bytes, more than the file holds", n)
	}
	return nil
}

// appendValue renders column c of row as flow log text: "-" for null.
func appendValue(b []byte, row parquet.Row, c int) []byte {
	if c < len(row) && row[c].Column() == c { // flat rows hold one value per column, in order
		return appendOne(b, row[c])
	}
	for _, v := range row {
		if v.Column() == c {
			return appendOne(b, v)
		}
	}
	return append(b, '-')
}

// appendOne renders one value: "-" for null or empty, integers in decimal.
func appendOne(b []byte, v parquet.Value) []byte {
	if v.IsNull() {
		return append(b, '-')
	}
	switch v.Kind() {
	case parquet.Int32:
		return strconv.AppendInt(b, int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case parquet.ByteArray, parquet.FixedLenByteArray:
		s := v.ByteArray()
		if len(s) == 0 {
			return append(b, '-')
		}
		return append(b, s...)
	}
	return append(b, v.String()...)
}
