// Package awstest holds in-process AWS test servers that speak the real
// wire protocols, so that tests drive the AWS SDK end to end through its
// normal endpoint configuration (BaseEndpoint or AWS_ENDPOINT_URL) and
// never reach AWS. Each server keeps state, counts requests and injects
// faults on demand.
package awstest

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// S3 is an S3 REST server, path-style (http://host/bucket/key): HeadBucket
// (with x-amz-bucket-region; a request signed for another region than the
// bucket's gets S3's 301 PermanentRedirect, as from AWS), ListObjectsV2 (prefix, delimiter,
// start-after, max-keys, continuation tokens) and GetObject (Range,
// If-Match). Errors are S3's XML error documents. Operations are named
// "HeadBucket", "ListObjectsV2" and "GetObject" in Calls and Fail.
type S3 struct {
	server // path-style URL
	// MaxKeys caps every ListObjectsV2 page (S3's own cap is 1000).
	MaxKeys int

	buckets  map[string]*s3Bucket
	listed   int            // keys and common prefixes returned by ListObjectsV2
	served   int64          // object bytes sent by GetObject
	cuts     map[string]int // key -> GetObject bodies still to cut short
	prefixes []string       // prefixes listed, in order
	regions  map[string]bool
	fetched  map[string]bool // bucket/key read by GetObject
}

type s3Bucket struct {
	region  string
	denied  bool
	objects map[string][]byte
	etags   map[string]string
}

// NewS3 starts an S3 server, closed when the test ends.
func NewS3(t testing.TB) *S3 {
	s := &S3{MaxKeys: 1000, buckets: map[string]*s3Bucket{}, cuts: map[string]int{}, regions: map[string]bool{}, fetched: map[string]bool{}}
	s.start(t, s.serve)
	return s
}

// AddBucket creates a bucket in region.
func (s *S3) AddBucket(name, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets[name] = &s3Bucket{region: region, objects: map[string][]byte{}, etags: map[string]string{}}
}

// Put stores an object (the bucket must exist).
func (s *S3) Put(bucket, key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets[bucket].objects[key] = data
	s.buckets[bucket].etags[key] = etag(data)
}

// Deny answers AccessDenied to every request on bucket but HeadBucket,
// which still tells the region (as S3 does).
func (s *S3) Deny(bucket string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets[bucket].denied = true
}

// Fail makes the next n requests of op fail with the HTTP status and S3
// error code given (503 SlowDown, 500 InternalError, …).
func (s *S3) Fail(op string, n, status int, code string) {
	s.addFault(op, n, status, code)
}

// CutBody makes the next n whole-object GetObject responses of key stop
// half-way: the headers promise the full length, the connection ends
// early.
func (s *S3) CutBody(key string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cuts[key] = n
}

// Listed returns how many keys and common prefixes ListObjectsV2 returned.
func (s *S3) Listed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listed
}

// Fetched returns the bucket/key names GetObject was asked for, sorted.
func (s *S3) Fetched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.fetched))
	for k := range s.fetched {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Served returns the object bytes GetObject sent.
func (s *S3) Served() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served
}

// ListedPrefixes returns the prefixes ListObjectsV2 was asked for, sorted.
func (s *S3) ListedPrefixes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.prefixes...)
	sort.Strings(out)
	return out
}

// Signed reports whether a request of op was signed for region.
func (s *S3) Signed(op, region string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.regions[op+" "+region]
}

// S3Error writes an S3 XML error document.
func S3Error(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("x-amz-request-id", "TESTREQUEST")
	if r.Method == http.MethodHead {
		// HEAD responses have no body; the SDK goes by the status.
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		return
	}
	writeXMLError(w, status, "application/xml", xmlProlog+"<Error>", code, msg, "<RequestId>TESTREQUEST</RequestId><HostId>test</HostId></Error>")
}

func (s *S3) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	var op string
	switch {
	case r.Method == http.MethodHead && key == "":
		op = "HeadBucket"
	case r.Method == http.MethodGet && key == "" && r.URL.Query().Get("list-type") == "2":
		op = "ListObjectsV2"
	case r.Method == http.MethodGet && key != "":
		op = "GetObject"
	default:
		S3Error(w, r, http.StatusNotImplemented, "NotImplemented", "the test server does not implement "+r.Method+" "+r.URL.String())
		return
	}
	s.mu.Lock()
	s.calls[op]++
	if r := SigningRegion(r); r != "" {
		s.regions[op+" "+r] = true
	}
	if f := s.takeFault(op); f != nil {
		s.mu.Unlock()
		S3Error(w, r, f.status, f.code, "injected fault")
		return
	}
	b := s.buckets[bucket]
	if b == nil {
		s.mu.Unlock()
		S3Error(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	w.Header().Set("x-amz-bucket-region", b.region)
	if reg := SigningRegion(r); reg != "" && reg != b.region {
		// S3 answers a request signed for another region with a redirect
		// that names the bucket's own (HEAD: status and header only).
		s.mu.Unlock()
		S3Error(w, r, http.StatusMovedPermanently, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.")
		return
	}
	if b.denied && op != "HeadBucket" {
		s.mu.Unlock()
		S3Error(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	switch op {
	case "HeadBucket":
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	case "ListObjectsV2":
		s.list(w, r, bucket, b) // unlocks
	case "GetObject":
		s.fetched[bucket+"/"+key] = true
		s.get(w, r, b, key) // unlocks
	}
}

type listResult struct {
	XMLName               xml.Name    `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string      `xml:"Name"`
	Prefix                string      `xml:"Prefix"`
	Delimiter             string      `xml:"Delimiter,omitempty"`
	StartAfter            string      `xml:"StartAfter,omitempty"`
	MaxKeys               int         `xml:"MaxKeys"`
	KeyCount              int         `xml:"KeyCount"`
	IsTruncated           bool        `xml:"IsTruncated"`
	ContinuationToken     string      `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string      `xml:"NextContinuationToken,omitempty"`
	Contents              []listEntry `xml:"Contents"`
	CommonPrefixes        []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
}

type listEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

// etag is a stable entity tag of an object's content.
func etag(data []byte) string {
	var h uint64 = 14695981039346656037
	for _, c := range data {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return fmt.Sprintf(`"%016x%016x"`, h, uint64(len(data)))
}

const lastModified = "2026-11-30T12:00:00.000Z"

func (s *S3) list(w http.ResponseWriter, r *http.Request, bucket string, b *s3Bucket) {
	q := r.URL.Query()
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	s.prefixes = append(s.prefixes, prefix)
	maxKeys := s.MaxKeys
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.mu.Unlock()
			S3Error(w, r, http.StatusBadRequest, "InvalidArgument", "max-keys: "+v)
			return
		}
		maxKeys = min(maxKeys, n)
	}
	after := q.Get("start-after")
	tok := q.Get("continuation-token")
	if tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			s.mu.Unlock()
			S3Error(w, r, http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
			return
		}
		after = string(raw)
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	res := listResult{Name: bucket, Prefix: prefix, Delimiter: delim, StartAfter: q.Get("start-after"), MaxKeys: maxKeys, ContinuationToken: tok}
	last := ""
	for i := 0; i < len(keys); i++ {
		k := keys[i]
		if res.KeyCount == maxKeys {
			res.IsTruncated = true
			break
		}
		if delim != "" {
			if j := strings.Index(k[len(prefix):], delim); j >= 0 {
				cp := k[:len(prefix)+j+len(delim)]
				if strings.HasPrefix(after, cp) {
					continue // a common prefix returned on an earlier page
				}
				res.CommonPrefixes = append(res.CommonPrefixes, struct {
					Prefix string `xml:"Prefix"`
				}{cp})
				res.KeyCount++
				// Every later key under cp is folded into it: resume past them.
				last = cp + "\U0010FFFF"
				for i+1 < len(keys) && strings.HasPrefix(keys[i+1], cp) {
					i++
				}
				continue
			}
		}
		data := b.objects[k]
		res.Contents = append(res.Contents, listEntry{Key: k, LastModified: lastModified, ETag: b.etags[k], Size: int64(len(data)), StorageClass: "STANDARD"})
		res.KeyCount++
		last = k
	}
	if res.IsTruncated {
		res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	s.listed += res.KeyCount
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/xml")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(res)
}

func (s *S3) get(w http.ResponseWriter, r *http.Request, b *s3Bucket, key string) {
	data, ok := b.objects[key]
	tag := b.etags[key]
	cut := false
	if ok && r.Header.Get("Range") == "" && s.cuts[key] > 0 {
		s.cuts[key]--
		cut = true
	}
	s.mu.Unlock()
	if !ok {
		S3Error(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	if m := r.Header.Get("If-Match"); m != "" && m != tag {
		S3Error(w, r, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
		return
	}
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Last-Modified", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC).Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", "binary/octet-stream")
	body := data
	status := http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" {
		from, to, ok := parseRange(rg, int64(len(data)))
		if !ok {
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", len(data)))
			S3Error(w, r, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		body = data[from : to+1]
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to, len(data)))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if cut {
		body = body[:len(body)/2]
	}
	n, _ := w.Write(body)
	s.mu.Lock()
	s.served += int64(n)
	s.mu.Unlock()
}

// parseRange reads "bytes=a-b", "bytes=a-" or "bytes=-n" against size.
func parseRange(h string, size int64) (from, to int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	var err error
	switch {
	case a == "":
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size - 1, size > 0
	case b == "":
		from, err = strconv.ParseInt(a, 10, 64)
		to = size - 1
	default:
		from, err = strconv.ParseInt(a, 10, 64)
		if err == nil {
			to, err = strconv.ParseInt(b, 10, 64)
		}
		to = min(to, size-1)
	}
	if err != nil || from < 0 || from >= size || to < from {
		return 0, 0, false
	}
	return from, to, true
}
