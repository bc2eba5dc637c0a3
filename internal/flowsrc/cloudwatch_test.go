package flowsrc

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/flowlog"
)

// EC2FlowLog is one flow log the DescribeFlowLogs handler knows.
type ec2FlowLog struct {
	ID, Group, Format string
}

// describeFlowLogs is a small EC2 query-protocol handler answering
// DescribeFlowLogs (filter log-group-name), or UnauthorizedOperation when
// denied; calls counts requests.
func describeFlowLogs(t *testing.T, denied bool, logs ...ec2FlowLog) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "DescribeFlowLogs" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		if denied {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>test</RequestID></Response>`)
			return
		}
		var want string
		if r.Form.Get("Filter.1.Name") == "log-group-name" {
			want = r.Form.Get("Filter.1.Value.1")
		}
		type item struct {
			FlowLogID          string `xml:"flowLogId"`
			LogGroupName       string `xml:"logGroupName"`
			LogFormat          string `xml:"logFormat"`
			LogDestinationType string `xml:"logDestinationType"`
		}
		var resp struct {
			XMLName   xml.Name `xml:"http://ec2.amazonaws.com/doc/2016-11-15/ DescribeFlowLogsResponse"`
			RequestID string   `xml:"requestId"`
			Items     []item   `xml:"flowLogSet>item"`
		}
		resp.RequestID = "test"
		for _, l := range logs {
			if want == "" || l.Group == want {
				resp.Items = append(resp.Items, item{l.ID, l.Group, l.Format, "cloud-watch-logs"})
			}
		}
		fmt.Fprint(w, xml.Header)
		xml.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

const v5Format = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags} ${flow-direction}"

// cwEvents turns text records (header first) into events on a few ENI
// streams, timestamped with each record's start.
func cwEvents(text string) []awstest.LogEvent {
	var out []awstest.LogEvent
	for i, line := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		f := strings.Fields(line)
		var start int64
		fmt.Sscan(f[10], &start)
		out = append(out, awstest.LogEvent{Stream: fmt.Sprintf("eni-%d-all", i%3), Timestamp: start * 1000, Message: line})
	}
	return out
}

func TestCloudWatchEqualsLocal(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	text := records(ts, 250, 4)
	logs := awstest.NewLogs(t)
	logs.PageSize = 40
	logs.Add("/aws/vpc/flows", cwEvents(text)...)
	logs.Fail("FilterLogEvents", 2, "ThrottlingException")
	ec2srv, _ := describeFlowLogs(t, false, ec2FlowLog{"fl-1", "/aws/vpc/flows", v5Format}, ec2FlowLog{"fl-2", "other", "${version}"})

	cfg := testConfig(logs.URL, "eu-west-1")
	formats, err := FlowLogFormats(context.Background(), ec2.NewFromConfig(testConfig(ec2srv.URL, "eu-west-1")), "/aws/vpc/flows")
	if err != nil || len(formats) != 1 || strings.Join(formats[v5Format], ",") != "fl-1" {
		t.Fatalf("formats %v, %v; want fl-1's alone", formats, err)
	}
	f, err := flowlog.ParseLogFormat(v5Format)
	if err != nil {
		t.Fatal(err)
	}
	cw := &CloudWatch{Client: cloudwatchlogs.NewFromConfig(cfg), Group: "/aws/vpc/flows", Fields: f}
	got, err := flowlog.Aggregate(context.Background(), nil, flowlog.Options{Objects: []flowlog.Object{cw}})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "flows.log")
	os.WriteFile(p, []byte(text), 0o644)
	want, err := flowlog.Aggregate(context.Background(), []string{p}, flowlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want.Stats.Records == 0 || fmt.Sprint(got.Observations) != fmt.Sprint(want.Observations) ||
		got.Stats.Records != want.Stats.Records || got.Stats.NoData != want.Stats.NoData || got.Stats.BadLines != 0 {
		t.Errorf("CloudWatch and local differ: %d and %d records", got.Stats.Records, want.Stats.Records)
	}
	if cw.Pages() != 8 || cw.Events() != 300 || logs.Calls("FilterLogEvents") != 10 {
		t.Errorf("%d pages, %d events, %d calls; want 8 pages of 300 events in 10 calls (2 throttled)", cw.Pages(), cw.Events(), logs.Calls("FilterLogEvents"))
	}
}

// The window and the stream prefix reach FilterLogEvents, widened by Margin.
func TestCloudWatchWindow(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	logs := awstest.NewLogs(t)
	all := append(cwEvents(records(ts, 30, 1)), cwEvents(records(ts.Add(-3*time.Hour), 30, 2))...)
	logs.Add("flows", all...)
	f, _ := flowlog.ParseLogFormat(v5Format)
	cw := &CloudWatch{Client: cloudwatchlogs.NewFromConfig(testConfig(logs.URL, "eu-west-1")), Group: "flows", StreamPrefix: "eni-1",
		Window: Window{ts, ts.Add(10 * time.Minute)}, Fields: f}
	wantEvents := 0
	for _, e := range all {
		if e.Stream == "eni-1-all" && e.Timestamp >= ts.Add(-Margin).UnixMilli() && e.Timestamp <= ts.Add(10*time.Minute+Margin).UnixMilli() {
			wantEvents++
		}
	}
	res, err := flowlog.Aggregate(context.Background(), nil, flowlog.Options{Objects: []flowlog.Object{cw}, Since: ts, Until: ts.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	reqs := logs.Requests()
	if len(reqs) != 1 || reqs[0].LogStreamNamePrefix != "eni-1" || reqs[0].StartTime == nil || *reqs[0].StartTime != ts.Add(-Margin).UnixMilli() ||
		reqs[0].EndTime == nil || *reqs[0].EndTime != ts.Add(10*time.Minute+Margin).UnixMilli() {
		t.Fatalf("requests %+v", reqs)
	}
	if wantEvents == 0 || cw.Events() != int64(wantEvents) || res.Stats.Records != int64(wantEvents) || res.Stats.BadLines != 0 {
		t.Errorf("%d events, %d records, %d bad lines; want the %d of eni-1 in the window", cw.Events(), res.Stats.Records, res.Stats.BadLines, wantEvents)
	}
}

func TestCloudWatchErrors(t *testing.T) {
	t.Parallel()
	logs := awstest.NewLogs(t)
	cw := &CloudWatch{Client: cloudwatchlogs.NewFromConfig(testConfig(logs.URL, "eu-west-1")), Group: "missing"}
	_, err := flowlog.Aggregate(context.Background(), nil, flowlog.Options{Objects: []flowlog.Object{cw}})
	if err == nil || !strings.Contains(err.Error(), "cloudwatch://missing: FilterLogEvents: ResourceNotFoundException: The specified log group does not exist.") {
		t.Errorf("error %v", err)
	}
	ec2srv, calls := describeFlowLogs(t, true)
	_, err = FlowLogFormats(context.Background(), ec2.NewFromConfig(testConfig(ec2srv.URL, "eu-west-1")), "g")
	if err == nil || !strings.Contains(err.Error(), "UnauthorizedOperation") || calls.Load() != 1 {
		t.Errorf("denied DescribeFlowLogs: %v after %d calls", err, calls.Load())
	}
}

func TestParseCloudWatchURL(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{
		"cloudwatch://flows":                     "flows|",
		"cloudwatch:///aws/vpc/flows":            "/aws/vpc/flows|",
		"cloudwatch:///aws/vpc/flows/eni-0abc":   "/aws/vpc/flows|eni-0abc",
		"cloudwatch://flows/eni-":                "flows|eni-",
		"cloudwatch://team/flows/":               "team/flows|",
		"cloudwatch://":                          "error: no log group",
		"cloudwatch:///":                         "error: no log group",
		"cloudwatch://bad group":                 "error: is not a log group name",
		"cloudwatch://tgw/tgw-attach-0123/extra": "tgw/tgw-attach-0123/extra|",
	} {
		g, p, err := ParseCloudWatchURL(v)
		got := g + "|" + p
		if err != nil {
			got = "error: " + err.Error()
		}
		if !strings.HasPrefix(got, want) && !strings.Contains(got, strings.TrimPrefix(want, "error: ")) {
			t.Errorf("%s: %s, want %s", v, got, want)
		}
	}
}
