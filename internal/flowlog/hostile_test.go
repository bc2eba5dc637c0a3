package flowlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"
)

// Inputs built to make a reader crash, hang or blow up memory (issue #10).
// Each must end quickly with the damage counted or refused.

const hostileRec = "2 123456789010 eni-1 10.0.0.1 10.0.0.2 40000 443 6 1 100 1700000000 1700000060 ACCEPT OK\n"

// gzBytes compresses b at the fastest level.
func gzBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// badStrings renders the bad-line examples.
func badStrings(st *Stats) []string {
	var out []string
	for _, b := range st.BadLineExamples {
		out = append(out, b.String())
	}
	return out
}

// TestLongLines: a 20 MB line in gzip, on stdin and in a plain file is one
// malformed line, named by its line number, and the records around it are
// read. Streamed, such a line used to be copied again for every 64 KiB read
// (quadratic: 12 s for 20 MB); now it is skipped without being held.
func TestLongLines(t *testing.T) {
	t.Parallel()
	long := bytes.Repeat([]byte{'x'}, 20<<20)
	var b bytes.Buffer
	b.WriteString(hostileRec)
	b.Write(long)
	b.WriteString("\n" + hostileRec)
	b.Write(long[:MaxLineLength+1]) // the last line, without its newline
	text := b.Bytes()
	dir := t.TempDir()
	gzPath := writeFile(t, dir, "long.log.gz", string(gzBytes(t, text)))
	plain := writeFile(t, dir, "long.log", string(text))
	for _, tc := range []struct {
		name string
		src  string
		opts Options
	}{
		{"gzip", gzPath, Options{}},
		{"gzip small chunks", gzPath, Options{ChunkSize: 100}},
		{"stdin", "-", Options{Stdin: bytes.NewReader(text)}},
		{"stdin one byte at a time", "-", Options{Stdin: io.MultiReader(bytes.NewReader(text[:200]), &oneByte{text[200 : 200+MaxLineLength+10]}, bytes.NewReader(text[200+MaxLineLength+10:]))}},
		{"mapped", plain, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.MaxBadRatio = -1
			res := aggregate(t, []string{tc.src}, tc.opts)
			want := []string{tc.src + ":2: longer than 65536 bytes", tc.src + ":4: longer than 65536 bytes"}
			equalLines(t, badStrings(&res.Stats), want)
			if res.Stats.Records != 2 || res.Stats.BadLines != 2 || res.Stats.Lines != 4 {
				t.Errorf("records %d, bad %d, lines %d; want 2, 2, 4", res.Stats.Records, res.Stats.BadLines, res.Stats.Lines)
			}
		})
	}
}

// oneByte returns its data one byte per Read.
type oneByte struct{ b []byte }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = o.b[0]
	o.b = o.b[1:]
	return 1, nil
}

// TestLongLineBoundaries: a line of exactly MaxLineLength bytes is parsed
// (and refused as a record for what it holds), one byte more is too long;
// the same whether the first, a middle or the last line, streamed or mapped.
func TestLongLineBoundaries(t *testing.T) {
	t.Parallel()
	for _, n := range []int{MaxLineLength - 1, MaxLineLength, MaxLineLength + 1, MaxLineLength + 70000} {
		line := strings.Repeat("y", n)
		for _, text := range []string{line + "\n" + hostileRec, hostileRec + line + "\n" + hostileRec, hostileRec + line} {
			var got [][]string
			for _, src := range []struct {
				name string
				opts Options
			}{{writeFile(t, t.TempDir(), "f.log", text), Options{}},
				{"-", Options{Stdin: strings.NewReader(text)}},
				{writeFile(t, t.TempDir(), "f.log.gz", string(gzBytes(t, []byte(text)))), Options{ChunkSize: 1}}} {
				src.opts.MaxBadRatio = -1
				res := aggregate(t, []string{src.name}, src.opts)
				bad := badStrings(&res.Stats)
				for i := range bad {
					bad[i] = strings.TrimPrefix(bad[i], src.name)
				}
				got = append(got, append(bad, fmt.Sprint(res.Stats.Records, res.Stats.Lines)))
			}
			for _, g := range got[1:] {
				equalLines(t, g, got[0])
			}
			if long := strings.Contains(strings.Join(got[0], " "), "longer than"); long != (n > MaxLineLength) {
				t.Errorf("line of %d bytes: %v", n, got[0])
			}
		}
	}
}

// TestGzipOfZeros: 64 MiB of zero bytes, no newline, compressed to a few
// hundred KiB (a 1 MB such file holds about 1 GB), is one long line read
// through in constant memory; it used to grow one buffer to the whole
// stream, copying it again for every 64 KiB.
func TestGzipOfZeros(t *testing.T) {
	t.Parallel()
	p := writeFile(t, t.TempDir(), "zeros.gz", string(gzBytes(t, make([]byte, 64<<20))))
	res := aggregate(t, []string{p}, Options{MaxBadRatio: -1})
	equalLines(t, badStrings(&res.Stats), []string{p + ":1: longer than 65536 bytes"})
	if res.Stats.BytesRead != 64<<20 {
		t.Errorf("bytes read %d, want %d", res.Stats.BytesRead, 64<<20)
	}
}

// TestSpecialFiles: named pipes and devices are refused by type, never
// opened for reading: named as a source, an error; in a folder, skipped
// with a note; a link is followed to a regular file only.
func TestSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := writeFile(t, dir, "a.log", hostileRec)
	fifo := filepath.Join(dir, "b.log")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	if err := os.Symlink(fifo, filepath.Join(dir, "c.log")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(good, filepath.Join(dir, "d.log")); err != nil {
		t.Fatal(err)
	}
	res := aggregate(t, []string{dir}, Options{})
	want := []string{fifo + ": a named pipe (FIFO), not a regular file",
		filepath.Join(dir, "c.log") + ": a symbolic link to a named pipe (FIFO), not a regular file"}
	equalLines(t, res.Stats.SkippedFiles, want)
	if res.Stats.Files != 2 || res.Stats.Records != 2 {
		t.Errorf("files %d, records %d; want 2 and 2 (a.log and the link to it)", res.Stats.Files, res.Stats.Records)
	}
	for _, src := range []string{fifo, filepath.Join(dir, "c.log"), "/dev/zero"} {
		if _, err := os.Stat(src); err != nil {
			continue
		}
		_, err := Aggregate(context.Background(), []string{src}, Options{})
		if err == nil || !strings.Contains(err.Error(), src+" is a ") || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: err = %v, want a refusal by type", src, err)
		}
	}
	// A regular file replaced by a pipe after the walk is refused at open,
	// without waiting for a writer.
	if _, _, err := openRegular(fifo); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("openRegular(fifo) = %v", err)
	}
}

// TestWorkersBound: a worker count past MaxWorkers (each costs tables of
// its own) or below zero is refused before anything is read.
func TestWorkersBound(t *testing.T) {
	t.Parallel()
	p := writeFile(t, t.TempDir(), "a.log", hostileRec)
	for _, n := range []int{-1, MaxWorkers + 1, 20000} {
		if _, err := Aggregate(context.Background(), []string{p}, Options{Workers: n}); err == nil || !strings.Contains(err.Error(), "expected 1 to 256") {
			t.Errorf("workers %d: err = %v", n, err)
		}
	}
	aggregate(t, []string{p}, Options{Workers: MaxWorkers})
}

// TestParquetBounded: a Parquet file is read in place, not loaded; one
// that only starts like Parquet fails at once, whatever its size; Parquet
// on stdin is refused past its limit; a corrupt or cut file is an error.
func TestParquetBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.parquet")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("PAR1")
	if err := f.Truncate(1 << 30); err != nil { // sparse: 1 GiB on disk for free
		t.Fatal(err)
	}
	f.Close()
	var footer bytes.Buffer
	footer.WriteString("PAR1")
	footer.Write(make([]byte, 100))
	footer.Write([]byte{0xf0, 0xff, 0xff, 0xff})
	footer.WriteString("PAR1")
	claims := writeFile(t, dir, "claims.parquet", footer.String())
	valid := validParquet(t)
	cut := writeFile(t, dir, "cut.parquet", string(valid[:len(valid)/2]))
	garbled := bytes.Clone(valid)
	for i := 4; i < len(garbled)-8; i += 7 {
		garbled[i] ^= 0x5a
	}
	bad := writeFile(t, dir, "garbled.parquet", string(garbled))
	for _, tc := range []struct{ src, want string }{
		{huge, "does not end with the PAR1 footer"},
		{claims, "the footer claims 4294967280 bytes"},
		{cut, "does not end with the PAR1 footer"},
		{bad, "not a readable Parquet file"},
	} {
		_, err := Aggregate(context.Background(), []string{tc.src}, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.src+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.src, err, tc.want)
		}
	}
	// stdin: read whole up to the limit, refused past it.
	res := aggregate(t, []string{"-"}, Options{Stdin: bytes.NewReader(valid)})
	if res.Stats.Records != 2 {
		t.Errorf("stdin Parquet: %d records, want 2", res.Stats.Records)
	}
	_, err = Aggregate(context.Background(), []string{"-"}, Options{Stdin: bytes.NewReader(valid), parquetLimit: int64(len(valid) - 1)})
	if err == nil || !strings.Contains(err.Error(), "name the file instead") {
		t.Errorf("stdin Parquet past the limit: err = %v", err)
	}
}

// validParquet is a two-row flow log Parquet object.
func validParquet(t *testing.T) []byte {
	t.Helper()
	s := func(v string) *string { return &v }
	i32 := func(v int32) *int32 { return &v }
	i64 := func(v int64) *int64 { return &v }
	rows := []pqRow{
		{Version: 2, AccountID: "1", InterfaceID: "eni-1", Srcaddr: s("10.0.0.1"), Dstaddr: s("10.0.0.2"), Srcport: i32(40000), Dstport: i32(443),
			Protocol: i32(6), Packets: i64(1), Bytes: i64(100), Start: 1700000000, End: 1700000060, Action: s("ACCEPT"), LogStatus: "OK"},
		{Version: 2, AccountID: "1", InterfaceID: "eni-1", Srcaddr: s("10.0.0.2"), Dstaddr: s("10.0.0.1"), Srcport: i32(443), Dstport: i32(40000),
			Protocol: i32(6), Packets: i64(1), Bytes: i64(100), Start: 1700000000, End: 1700000060, Action: s("ACCEPT"), LogStatus: "OK"},
	}
	var b bytes.Buffer
	if err := parquet.Write(&b, rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPiecesReaderAt holds the stdin Parquet reader to bytes.Reader.
func TestPiecesReaderAt(t *testing.T) {
	t.Parallel()
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	var pr piecesReaderAt
	for _, n := range []int{1, 5, 0, 7, 23} {
		pr.add(data[pr.size : pr.size+int64(n)])
	}
	ref := bytes.NewReader(data)
	for off := int64(-1); off <= int64(len(data))+2; off++ {
		for n := 0; n <= len(data)+1; n++ {
			a, b := make([]byte, n), make([]byte, n)
			na, ea := pr.ReadAt(a, off)
			nb, eb := ref.ReadAt(b, off)
			if na != nb || !bytes.Equal(a, b) || (ea == nil) != (eb == nil) {
				t.Fatalf("ReadAt(%d bytes, %d) = %d %v %q, want %d %v %q", n, off, na, ea, a[:na], nb, eb, b[:nb])
			}
		}
	}
}

// TestHeaderRefusals: a first line that is a header walls cannot use is an
// error naming the file, line 1, the field and why, not a format silently
// replaced by the default one.
func TestHeaderRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const rec = "2 eni-1 10.0.0.1 10.0.0.2\n"
	for i, tc := range []struct{ header, want string }{
		{"version interface-id srcaddr srcaddr", `field "srcaddr" appears twice (columns 3 and 4)`},
		{"version interface-id tcp-flags srcaddr dstaddr tcp_flags", `column 6 "tcp_flags" is field tcp-flags again (column 3 "tcp-flags")`},
		{"version interface-id srcadr dstaddr srcport dstport protocol action", `lacks the required field srcaddr (it names fields walls does not know: "srcadr"); observations need interface-id, srcaddr, dstaddr, srcport, dstport, protocol and action`},
		{"version srcaddr dstaddr srcport dstport protocol action", "lacks the required field interface-id;"},
		{"version interface-id srcaddr dstaddr dst-port protocol action", `lacks the required fields srcport, dstport (it names fields walls does not know: "dst-port")`},
		{"version Interface-ID srcaddr dstaddr", `column 2 "Interface-ID" is not a field name (lower-case letters, digits, - and _, starting with a letter); did you mean "interface-id"?`},
		{"version interface-id srcaddr dstaddr $foo", `column 5 "$foo" is not a field name`},
	} {
		text := tc.header + "\n" + rec
		for _, src := range []struct {
			name string
			opts Options
		}{{writeFile(t, dir, fmt.Sprintf("h%d.log", i), text), Options{}},
			{writeFile(t, dir, fmt.Sprintf("h%d.log.gz", i), string(gzBytes(t, []byte(text)))), Options{}},
			{"-", Options{Stdin: strings.NewReader(text)}}} {
			_, err := Aggregate(context.Background(), []string{src.name}, src.opts)
			want := src.name + ":1: header line refused: "
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q from %s: err = %v\nwant %s...%s", tc.header, src.name, err, want, tc.want)
			}
		}
	}
	// Records are never taken for a header, whatever the format.
	for _, line := range []string{hostileRec, "eni-1 10.0.0.1 10.0.0.2 ACCEPT OK egress S3", "eni-1 - - - - - NODATA", "vpc-1 subnet-2 i-3 eni-4 IPv4 us-east-1"} {
		if _, isHeader, err := parseHeader(strings.TrimSpace(line)); isHeader {
			t.Errorf("%q taken for a header: %v", line, err)
		}
	}
	if _, err := Aggregate(context.Background(), []string{writeFile(t, dir, "ok.log", hostileRec)}, Options{}); err != nil {
		t.Errorf("a file of records: %v", err)
	}
	var tm *TooManyBadLinesError
	if _, err := Aggregate(context.Background(), []string{writeFile(t, dir, "data.log", "foo bar\n"+hostileRec)}, Options{MaxBadRatio: 0.9}); err != nil && !errors.As(err, &tm) {
		t.Errorf("a first line that is no header: %v", err)
	}
}
