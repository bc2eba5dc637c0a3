package flowlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// readParquet reads a flow log Parquet object as AWS delivers it: one
// column per field, named with underscores (account_id, tcp_flags, …),
// strings and integers, missing values as null or "-" (spec 3.7). Each row
// becomes a text record in the column order and goes through the same
// decoder as text, so validation is identical.
func (p *pipeline) readParquet(w *worker, i int, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
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
	res := chunkResult{src: i}
	rows := make([]parquet.Row, 256)
	var line []byte
	var ln int64
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
				w.n.lines += ln
				res.lines = ln
				p.book.done(res)
				return err
			}
		}
		rr.Close()
	}
	w.n.lines += ln
	res.lines = ln
	p.book.done(res)
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
