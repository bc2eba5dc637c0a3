package flowsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/klauspost/compress/gzip"
	"github.com/parquet-go/parquet-go"

	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/flowlog"
)

// testConfig is an SDK configuration reaching endpoint with fake
// credentials and the adaptive retry mode walls uses, without back-off
// delays.
func testConfig(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "not-a-secret", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return awstest.Retryer(6) },
	}
}

const testHeader = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags flow-direction"

// records generates n v5 records of one 5-minute file starting at t:
// clients connecting to two servers, with SYN flags and directions.
func records(t time.Time, n, seed int) string {
	var b strings.Builder
	b.WriteString(testHeader + "\n")
	for i := range n {
		start := t.Unix() + int64(i%240)
		client := fmt.Sprintf("198.51.%d.%d", (seed+i)%7, (seed*3+i)%250+1)
		port := []int{443, 22, 5432}[(seed+i)%3]
		eni := fmt.Sprintf("eni-0%016d", (seed+i)%3)
		b.WriteString(fmt.Sprintf("5 111122223333 %s %s 10.0.0.%d %d %d 6 %d %d %d %d ACCEPT OK 2 ingress\n",
			eni, client, (seed+i)%3+10, 40000+i%1000, port, i%9+1, 60*(i%9+1), start, start+50))
		if i%5 == 0 {
			b.WriteString("5 111122223333 - - - - - - - - 1 2 - NODATA - -\n")
		}
	}
	return b.String()
}

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type pqRow struct {
	Version     int32  `parquet:"version"`
	AccountID   string `parquet:"account_id"`
	InterfaceID string `parquet:"interface_id"`
	Srcaddr     string `parquet:"srcaddr"`
	Dstaddr     string `parquet:"dstaddr"`
	Srcport     int32  `parquet:"srcport"`
	Dstport     int32  `parquet:"dstport"`
	Protocol    int32  `parquet:"protocol"`
	Packets     int64  `parquet:"packets"`
	Bytes       int64  `parquet:"bytes"`
	Start       int64  `parquet:"start"`
	End         int64  `parquet:"end"`
	Action      string `parquet:"action"`
	LogStatus   string `parquet:"log_status"`
	TCPFlags    int32  `parquet:"tcp_flags"`
	FlowDir     string `parquet:"flow_direction"`
}

// parquetOf writes text records (testHeader order) as flow log Parquet,
// in several row groups so that reads are ranged.
func parquetOf(t testing.TB, text string) []byte {
	t.Helper()
	var rows []pqRow
	for _, line := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		var r pqRow
		var sp, dp, pr, fl int32
		if strings.Contains(line, "NODATA") {
			continue
		}
		if _, err := fmt.Sscanf(line, "%d %s %s %s %s %d %d %d %d %d %d %d %s %s %d %s", &r.Version, &r.AccountID, &r.InterfaceID,
			&r.Srcaddr, &r.Dstaddr, &sp, &dp, &pr, &r.Packets, &r.Bytes, &r.Start, &r.End, &r.Action, &r.LogStatus, &fl, &r.FlowDir); err != nil {
			t.Fatal(err)
		}
		r.Srcport, r.Dstport, r.Protocol, r.TCPFlags = sp, dp, pr, fl
		rows = append(rows, r)
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[pqRow](&b, parquet.Compression(&parquet.Gzip), parquet.MaxRowsPerRowGroup(50))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// corpus is a bucket's flow logs: key -> content.
type corpus map[string][]byte

const (
	std  = "logs/AWSLogs/111122223333/vpcflowlogs/eu-west-1/"
	hive = "logs/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-east-1/"
)

func fileName(region string, t time.Time, ext string) string {
	return fmt.Sprintf("111122223333_vpcflowlogs_%s_fl-0abc_%s_%08x%s", region, t.Format("20060102T1504Z"), t.Unix()&0xffffffff, ext)
}

// buildCorpus spreads files over three days in both layouts: gzip text
// (standard layout), Parquet and plain text (Hive layout, hourly).
func buildCorpus(t testing.TB) corpus {
	c := corpus{}
	base := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for d := range 3 {
		for h := 0; h < 24; h += 6 {
			ts := base.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
			seed := d*24 + h
			c[std+ts.Format("2006/01/02/")+fileName("eu-west-1", ts, ".log.gz")] = gzipped(t, records(ts, 120, seed))
			hdir := hive + ts.Format("year=2006/month=01/day=02/hour=15/")
			ts2 := ts.Add(5 * time.Minute)
			c[hdir+fileName("us-east-1", ts2, ".log.parquet")] = parquetOf(t, records(ts2, 150, seed+1))
			ts3 := ts.Add(10 * time.Minute)
			c[hdir+fileName("us-east-1", ts3, ".log")] = []byte(records(ts3, 40, seed+2))
		}
	}
	return c
}

// serve puts a corpus in a new bucket, with other services' and other
// tools' objects beside it that must not be read.
func serve(t testing.TB, c corpus, region string) *awstest.S3 {
	s := awstest.NewS3(t)
	s.AddBucket("flowbucket", region)
	for k, v := range c {
		s.Put("flowbucket", k, v)
	}
	s.Put("flowbucket", "logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/29/trail.json.gz", []byte("not flow logs"))
	s.Put("flowbucket", "logs/athena-results/q.csv", []byte("not,flow,logs\n"))
	return s
}

func writeCorpus(t testing.TB, c corpus) string {
	dir := t.TempDir()
	for k, v := range c {
		p := filepath.Join(dir, filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, v, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// localAndRemote aggregates the corpus as local files and the listed
// objects, with the same options.
func localAndRemote(t *testing.T, c corpus, objects []flowlog.Object, o flowlog.Options) (local, remote *flowlog.Result) {
	t.Helper()
	local, err := flowlog.Aggregate(context.Background(), []string{writeCorpus(t, c)}, o)
	if err != nil {
		t.Fatal(err)
	}
	o.Objects = objects
	remote, err = flowlog.Aggregate(context.Background(), nil, o)
	if err != nil {
		t.Fatal(err)
	}
	return local, remote
}

// summary renders a result for comparison: observations and counts.
func summary(t *testing.T, r *flowlog.Result) string {
	t.Helper()
	st := r.Stats
	st.Files = 0
	st.BadLineExamples = nil
	b, err := json.Marshal(struct {
		O []flowlog.Observation
		S flowlog.Stats
	}{r.Observations, st})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestS3EqualsLocal(t *testing.T) {
	t.Parallel()
	c := buildCorpus(t)
	s := serve(t, c, "eu-central-1")
	ctx := context.Background()
	l, err := ListS3(ctx, testConfig(s.URL, "us-east-1"), "s3://flowbucket/logs/", S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Objects) != len(c) || l.Layout != "AWSLogs" || l.Region != "eu-central-1" {
		t.Fatalf("listed %d objects (layout %s, region %s), want %d (AWSLogs, eu-central-1)", len(l.Objects), l.Layout, l.Region, len(c))
	}
	if !s.Signed("ListObjectsV2", "eu-central-1") || s.Signed("ListObjectsV2", "us-east-1") {
		t.Error("listing was not signed for the bucket's region alone")
	}
	if want := []string{
		"s3://flowbucket/logs/AWSLogs/111122223333/CloudTrail/: not VPC flow logs, not read",
		"s3://flowbucket/logs/athena-results/: outside AWSLogs/, not read",
	}; strings.Join(l.Notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(l.Notes, "\n"), strings.Join(want, "\n"))
	}
	local, remote := localAndRemote(t, c, l.Objects, flowlog.Options{})
	if len(local.Observations) == 0 || summary(t, local) != summary(t, remote) {
		t.Errorf("S3 and local results differ:\nlocal  %s\nremote %s", summary(t, local), summary(t, remote))
	}
	// About one GET per object: a small Parquet object's probe, footer and
	// column chunks are served from one fetched block.
	if got := s.Calls("GetObject"); got < len(c) || got > len(c)+12 {
		t.Errorf("%d GetObject calls for %d objects", got, len(c))
	}
}

// A narrow window lists only the folders that can hold it.
func TestS3Pruning(t *testing.T) {
	t.Parallel()
	c := buildCorpus(t)
	s := serve(t, c, "eu-west-1")
	s.MaxKeys = 2 // many pages: continuation tokens must work under pruning
	since := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	until := since.Add(30 * time.Minute)
	l, err := ListS3(context.Background(), testConfig(s.URL, "eu-west-1"), "s3://flowbucket/logs",
		S3Options{Window: Window{since, until}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range l.Objects {
		keys = append(keys, o.Name())
	}
	want := []string{
		"s3://flowbucket/" + hive + "year=2026/month=11/day=29/hour=12/" + fileName("us-east-1", since.Add(5*time.Minute), ".log.parquet"),
		"s3://flowbucket/" + hive + "year=2026/month=11/day=29/hour=12/" + fileName("us-east-1", since.Add(10*time.Minute), ".log"),
		"s3://flowbucket/" + std + "2026/11/29/" + fileName("eu-west-1", since, ".log.gz"),
	}
	sort.Strings(want)
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range s.ListedPrefixes() {
		for _, other := range []string{"/28/", "/30/", "day=28", "day=30", "hour=06", "hour=18", "CloudTrail"} {
			if strings.Contains(p, other) {
				t.Errorf("listed %s, outside the window", p)
			}
		}
	}
	if l.Pruned == 0 {
		t.Error("nothing counted as pruned")
	}
	// The same window over local files gives the same result.
	local, remote := localAndRemote(t, c, l.Objects, flowlog.Options{Since: since, Until: until})
	if got := s.Fetched(); len(got) != 3 {
		t.Errorf("objects read: %v, want the 3 listed", got)
	}
	lo, ro := local.Stats, remote.Stats
	if local.Stats.Records == 0 || fmt.Sprint(local.Observations) != fmt.Sprint(remote.Observations) || lo.Records != ro.Records {
		t.Errorf("pruned S3 read differs from local: %d vs %d records", lo.Records, ro.Records)
	}
}

// Throttling and 5xx are retried, a body cut mid-way is resumed: the
// result is still exact.
func TestS3Faults(t *testing.T) {
	t.Parallel()
	c := buildCorpus(t)
	s := serve(t, c, "eu-west-1")
	s.Fail("ListObjectsV2", 2, 503, "SlowDown")
	s.Fail("GetObject", 3, 500, "InternalError")
	s.Fail("HeadBucket", 1, 503, "SlowDown")
	var keys []string
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s.CutBody(keys[0], 2)
	ctx := context.Background()
	l, err := ListS3(ctx, testConfig(s.URL, "eu-west-1"), "s3://flowbucket/logs/", S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	local, remote := localAndRemote(t, c, l.Objects, flowlog.Options{})
	if summary(t, local) != summary(t, remote) {
		t.Error("S3 result under faults differs from local")
	}
	// Every object once, 3 failed attempts, 1 resumption (a ranged GET is
	// never cut by the server).
	if s.Calls("GetObject") != len(c)+3+1 {
		t.Errorf("%d GetObject calls: faults were not met", s.Calls("GetObject"))
	}
}

// A truncated gzip object is reported by name; the rest is read.
func TestS3TruncatedGzip(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	whole := gzipped(t, records(ts, 2000, 1))
	s := awstest.NewS3(t)
	s.AddBucket("flowbucket", "eu-west-1")
	cut := std + "2026/11/29/" + fileName("eu-west-1", ts, ".log.gz")
	s.Put("flowbucket", cut, whole[:len(whole)/2])
	s.Put("flowbucket", std+"2026/11/29/"+fileName("eu-west-1", ts.Add(time.Hour), ".log.gz"), gzipped(t, records(ts.Add(time.Hour), 10, 2)))
	l, err := ListS3(context.Background(), testConfig(s.URL, "eu-west-1"), "s3://flowbucket/logs/", S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := flowlog.Aggregate(context.Background(), nil, flowlog.Options{Objects: l.Objects})
	if err == nil || !strings.Contains(err.Error(), "s3://flowbucket/"+cut+": truncated") {
		t.Fatalf("error %v, want the truncated object named", err)
	}
	if res == nil || res.Stats.Records <= 10 {
		t.Fatalf("partial result missing: %+v", res)
	}
}

func TestS3Errors(t *testing.T) {
	t.Parallel()
	s := awstest.NewS3(t)
	s.AddBucket("closed-bucket", "eu-west-1")
	s.Deny("closed-bucket")
	cfg := testConfig(s.URL, "eu-west-1")
	for url, want := range map[string]string{
		"s3://missing-bucket/logs": "bucket missing-bucket does not exist",
		"s3://closed-bucket/logs":  "listing s3://closed-bucket/logs/ (ListObjectsV2): AccessDenied: Access Denied",
		"s3:///logs":               `"s3:///logs": no bucket`,
		"s3://":                    `"s3://": no bucket`,
	} {
		_, err := ListS3(context.Background(), cfg, url, S3Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", url, err, want)
		}
	}
}

// Without the delivery layout, every object under the prefix is read.
func TestS3Flat(t *testing.T) {
	t.Parallel()
	s := awstest.NewS3(t)
	s.AddBucket("flowbucket", "eu-west-1")
	ts := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	s.Put("flowbucket", "copied/a/one.log.gz", gzipped(t, records(ts, 10, 1)))
	s.Put("flowbucket", "copied/b/c/two.log", []byte(records(ts, 10, 2)))
	s.Put("flowbucket", "elsewhere/three.log", []byte(records(ts, 10, 3)))
	l, err := ListS3(context.Background(), testConfig(s.URL, "eu-west-1"), "s3://flowbucket/copied/", S3Options{Window: Window{Since: ts}})
	if err != nil {
		t.Fatal(err)
	}
	if l.Layout != "flat" || len(l.Objects) != 2 || l.Objects[0].Name() != "s3://flowbucket/copied/a/one.log.gz" || len(l.Notes) != 0 {
		t.Errorf("flat listing: layout %s, %d objects, notes %v", l.Layout, len(l.Objects), l.Notes)
	}
}

func TestScheme(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{"s3://b/p": "s3", "cloudwatch://g": "cloudwatch", "athena://d.t": "athena",
		"HTTP://x": "http", "./logs": "", "-": "", "c:/x": "", "a b://c": ""} {
		if got := Scheme(v); got != want {
			t.Errorf("Scheme(%q) = %q, want %q", v, got, want)
		}
	}
}

// Ranged reads of a large object return its bytes at any offset, keeping
// at most rangeBlocks blocks.
func TestRangeReader(t *testing.T) {
	t.Parallel()
	data := make([]byte, (rangeBlocks+5)*rangeBlock+123)
	for i := range data {
		data[i] = byte(i*7 + i/251)
	}
	s := awstest.NewS3(t)
	s.AddBucket("flowbucket", "eu-west-1")
	s.Put("flowbucket", "big.parquet", data)
	l, err := ListS3(context.Background(), testConfig(s.URL, "eu-west-1"), "s3://flowbucket", S3Options{})
	if err != nil || len(l.Objects) != 1 {
		t.Fatalf("%v %v", l, err)
	}
	rr := l.Objects[0].(flowlog.RangeObject).ReaderAt(context.Background()).(*rangeReader)
	buf := make([]byte, 3*rangeBlock/2)
	for i := range 200 {
		off := int64(i*7919*131) % int64(len(data))
		n, err := rr.ReadAt(buf, off)
		want := data[off:min(off+int64(len(buf)), int64(len(data)))]
		if n != len(want) || !bytes.Equal(buf[:n], want) || (n < len(buf)) != (err != nil) {
			t.Fatalf("ReadAt(%d): %d bytes, %v", off, n, err)
		}
		if len(rr.blocks) > rangeBlocks || len(rr.recent) != len(rr.blocks) {
			t.Fatalf("%d blocks kept, %d in the recency list", len(rr.blocks), len(rr.recent))
		}
	}
	if n, err := rr.ReadAt(buf[:1], int64(len(data))); n != 0 || err == nil {
		t.Errorf("read past the end: %d, %v", n, err)
	}
}

// A bad line of an S3 object is reported as s3://bucket/key:line.
func TestS3BadLineNamed(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	text := records(ts, 3, 1)
	lines := strings.SplitAfter(text, "\n")
	bad := strings.Join(lines[:3], "") + "5 111122223333 eni-1 not-an-address\n" + strings.Join(lines[3:], "")
	s := awstest.NewS3(t)
	s.AddBucket("flowbucket", "eu-west-1")
	key := std + "2026/11/29/" + fileName("eu-west-1", ts, ".log.gz")
	s.Put("flowbucket", key, gzipped(t, bad))
	l, err := ListS3(context.Background(), testConfig(s.URL, "eu-west-1"), "s3://flowbucket/logs", S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := flowlog.Aggregate(context.Background(), nil, flowlog.Options{Objects: l.Objects, MaxBadRatio: -1})
	if res == nil || len(res.Stats.BadLineExamples) != 1 || !strings.HasPrefix(res.Stats.BadLineExamples[0].String(), "s3://flowbucket/"+key+":4: ") {
		t.Fatalf("bad lines: %+v", res.Stats.BadLineExamples)
	}
}
