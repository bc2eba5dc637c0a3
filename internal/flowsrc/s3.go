package flowsrc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/walls-dev/walls/internal/flowlog"
)

// ParseS3URL splits s3://bucket[/prefix].
func ParseS3URL(v string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(v, "s3://")
	if !ok {
		return "", "", &URLError{v, "expected s3://BUCKET[/PREFIX]"}
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/" // a folder, not a partial key
	}
	if bucket == "" {
		return "", "", &URLError{v, "no bucket: expected s3://BUCKET[/PREFIX]"}
	}
	if len(bucket) < 3 || len(bucket) > 63 || strings.ContainsAny(bucket, " ?#\\") {
		return "", "", &URLError{v, fmt.Sprintf("%q is not an S3 bucket name (3 to 63 letters, digits, dots and hyphens)", bucket)}
	}
	return bucket, prefix, nil
}

// S3Options control ListS3.
type S3Options struct {
	// Window prunes date folders and dated file names (widened by Margin).
	Window Window
	// Concurrency bounds the listings in flight; 0 means 8.
	Concurrency int
	// Listed, when set, is called as objects are found, with the objects
	// and bytes found so far (from several goroutines, serialised).
	Listed func(objects int, bytes int64)
}

// S3Listing is what ListS3 found.
type S3Listing struct {
	Bucket, Prefix, Region string
	// Objects are the flow log objects to read, sorted by key.
	Objects []flowlog.Object
	Bytes   int64
	// Layout says how the prefix was read: "AWSLogs" (the standard or
	// Hive-compatible delivery layout, pruned by date) or "flat" (no
	// layout recognised: every object under the prefix).
	Layout string
	// Requests counts ListObjectsV2 requests; Pruned the folders and
	// objects left out by the time window.
	Requests, Pruned int
	// Notes say what was left out and why (other services' folders).
	Notes []string
}

// NewS3Client returns an S3 client for region, path-style when an
// endpoint is configured (a local S3-compatible server, the tests).
func NewS3Client(cfg aws.Config, region string) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if region != "" {
			o.Region = region
		}
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
}

// BucketRegion asks S3 where bucket lives (HeadBucket's
// x-amz-bucket-region, which S3 sends even on a redirect or a denial).
func BucketRegion(ctx context.Context, cfg aws.Config, bucket string) (string, error) {
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	out, err := NewS3Client(cfg, region).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		if out.BucketRegion != nil && *out.BucketRegion != "" {
			return *out.BucketRegion, nil
		}
		return region, nil
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if r := re.Response.Header.Get("x-amz-bucket-region"); r != "" {
			return r, nil
		}
		if re.Response.StatusCode == 404 {
			return "", fmt.Errorf("bucket %s does not exist", bucket)
		}
	}
	return "", fmt.Errorf("bucket %s: finding its region (HeadBucket): %s", bucket, describe(err))
}

// describe shortens an SDK error to its service code and message.
func describe(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if msg := ae.ErrorMessage(); msg != "" && msg != ae.ErrorCode() {
			return ae.ErrorCode() + ": " + msg
		}
		return ae.ErrorCode()
	}
	return err.Error()
}

// ListS3 lists the flow log objects under s3://bucket/prefix. Under the
// delivery layout (an AWSLogs/ folder in or just below the prefix) it
// walks one folder level at a time with the "/" delimiter, keeps only
// vpcflowlogs folders and, with a window, only the year, month, day and
// hour folders and the dated file names that can hold records of it, so
// a narrow window lists a few folders of a large bucket. Without the
// layout it lists every object under the prefix.
func ListS3(ctx context.Context, cfg aws.Config, url string, o S3Options) (*S3Listing, error) {
	bucket, prefix, err := ParseS3URL(url)
	if err != nil {
		return nil, err
	}
	region, err := BucketRegion(ctx, cfg, bucket)
	if err != nil {
		return nil, err
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	l := &lister{ctx: ctx, client: NewS3Client(cfg, region), bucket: bucket, opts: o,
		res: &S3Listing{Bucket: bucket, Prefix: prefix, Region: region}}
	if hasLayout(prefix) {
		l.res.Layout = "AWSLogs"
		err = l.walk([]string{prefix})
	} else {
		var top []string
		if top, err = l.level(prefix, true); err == nil {
			var layout []string
			for _, f := range top {
				if seg := strings.TrimSuffix(f[len(prefix):], "/"); seg == "AWSLogs" {
					layout = append(layout, f)
				} else if !strings.Contains(seg, "/") {
					l.note(fmt.Sprintf("s3://%s/%s: outside AWSLogs/, not read", bucket, f))
				}
			}
			if len(layout) > 0 {
				l.res.Layout = "AWSLogs"
				err = l.walk(layout)
			} else {
				// No delivery layout: read everything under the prefix.
				l.res.Layout = "flat"
				l.res.Notes = nil
				l.objs = nil
				l.res.Bytes, l.res.Pruned = 0, 0
				_, err = l.level(prefix, false)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(l.objs, func(i, j int) bool { return l.objs[i].key < l.objs[j].key })
	for _, ob := range l.objs {
		l.res.Objects = append(l.res.Objects, ob)
	}
	sort.Strings(l.res.Notes)
	return l.res, nil
}

type lister struct {
	ctx    context.Context
	client *s3.Client
	bucket string
	opts   S3Options
	mu     sync.Mutex
	res    *S3Listing
	objs   []*s3Object
}

func (l *lister) note(s string) {
	l.mu.Lock()
	l.res.Notes = append(l.res.Notes, s)
	l.mu.Unlock()
}

// walk lists folders level by level, concurrently within a level.
func (l *lister) walk(frontier []string) error {
	for len(frontier) > 0 {
		var next []string
		var firstErr error
		var mu sync.Mutex
		sem := make(chan struct{}, l.opts.Concurrency)
		var wg sync.WaitGroup
		for _, f := range frontier {
			wg.Add(1)
			sem <- struct{}{}
			go func(f string) {
				defer wg.Done()
				defer func() { <-sem }()
				sub, err := l.level(f, true)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					return
				}
				for _, s := range sub {
					switch keep, why := l.keepFolder(s); {
					case keep:
						next = append(next, s)
					case why != "":
						l.note(fmt.Sprintf("s3://%s/%s: %s, not read", l.bucket, s, why))
					default:
						l.mu.Lock()
						l.res.Pruned++
						l.mu.Unlock()
					}
				}
			}(f)
		}
		wg.Wait()
		if firstErr != nil {
			return firstErr
		}
		sort.Strings(next)
		frontier = next
	}
	return nil
}

// level lists prefix (one level with the delimiter, else everything
// below it), keeps its objects and returns its folders.
func (l *lister) level(prefix string, delim bool) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(l.bucket), Prefix: aws.String(prefix)}
	if delim {
		in.Delimiter = aws.String("/")
	}
	var folders []string
	p := s3.NewListObjectsV2Paginator(l.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(l.ctx)
		l.mu.Lock()
		l.res.Requests++
		l.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s (ListObjectsV2): %s", l.bucket, prefix, describe(err))
		}
		for _, cp := range out.CommonPrefixes {
			folders = append(folders, aws.ToString(cp.Prefix))
		}
		l.mu.Lock()
		for _, c := range out.Contents {
			key := aws.ToString(c.Key)
			size := aws.ToInt64(c.Size)
			if strings.HasSuffix(key, "/") && size == 0 {
				continue // a folder marker
			}
			if !l.keepFile(key) {
				l.res.Pruned++
				continue
			}
			l.objs = append(l.objs, &s3Object{client: l.client, bucket: l.bucket, key: key, size: size, etag: aws.ToString(c.ETag)})
			l.res.Bytes += size
		}
		if l.opts.Listed != nil {
			l.opts.Listed(len(l.objs), l.res.Bytes)
		}
		l.mu.Unlock()
	}
	return folders, nil
}

// hasLayout reports whether a prefix lies inside an AWSLogs/ folder.
func hasLayout(prefix string) bool {
	segs := strings.Split(prefix, "/")
	for _, s := range segs[:len(segs)-1] { // the last one is partial
		if s == "AWSLogs" {
			return true
		}
	}
	return false
}

var (
	orgID   = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	account = regexp.MustCompile(`^[0-9]{12}$`)
	// fileTime is the time in a delivered file's name:
	// <account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz
	fileTime = regexp.MustCompile(`_vpcflowlogs_[^_/]+_[^_/]+_([0-9]{8}T[0-9]{4}Z)_[^_/]+$`)
)

// keepFolder decides on a folder below AWSLogs/: false with a reason for
// folders that hold no VPC flow logs, false without one for date folders
// outside the window.
func (l *lister) keepFolder(folder string) (bool, string) {
	segs := strings.Split(strings.TrimSuffix(folder, "/"), "/")
	at := -1
	for i, s := range segs {
		if s == "AWSLogs" {
			at = i
		}
	}
	if at < 0 {
		return true, ""
	}
	rel := segs[at+1:]
	if len(rel) > 0 && orgID.MatchString(rel[0]) {
		rel = rel[1:]
	}
	if len(rel) == 0 {
		return true, ""
	}
	hive := strings.HasPrefix(rel[0], "aws-account-id=")
	if !hive && !account.MatchString(rel[0]) {
		return false, "not an account folder of the delivery layout"
	}
	if len(rel) >= 2 {
		if svc := rel[1]; svc != "vpcflowlogs" && svc != "aws-service=vpcflowlogs" {
			return false, "not VPC flow logs"
		}
	}
	// rel[2] is the region; then year, month, day, hour.
	var parts []int
	for i, name := range []string{"year", "month", "day", "hour"} {
		if len(rel) <= 3+i {
			break
		}
		v := rel[3+i]
		if hive {
			var ok bool
			if v, ok = strings.CutPrefix(v, name+"="); !ok {
				return true, "" // not a date folder: keep, unpruned
			}
		}
		n, err := strconv.Atoi(v)
		if lo, hi := dateBounds[i][0], dateBounds[i][1]; err != nil || n < lo || n > hi || len(v) != widths[i] {
			return true, "" // not a date folder: keep, unpruned
		}
		parts = append(parts, n)
	}
	if len(parts) == 0 || (l.opts.Window == Window{}) {
		return true, ""
	}
	from, to := span(parts)
	return l.opts.Window.overlaps(from, to), ""
}

// dateBounds and widths are the valid values and digit counts of the
// year, month, day and hour folders.
var (
	dateBounds = [4][2]int{{1970, 9999}, {1, 12}, {1, 31}, {0, 23}}
	widths     = [4]int{4, 2, 2, 2}
)

// span is the time range of a date folder: year[, month[, day[, hour]]].
func span(p []int) (from, to time.Time) {
	get := func(i, def int) int {
		if i < len(p) {
			return p[i]
		}
		return def
	}
	from = time.Date(p[0], time.Month(get(1, 1)), get(2, 1), get(3, 0), 0, 0, 0, time.UTC)
	switch len(p) {
	case 1:
		to = from.AddDate(1, 0, 0)
	case 2:
		to = from.AddDate(0, 1, 0)
	case 3:
		to = from.AddDate(0, 0, 1)
	default:
		to = from.Add(time.Hour)
	}
	return from, to
}

// keepFile decides on an object by the time in its name, when it has the
// delivered name's shape: the file holds records ending in the 5 minutes
// from that time.
func (l *lister) keepFile(key string) bool {
	if (l.opts.Window == Window{}) {
		return true
	}
	name := key[strings.LastIndexByte(key, '/')+1:]
	name = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".log"), ".parquet")
	name = strings.TrimSuffix(name, ".log")
	m := fileTime.FindStringSubmatch(name)
	if m == nil {
		return true
	}
	t, err := time.Parse("20060102T1504Z", m[1])
	if err != nil {
		return true
	}
	return l.opts.Window.overlaps(t, t.Add(5*time.Minute))
}

// s3Object is one object to read; it implements flowlog.RangeObject.
type s3Object struct {
	client      *s3.Client
	bucket, key string
	size        int64
	etag        string
}

func (o *s3Object) Name() string { return "s3://" + o.bucket + "/" + o.key }
func (o *s3Object) Size() int64  { return o.size }

// maxResumes bounds how often a body cut mid-way is resumed.
const maxResumes = 5

func (o *s3Object) get(ctx context.Context, rng string) (io.ReadCloser, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(o.key)}
	if o.etag != "" {
		in.IfMatch = aws.String(o.etag) // the object listed, not a newer one
	}
	if rng != "" {
		in.Range = aws.String(rng)
	}
	out, err := o.client.GetObject(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("GetObject: %s", describe(err))
	}
	return out.Body, nil
}

// Open streams the object. A body that ends early (a connection reset)
// is resumed where it stopped, by a ranged GET of the same version.
func (o *s3Object) Open(ctx context.Context) (io.ReadCloser, error) {
	body, err := o.get(ctx, "")
	if err != nil {
		return nil, err
	}
	return &resuming{ctx: ctx, o: o, body: body}, nil
}

type resuming struct {
	ctx     context.Context
	o       *s3Object
	body    io.ReadCloser
	off     int64
	resumes int
}

func (r *resuming) Read(p []byte) (int, error) {
	for {
		n, err := r.body.Read(p)
		r.off += int64(n)
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF && r.off >= r.o.size:
			return n, io.EOF
		case r.ctx.Err() != nil:
			return n, err
		case r.resumes >= maxResumes:
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, fmt.Errorf("reading the object (resumed %d times): %w", r.resumes, err)
		}
		// Cut short: resume from r.off.
		r.body.Close()
		r.resumes++
		body, gerr := r.o.get(r.ctx, fmt.Sprintf("bytes=%d-", r.off))
		if gerr != nil {
			r.body = io.NopCloser(strings.NewReader(""))
			return n, fmt.Errorf("resuming after %d bytes: %w", r.off, gerr)
		}
		r.body = body
		if n > 0 {
			return n, nil
		}
	}
}

func (r *resuming) Close() error { return r.body.Close() }

// ReaderAt reads the object by ranged GETs of whole blocks, keeping the
// last few: a small object (a few Parquet column chunks) costs one or two
// requests instead of one per read, a large one never more than
// rangeBlocks*rangeBlock bytes of memory.
func (o *s3Object) ReaderAt(ctx context.Context) io.ReaderAt {
	return &rangeReader{ctx: ctx, o: o, blocks: map[int64][]byte{}}
}

const (
	rangeBlock  = 256 << 10
	rangeBlocks = 32
)

type rangeReader struct {
	ctx    context.Context
	o      *s3Object
	mu     sync.Mutex
	blocks map[int64][]byte
	recent []int64 // block numbers, least recently used first
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for n < len(p) && off+int64(n) < r.o.size {
		pos := off + int64(n)
		b := pos / rangeBlock
		data, err := r.block(b)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], data[pos-b*rangeBlock:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// block returns block b, fetched by one ranged GET unless kept.
func (r *rangeReader) block(b int64) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.blocks[b]; ok {
		for i, k := range r.recent {
			if k == b {
				r.recent = append(append(r.recent[:i:i], r.recent[i+1:]...), b)
				break
			}
		}
		return d, nil
	}
	from := b * rangeBlock
	to := min(from+rangeBlock, r.o.size)
	body, err := r.o.get(r.ctx, fmt.Sprintf("bytes=%d-%d", from, to-1))
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data := make([]byte, to-from)
	if _, err := io.ReadFull(body, data); err != nil {
		return nil, fmt.Errorf("ranged read at %d: %w", from, err)
	}
	if len(r.recent) >= rangeBlocks {
		delete(r.blocks, r.recent[0])
		r.recent = r.recent[1:]
	}
	r.blocks[b] = data
	r.recent = append(r.recent, b)
	return data, nil
}
