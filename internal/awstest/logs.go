package awstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Logs is a CloudWatch Logs server (JSON 1.1 protocol, X-Amz-Target
// Logs_20140328.<Operation>) serving FilterLogEvents from stored events,
// PageSize events a page with nextToken. Errors are JSON documents with
// __type, as the service sends them.
type Logs struct {
	server
	// PageSize is the events per FilterLogEvents page (default 100).
	PageSize int

	groups   map[string][]LogEvent
	requests []FilterRequest
}

// LogEvent is one stored event.
type LogEvent struct {
	Stream    string
	Timestamp int64 // milliseconds since the epoch
	Message   string
}

// FilterRequest is what a FilterLogEvents request asked for.
type FilterRequest struct {
	LogGroupName        string `json:"logGroupName"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	StartTime           *int64 `json:"startTime"`
	EndTime             *int64 `json:"endTime"`
	NextToken           string `json:"nextToken"`
	Limit               int    `json:"limit"`
}

// NewLogs starts a CloudWatch Logs server, closed when the test ends.
func NewLogs(t testing.TB) *Logs {
	l := &Logs{PageSize: 100, groups: map[string][]LogEvent{}}
	l.start(t, l.serve)
	return l
}

// Add stores events in a log group (created if need be).
func (l *Logs) Add(group string, events ...LogEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.groups[group] = append(l.groups[group], events...)
}

// Fail makes the next n requests of op (FilterLogEvents) fail with code:
// ThrottlingException, ServiceUnavailableException (HTTP 500/503) or any
// other (HTTP 400).
func (l *Logs) Fail(op string, n int, code string) {
	status := http.StatusBadRequest
	switch code {
	case "ServiceUnavailableException":
		status = http.StatusServiceUnavailable
	case "InternalFailure":
		status = http.StatusInternalServerError
	}
	l.addFault(op, n, status, code)
}

// Requests returns the FilterLogEvents requests answered with a page.
func (l *Logs) Requests() []FilterRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]FilterRequest(nil), l.requests...)
}

// LogsError writes a JSON 1.1 error document.
func LogsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", "test-request")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func (l *Logs) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "Logs_20140328.")
	if r.Method != http.MethodPost || !ok || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		LogsError(w, http.StatusBadRequest, "UnknownOperationException", "not a CloudWatch Logs JSON 1.1 request: "+target)
		return
	}
	l.mu.Lock()
	l.calls[op]++
	if f := l.takeFault(op); f != nil {
		l.mu.Unlock()
		LogsError(w, f.status, f.code, "injected fault")
		return
	}
	l.mu.Unlock()
	if op != "FilterLogEvents" {
		LogsError(w, http.StatusBadRequest, "UnknownOperationException", "the test server does not implement "+op)
		return
	}
	var req FilterRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		LogsError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	l.filter(w, req)
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

func (l *Logs) filter(w http.ResponseWriter, req FilterRequest) {
	l.mu.Lock()
	evs, ok := l.groups[req.LogGroupName]
	if ok {
		l.requests = append(l.requests, req)
	}
	var match []filteredEvent
	streams := map[string]bool{}
	for i, e := range evs {
		if !strings.HasPrefix(e.Stream, req.LogStreamNamePrefix) ||
			req.StartTime != nil && e.Timestamp < *req.StartTime || req.EndTime != nil && e.Timestamp > *req.EndTime {
			continue
		}
		streams[e.Stream] = true
		match = append(match, filteredEvent{LogStreamName: e.Stream, Timestamp: e.Timestamp, Message: e.Message,
			IngestionTime: e.Timestamp + 300000, EventID: fmt.Sprintf("%056d", i)})
	}
	size := l.PageSize
	l.mu.Unlock()
	if !ok {
		LogsError(w, http.StatusBadRequest, "ResourceNotFoundException", "The specified log group does not exist.")
		return
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].Timestamp < match[j].Timestamp })
	from := 0
	if req.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(req.NextToken, "tok-"))
		if err != nil || n < 0 || n > len(match) {
			LogsError(w, http.StatusBadRequest, "InvalidParameterException", "The specified nextToken is invalid.")
			return
		}
		from = n
	}
	if req.Limit > 0 {
		size = min(size, req.Limit)
	}
	to := min(from+size, len(match))
	resp := struct {
		Events             []filteredEvent `json:"events"`
		SearchedLogStreams []struct {
			LogStreamName      string `json:"logStreamName"`
			SearchedCompletely bool   `json:"searchedCompletely"`
		} `json:"searchedLogStreams"`
		NextToken string `json:"nextToken,omitempty"`
	}{Events: match[from:to]}
	if resp.Events == nil {
		resp.Events = []filteredEvent{}
	}
	for s := range streams {
		resp.SearchedLogStreams = append(resp.SearchedLogStreams, struct {
			LogStreamName      string `json:"logStreamName"`
			SearchedCompletely bool   `json:"searchedCompletely"`
		}{s, true})
	}
	if to < len(match) {
		resp.NextToken = "tok-" + strconv.Itoa(to)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", "test-request")
	json.NewEncoder(w).Encode(resp)
}
