package flowlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGzipAndFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	half := strings.SplitAfterN(handmadeV2, "\n", 3)
	writeFile(t, dir, "a/1.log", half[0]+half[1])
	writeFile(t, dir, "b/c/2.log.gz", string(gz(t, half[2])))
	writeFile(t, dir, ".hidden/3.log", "garbage that must not be read\n")
	res := aggregate(t, []string{dir}, Options{})
	want := aggregate(t, []string{writeFile(t, t.TempDir(), "all.log", handmadeV2)}, Options{})
	equalLines(t, rows(res), rows(want))
	if res.Stats.Files != 2 {
		t.Errorf("files = %d, want 2", res.Stats.Files)
	}
}

func TestTruncatedGzip(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "2 123456789012 eni-0a0000000000000001 10.0.1.10 203.0.113.%d %d 443 6 8 900 1700000010 1700000040 ACCEPT OK\n", i%250, 32768+i%20000)
	}
	z := gz(t, b.String())
	p := writeFile(t, t.TempDir(), "cut.log.gz", string(z[:len(z)*2/3]))
	res, err := Aggregate(context.Background(), []string{p}, Options{ChunkSize: 64 << 10})
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("error = %v, want one naming %s as truncated", err, p)
	}
	if res == nil || res.Stats.Records == 0 || res.Stats.Records >= 20000 || res.Stats.BadLines != 0 {
		t.Fatalf("the good part must be read, and only it: %+v", res.Stats)
	}
}

func TestBadLines(t *testing.T) {
	t.Parallel()
	data := "version interface-id srcaddr dstaddr srcport dstport protocol action\n" +
		"2 eni-1 10.0.0.1 10.0.0.2 40000 443 6 ACCEPT\n" +
		"2 eni-1 10.0.0.1 10.0.0.2 40000 443 6\n" + // line 3: short
		"2 eni-1 10.0.0.1 10.0.0.999 40000 443 6 ACCEPT\n" + // line 4: address
		"2 eni-1 10.0.0.1 10.0.0.2 40000 70000 6 ACCEPT\n" + // line 5: port
		"2 eni-1 10.0.0.1 10.0.0.2 40000 443 6 MAYBE\n" // line 6: action
	p := writeFile(t, t.TempDir(), "bad.log", data)
	_, err := Aggregate(context.Background(), []string{p}, Options{})
	var tm *TooManyBadLinesError
	if !errors.As(err, &tm) || tm.Bad != 4 {
		t.Fatalf("err = %v, want 4 bad lines over the threshold", err)
	}
	res, err := Aggregate(context.Background(), []string{p}, Options{MaxBadRatio: -1, ChunkSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range res.Stats.BadLineExamples {
		got = append(got, b.String())
	}
	want := []string{
		p + ":3: 7 fields, the format has 8",
		p + ":4: dstaddr: not an IPv4 or IPv6 address",
		p + ":5: dstport: number too large",
		p + ":6: action: want ACCEPT, REJECT or -",
	}
	equalLines(t, got, want)
	if res.Stats.Records != 1 {
		t.Errorf("records = %d, want 1", res.Stats.Records)
	}
}

// pqRow is a flow log Parquet row as AWS writes it: underscored names,
// strings and integers, absent values as nulls.
type pqRow struct {
	Version     int32   `parquet:"version"`
	AccountID   string  `parquet:"account_id"`
	InterfaceID string  `parquet:"interface_id"`
	Srcaddr     *string `parquet:"srcaddr,optional"`
	Dstaddr     *string `parquet:"dstaddr,optional"`
	Srcport     *int32  `parquet:"srcport,optional"`
	Dstport     *int32  `parquet:"dstport,optional"`
	Protocol    *int32  `parquet:"protocol,optional"`
	Packets     *int64  `parquet:"packets,optional"`
	Bytes       *int64  `parquet:"bytes,optional"`
	Start       int64   `parquet:"start"`
	End         int64   `parquet:"end"`
	Action      *string `parquet:"action,optional"`
	LogStatus   string  `parquet:"log_status"`
	TCPFlags    *int32  `parquet:"tcp_flags,optional"`
	FlowDir     *string `parquet:"flow_direction,optional"`
}

func TestParquet(t *testing.T) {
	t.Parallel()
	v5, _ := ParseLogFormat(hmV5Format)
	var rowsIn []pqRow
	var rec Record
	for _, line := range strings.Split(strings.TrimSpace(handmadeV5), "\n") {
		if err := v5.Parse([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		s := func(s string) *string { return &s }
		i32 := func(v int64) *int32 { x := int32(v); return &x }
		i64 := func(v uint64) *int64 { x := int64(v); return &x }
		act := "ACCEPT"
		if rec.Action == ActionReject {
			act = "REJECT"
		}
		dir := "ingress"
		if rec.FlowDirection == FlowEgress {
			dir = "egress"
		}
		rowsIn = append(rowsIn, pqRow{Version: 5, AccountID: "123456789012", InterfaceID: string(rec.InterfaceID),
			Srcaddr: s(rec.SrcAddr.String()), Dstaddr: s(rec.DstAddr.String()), Srcport: i32(int64(rec.SrcPort)),
			Dstport: i32(int64(rec.DstPort)), Protocol: i32(int64(rec.Protocol)), Packets: i64(rec.Packets),
			Bytes: i64(rec.Bytes), Start: rec.Start, End: rec.End, Action: s(act), LogStatus: "OK",
			TCPFlags: i32(int64(rec.TCPFlags)), FlowDir: s(dir)})
	}
	rowsIn = append(rowsIn, pqRow{Version: 5, AccountID: "123456789012", InterfaceID: hmENI, Start: 1, End: 2, LogStatus: "NODATA"})
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[pqRow](&buf, parquet.Compression(&parquet.Gzip))
	if _, err := w.Write(rowsIn); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "flows.log.parquet", buf.String())
	res := aggregate(t, []string{p}, Options{})
	want := aggregate(t, []string{writeFile(t, t.TempDir(), "v5.log", handmadeV5)}, Options{Format: v5})
	equalLines(t, rows(res), rows(want))
	if res.Stats.NoData != 1 {
		t.Errorf("nodata = %d, want 1", res.Stats.NoData)
	}
}

// The result must not depend on worker count, chunking or source order.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var srcs []string
	for i, name := range []string{"v3-tcpflags.log", "v5-s3.log", "v2-ping.log", "tgw.log", "nat.log"} {
		b, err := os.ReadFile(filepath.Join("testdata/aws", name))
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, writeFile(t, dir, fmt.Sprintf("%d.log", i), string(b)))
	}
	srcs = append(srcs, writeFile(t, dir, "hm.log", handmadeV2))
	srcs = append(srcs, writeFile(t, dir, "undecided.log.gz", string(gz(t, strings.Repeat(
		"2 1 eni-9 10.0.9.9 10.0.8.8 20001 7000 6 1 1 5 6 ACCEPT OK\n2 1 eni-9 10.0.8.8 10.0.9.9 7000 20001 6 1 1 4 6 ACCEPT OK\n", 500)))))
	inv := eniInv(map[string][]string{"eni-33333333333333333": {"10.40.2.236"}})
	base := aggregate(t, srcs, Options{Workers: 1, Inventory: inv})
	if len(base.Observations) < 5 {
		t.Fatalf("too few observations to compare: %v", rows(base))
	}
	for _, workers := range []int{2, 3, 8} {
		rev := make([]string, len(srcs))
		for i, s := range srcs {
			rev[len(srcs)-1-i] = s
		}
		got := aggregate(t, rev, Options{Workers: workers, ChunkSize: 97, Inventory: inv, flushAt: workers - 1})
		got.Stats.BadLineExamples, base.Stats.BadLineExamples = nil, nil
		if !reflect.DeepEqual(got.Observations, base.Observations) || !reflect.DeepEqual(got.Stats, base.Stats) {
			t.Errorf("workers=%d: results differ:\n%v\n%+v\nvs\n%v\n%+v", workers, rows(got), got.Stats, rows(base), base.Stats)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	if got := DefaultFormat().String(); got != DefaultLogFormat {
		t.Errorf("default format = %q", got)
	}
	h, err := ParseHeader("version account-id interface-id srcaddr dstaddr srcport dstport protocol action future-field")
	if err != nil || h.Len() != 10 || h.Column(9) != FieldUnknown || h.Version() != 2 {
		t.Errorf("header with an unknown field: %v %v", h, err)
	}
	v5, _ := ParseLogFormat(hmV5Format)
	if v5.Version() != 5 {
		t.Errorf("version = %d, want 5", v5.Version())
	}
	for _, bad := range []string{"", "version srcaddr", "${version} ${version} ${interface-id} ${srcaddr} ${dstaddr}", "$version"} {
		if _, err := ParseLogFormat(bad); err == nil {
			t.Errorf("ParseLogFormat(%q) accepted", bad)
		}
	}
	for _, notHeader := range []string{"2 123456789010 eni-1 1.2.3.4", "", "Version Interface-Id"} {
		if _, err := ParseHeader(notHeader); err == nil {
			t.Errorf("ParseHeader(%q) accepted", notHeader)
		}
	}
	for f := Field(1); f < numFields; f++ {
		if g, ok := LookupField(strings.ReplaceAll(f.String(), "-", "_")); !ok || g != f {
			t.Errorf("LookupField(%s) = %v", f, g)
		}
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	p := writeFile(t, t.TempDir(), "flows.log", handmadeV2)
	var last Progress
	aggregate(t, []string{p}, Options{Progress: func(pr Progress) { last = pr }})
	if want := (Progress{Read: int64(len(handmadeV2)), Total: int64(len(handmadeV2)), Done: 1, Sources: 1}); last != want {
		t.Errorf("progress %+v, want %+v", last, want)
	}
}

// Concatenated S3 objects repeat the header line: it is not a bad line.
func TestRepeatedHeader(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/aws/v5-s3.log")
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "cat.log", string(data)+string(data))
	res := aggregate(t, []string{p}, Options{})
	if res.Stats.BadLines != 0 || res.Stats.Records != 4 {
		t.Errorf("stats %+v", res.Stats)
	}
}

// A SKIPDATA window of the interface makes overlapping observations
// heuristic: their handshake may be among the skipped records.
func TestSkipDataLowersConfidence(t *testing.T) {
	t.Parallel()
	v5, _ := ParseLogFormat(hmV5Format)
	skip := "5 123456789012 " + hmENI + " - - - - - - - 1700000030 1700000050 - SKIPDATA - - - -\n"
	p := writeFile(t, t.TempDir(), "flows.log", handmadeV5+skip)
	res := aggregate(t, []string{p}, Options{Format: v5})
	equalLines(t, rows(res), []string{
		hmENI + " outbound tcp/443 203.0.113.50 accept heuristic flows=2 pkts=38 bytes=42900",
		hmENI + " inbound tcp/22 198.51.100.7 accept heuristic flows=4 pkts=31 bytes=6300",
		// the probe at 1700000020 is outside the skipped window
		hmENI + " inbound tcp/3389 192.0.2.99 reject exact flows=1 pkts=1 bytes=44",
	})
	if res.Stats.SkipData != 1 || len(res.Stats.SkipDataInterfaces) != 1 {
		t.Errorf("stats %+v", res.Stats)
	}
}

// A line longer than the read buffer (and than MaxLineLength) in a stream
// is skipped and reported as one bad line, between good ones.
func TestStreamLongLine(t *testing.T) {
	t.Parallel()
	lines := strings.SplitAfter(handmadeV2, "\n")
	data := lines[0] + strings.Repeat("x", 300<<10) + "\n" + lines[1]
	p := writeFile(t, t.TempDir(), "long.log.gz", string(gz(t, data)))
	res, err := Aggregate(context.Background(), []string{p}, Options{ChunkSize: 1 << 10, MaxBadRatio: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Records != 2 || res.Stats.BadLines != 1 || len(res.Stats.BadLineExamples) != 1 || res.Stats.BadLineExamples[0].Line != 2 {
		t.Errorf("stats %+v", res.Stats)
	}
}
