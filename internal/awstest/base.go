package awstest

// base.go: the plumbing every protocol server here shares: an httptest
// server closed when the test ends, one lock, requests counted and faults
// queued per operation, the SigV4 credential scope of a request, and the
// XML documents of the query protocol (EC2, STS) and of S3's errors.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// server is embedded by each protocol server.
type server struct {
	// URL is the server's endpoint: set it as AWS_ENDPOINT_URL or a
	// client's BaseEndpoint.
	URL string

	srv    *httptest.Server
	mu     sync.Mutex
	calls  map[string]int // per operation, faults and refusals included
	faults []fault
}

// fault is an error answer planned for the next left requests of op.
type fault struct {
	op     string
	status int
	code   string
	left   int
}

// start serves h until the test ends.
func (s *server) start(t testing.TB, h http.HandlerFunc) {
	s.calls = map[string]int{}
	s.srv = httptest.NewServer(h)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
}

// Calls returns how many requests of op were served (faults included).
func (s *server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// addFault plans status and code as the answer to the next n requests
// of op, after the faults planned before.
func (s *server) addFault(op string, n, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{op: op, status: status, code: code, left: n})
}

// takeFault returns the fault planned for this request of op, nil for
// none. Called under s.mu.
func (s *server) takeFault(op string) *fault {
	for i := range s.faults {
		if f := &s.faults[i]; f.op == op && f.left > 0 {
			f.left--
			return f
		}
	}
	return nil
}

// SigV4Scope reads the access key id, region and service of a request's
// SigV4 Authorization header
// (Credential=AKID/date/region/service/aws4_request; "" when absent).
func SigV4Scope(r *http.Request) (accessKeyID, region, service string) {
	h := r.Header.Get("Authorization")
	i := strings.Index(h, "Credential=")
	if i < 0 {
		return "", "", ""
	}
	cred := h[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}

// SigningRegion is the region of a SigV4 request's credential scope, or "".
func SigningRegion(r *http.Request) string {
	_, region, _ := SigV4Scope(r)
	return region
}

const (
	xmlProlog = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	requestID = "11111111-2222-3333-4444-555555555555"
)

// answer is an error answer: HTTP status, error code and message.
type answer struct {
	status    int
	code, msg string
}

// queryDialect is how one query-protocol service (EC2, STS) writes its
// answers and names its common errors.
type queryDialect struct {
	contentType string
	// A result is prolog, <ActionResponse xmlns="ns">, head, the body,
	// tail, </ActionResponse>.
	prolog, ns, head, tail string
	// An error document is errHead, Code, Message, errTail.
	errHead, errTail string
	// throttle answers an injected 503; internal any other injected
	// status (with that status); unknownKey an access key nobody holds.
	throttle, internal, unknownKey answer
}

var ec2Dialect = queryDialect{
	contentType: "text/xml;charset=UTF-8",
	prolog:      xmlProlog,
	ns:          "http://ec2.amazonaws.com/doc/2016-11-15/",
	head:        "<requestId>" + requestID + "</requestId>",
	errHead:     xmlProlog + "<Response><Errors><Error>",
	errTail:     "</Error></Errors><RequestID>" + requestID + "</RequestID></Response>",
	throttle:    answer{http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded."},
	internal:    answer{0, "InternalError", "An internal error has occurred."},
	unknownKey:  answer{http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials"},
}

var stsDialect = queryDialect{
	contentType: "text/xml",
	ns:          "https://sts.amazonaws.com/doc/2011-06-15/",
	tail:        "<ResponseMetadata><RequestId>" + requestID + "</RequestId></ResponseMetadata>",
	errHead:     `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`,
	errTail:     "</Error><RequestId>" + requestID + "</RequestId></ErrorResponse>",
	throttle:    answer{http.StatusServiceUnavailable, "Throttling", "Rate exceeded"},
	internal:    answer{0, "InternalFailure", "An internal error has occurred."},
	unknownKey:  answer{http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."},
}

// result writes action's answer around body.
func (d *queryDialect) result(w http.ResponseWriter, action string, body []byte) {
	w.Header().Set("Content-Type", d.contentType)
	var out xmlBuf
	out.Grow(len(body) + 200)
	out.raw(d.prolog + "<" + action + `Response xmlns="` + d.ns + `">` + d.head)
	out.Write(body)
	out.raw(d.tail + "</" + action + "Response>")
	w.Write(out.Bytes())
}

// error writes the dialect's error document.
func (d *queryDialect) error(w http.ResponseWriter, status int, code, msg string) {
	writeXMLError(w, status, d.contentType, d.errHead, code, msg, d.errTail)
}

// refuse answers an injected fault (status, 0 for none) or a request
// signed with an unknown key, and reports whether it did.
func (d *queryDialect) refuse(w http.ResponseWriter, fault int, known bool) bool {
	switch {
	case fault == http.StatusServiceUnavailable:
		d.error(w, fault, d.throttle.code, d.throttle.msg)
	case fault != 0:
		d.error(w, fault, d.internal.code, d.internal.msg)
	case !known:
		d.error(w, d.unknownKey.status, d.unknownKey.code, d.unknownKey.msg)
	default:
		return false
	}
	return true
}

// writeXMLError writes head, <Code>, <Message> and tail with status.
func writeXMLError(w http.ResponseWriter, status int, contentType, head, code, msg, tail string) {
	var b xmlBuf
	b.raw(head)
	b.text("Code", code)
	b.text("Message", msg)
	b.raw(tail)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
