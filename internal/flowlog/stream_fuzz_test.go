package flowlog

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// FuzzStreamLines builds text from a shape - records, lines just under, at
// and past MaxLineLength, much longer ones, garbage, blank lines, CRs, a
// last line with or without its newline - and reads it three ways: as a
// mapped file, from stdin in pieces whose sizes the fuzzer picks, and
// gzip-compressed, with a chunk size it picks too. All three must agree on
// the records, the lines, the bytes and every bad line's number and
// reason, and exactly the lines past MaxLineLength are reported as too
// long.
func FuzzStreamLines(f *testing.F) {
	f.Add([]byte{0, 2, 1, 3, 0}, []byte{255, 3}, uint16(200))
	f.Add([]byte{10, 18, 26, 34, 0x82}, []byte{0}, uint16(0))
	f.Add([]byte{3, 5, 4, 6, 0, 0x83}, []byte{7, 200, 1}, uint16(65535))
	f.Fuzz(func(t *testing.T, shape, cuts []byte, chunk uint16) {
		if len(shape) > 48 {
			shape = shape[:48]
		}
		var b strings.Builder
		longs := 0
		for i, c := range shape {
			if b.Len() > 2<<20 {
				break
			}
			var line string
			switch c & 7 {
			case 0, 1:
				line = fmt.Sprintf("2 123456789010 eni-%d 10.0.0.1 10.0.0.2 %d 443 6 1 100 1700000000 1700000060 ACCEPT OK", c%3, 30000+i)
			case 2:
				line = strings.Repeat("y", MaxLineLength-2+int(c>>3)%5)
			case 3:
				line = strings.Repeat("z", MaxLineLength+1+int(c>>3)*4099)
			case 4:
				line = "x"
			case 5:
				line = ""
			case 6:
				line = fmt.Sprintf("2 123456789010 eni-1 10.0.0.2 10.0.0.1 443 %d 6 1 100 1700000000 1700000060 ACCEPT OK\r", 30000+i)
			case 7:
				line = "2 123456789010 eni-1 - - - - - - - 1700000000 1700000060 - NODATA"
			}
			if len(line) > MaxLineLength {
				longs++
			}
			b.WriteString(line)
			if i < len(shape)-1 || c&0x80 == 0 {
				b.WriteByte('\n')
			}
		}
		text := b.String()
		dir := t.TempDir()
		type view struct {
			name string
			opts Options
		}
		base := Options{MaxBadRatio: -1, ChunkSize: int(chunk) + 1, MaxBadExamples: 100}
		withStdin := base
		withStdin.Stdin = &cutReader{data: []byte(text), cuts: cuts}
		var got []string
		for _, v := range []view{
			{writeFile(t, dir, "f.log", text), base},
			{"-", withStdin},
			{writeFile(t, dir, "f.log.gz", string(gzBytes(t, []byte(text)))), base},
		} {
			res, err := Aggregate(context.Background(), []string{v.name}, v.opts)
			if err != nil {
				t.Fatalf("%s: %v", v.name, err)
			}
			st := &res.Stats
			if st.BytesRead != int64(len(text)) {
				t.Fatalf("%s: %d bytes read of %d", v.name, st.BytesRead, len(text))
			}
			var too int
			var bad []string
			for _, e := range st.BadLineExamples {
				if e.Reason == errLongLine.Error() {
					too++
				}
				bad = append(bad, strings.TrimPrefix(e.String(), v.name))
			}
			if too != longs {
				t.Fatalf("%s: %d lines reported too long, %d are: %v", v.name, too, longs, bad)
			}
			got = append(got, fmt.Sprintf("records %d lines %d bad %d nodata %d\n%s", st.Records, st.Lines, st.BadLines, st.NoData, strings.Join(bad, "\n")))
		}
		for i, g := range got[1:] {
			if g != got[0] {
				t.Fatalf("view %d differs from the mapped file:\n%s\nmapped:\n%s", i+1, g, got[0])
			}
		}
	})
}

// cutReader returns its data in pieces of the sizes cuts gives, in turn
// (each plus one byte).
type cutReader struct {
	data []byte
	cuts []byte
	k    int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(p)
	if len(c.cuts) > 0 {
		n = min(n, int(c.cuts[c.k%len(c.cuts)])*61+1)
		c.k++
	}
	n = copy(p, c.data[:min(n, len(c.data))])
	c.data = c.data[n:]
	return n, nil
}
