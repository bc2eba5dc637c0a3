package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/walls-dev/walls/internal/awstest"
)

// fakeAWSEnv points the SDK's standard configuration at test servers with
// fake credentials and no shared files (awstest.Isolate); endpoints maps
// the service part of AWS_ENDPOINT_URL_<SERVICE> to a URL.
func fakeAWSEnv(t *testing.T, endpoints map[string]string) {
	awstest.Isolate(t, "", "eu-west-1", "AKIDTEST", "not-a-secret", "")
	for svc, url := range endpoints {
		t.Setenv("AWS_ENDPOINT_URL_"+svc, url)
	}
}

// splitFlows cuts the learn corpus into two objects with the header each.
func splitFlows(t *testing.T) (gz, plain []byte) {
	data, err := os.ReadFile(learnFlows)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	head, body := lines[0], lines[1:]
	half := len(body) / 2
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(head + strings.Join(body[:half], "")))
	zw.Close()
	return b.Bytes(), []byte(head + strings.Join(body[half:], ""))
}

// observe JSON from S3 equals observe JSON from the same files on disk.
func TestObserveS3EqualsLocal(t *testing.T) {
	s := awstest.NewS3(t)
	s.AddBucket("flow-bucket", "us-west-2")
	gz, plain := splitFlows(t)
	dir := t.TempDir()
	objects := map[string][]byte{
		"AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/23/111122223333_vpcflowlogs_us-east-1_fl-1_20261123T0000Z_a.log.gz": gz,
		"AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/23/111122223333_vpcflowlogs_us-east-1_fl-1_20261123T0005Z_b.log":    plain,
	}
	for k, v := range objects {
		s.Put("flow-bucket", k, v)
		p := filepath.Join(dir, filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, v, 0o644)
	}
	fakeAWSEnv(t, map[string]string{"S3": s.URL})
	local, errLocal, code := run(t, "observe", "--flows", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("local: exit %d: %s", code, errLocal)
	}
	remote, errOut, code := run(t, "observe", "--flows", "s3://flow-bucket", "--format", "json")
	if code != 0 {
		t.Fatalf("s3: exit %d: %s", code, errOut)
	}
	if remote != local || !strings.Contains(local, "eni-") {
		t.Errorf("observe from S3 differs from local:\n%s\n---\n%s", remote, local)
	}
	if !strings.Contains(errOut, "s3://flow-bucket: 2 objects") || !strings.Contains(errOut, "bucket in us-west-2") {
		t.Errorf("stderr does not say what was listed: %s", errOut)
	}
	if strings.Contains(errOut+remote, "not-a-secret") || strings.Contains(errOut+remote, "AKIDTEST") {
		t.Error("credentials printed")
	}
	if !s.Signed("ListObjectsV2", "us-west-2") {
		t.Error("the bucket's region was not used")
	}
}

// Remote values of --flows that cannot be used are bad usage naming the
// flag and the value, before any credential is looked for.
func TestFlowsBadURLs(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{
		"s3://":                 `--flows "s3://": no bucket`,
		"s3:///prefix":          `--flows "s3:///prefix": no bucket`,
		"ftp://host/x":          `--flows "ftp://host/x": unknown source scheme ftp://`,
		"cloudwatch://":         `--flows "cloudwatch://": no log group`,
		"cloudwatch://bad name": `--flows "cloudwatch://bad name": "bad name" is not a log group name`,
	} {
		_, errOut, code := run(t, "observe", "--flows", v)
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("--flows %s: exit %d, stderr %q; want 2 and %q", v, code, errOut, want)
		}
	}
}

// A denied DescribeFlowLogs is a note; --flow-format reads the group.
func TestObserveCloudWatchDeniedFormat(t *testing.T) {
	data, err := os.ReadFile(learnFlows)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	logs := awstest.NewLogs(t)
	logs.PageSize = 7
	for i, l := range lines[1:] {
		var start int64
		fmt.Sscan(strings.Fields(l)[10], &start)
		logs.Add("/vpc/flows", awstest.LogEvent{Stream: fmt.Sprintf("eni-%d-all", i%2), Timestamp: start * 1000, Message: l})
	}
	var ec2Calls int
	ec2srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ec2Calls++
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>`)
	}))
	defer ec2srv.Close()
	fakeAWSEnv(t, map[string]string{"CLOUDWATCH_LOGS": logs.URL, "EC2": ec2srv.URL})
	format := "${" + strings.Join(strings.Fields(lines[0]), "} ${") + "}"
	remote, errOut, code := run(t, "observe", "--flows", "cloudwatch:///vpc/flows", "--flow-format", format, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	local, _, _ := run(t, "observe", "--flows", learnFlows, "--format", "json")
	// The events carry no header line: the records and observations agree,
	// the line and byte counts do not.
	obs := func(s string) string { return s[:strings.Index(s, `"stats"`)] }
	if !strings.Contains(local, `"stats"`) || obs(remote) != obs(local) || !strings.Contains(remote, `"records": 38`) {
		t.Errorf("observe from CloudWatch differs from local:\n%s\n---\n%s", remote, local)
	}
	if !strings.Contains(errOut, "cloudwatch:///vpc/flows: the flow log definition could not be read (ec2:DescribeFlowLogs: UnauthorizedOperation") ||
		!strings.Contains(errOut, "records read in --flow-format") || ec2Calls != 1 {
		t.Errorf("stderr %q after %d DescribeFlowLogs calls", errOut, ec2Calls)
	}
	if logs.Calls("FilterLogEvents") < 5 {
		t.Errorf("%d FilterLogEvents pages", logs.Calls("FilterLogEvents"))
	}
}

// describeFlowLogsServer answers EC2 DescribeFlowLogs (query protocol)
// from formats: log group -> flow log id -> LogFormat.
func describeFlowLogsServer(t *testing.T, formats map[string]map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("Action") != "DescribeFlowLogs" || r.Form.Get("Filter.1.Name") != "log-group-name" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		group := r.Form.Get("Filter.1.Value.1")
		var items strings.Builder
		for id, f := range formats[group] {
			fmt.Fprintf(&items, "<item><flowLogId>%s</flowLogId><logGroupName>%s</logGroupName><logFormat>%s</logFormat><logDestinationType>cloud-watch-logs</logDestinationType></item>", id, group, f)
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<DescribeFlowLogsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><flowLogSet>%s</flowLogSet></DescribeFlowLogsResponse>`, items.String())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The group's format comes from its flow log definition; a group fed in
// two formats needs --flow-format.
func TestObserveCloudWatchFormats(t *testing.T) {
	data, err := os.ReadFile(learnFlows)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	format := "${" + strings.Join(strings.Fields(lines[0]), "} ${") + "}"
	logs := awstest.NewLogs(t)
	for _, g := range []string{"one", "two"} {
		for _, l := range lines[1:] {
			var start int64
			fmt.Sscan(strings.Fields(l)[10], &start)
			logs.Add(g, awstest.LogEvent{Stream: "eni-1-all", Timestamp: start * 1000, Message: l})
		}
	}
	ec2srv := describeFlowLogsServer(t, map[string]map[string]string{
		"one": {"fl-0001": format},
		"two": {"fl-0002": format, "fl-0003": "${version} ${srcaddr} ${dstaddr}"},
	})
	fakeAWSEnv(t, map[string]string{"CLOUDWATCH_LOGS": logs.URL, "EC2": ec2srv.URL})
	out, errOut, code := run(t, "observe", "--flows", "cloudwatch://one", "--format", "json")
	if code != 0 || !strings.Contains(errOut, "cloudwatch://one: records read in the format of flow log fl-0001 (ec2:DescribeFlowLogs)") ||
		!strings.Contains(out, `"records": 38`) {
		t.Errorf("one format: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = run(t, "observe", "--flows", "cloudwatch://two")
	if code != 2 || !strings.Contains(errOut, "--flows cloudwatch://two: flow logs of 2 formats deliver to this group (fl-0002: ${version} ${account-id}") ||
		!strings.Contains(errOut, "name the one to read with --flow-format") {
		t.Errorf("two formats: exit %d, stderr %q", code, errOut)
	}
	out, errOut, code = run(t, "observe", "--flows", "cloudwatch://two", "--flow-format", format, "--format", "json")
	if code != 0 || !strings.Contains(out, `"records": 38`) || !strings.Contains(errOut, "records read in --flow-format") {
		t.Errorf("two formats with --flow-format: exit %d, stderr %q", code, errOut)
	}
}

// Listing and reading draw progress on a terminal, and not with --quiet.
func TestRemoteProgress(t *testing.T) {
	s := awstest.NewS3(t)
	s.AddBucket("flow-bucket", "eu-west-1")
	gz, plain := splitFlows(t)
	s.Put("flow-bucket", "copied/a.log.gz", gz)
	s.Put("flow-bucket", "copied/b.log", plain)
	fakeAWSEnv(t, map[string]string{"S3": s.URL})
	for _, quiet := range []bool{false, true} {
		var out, errOut bytes.Buffer
		args := []string{"observe", "--flows", "s3://flow-bucket/copied"}
		if quiet {
			args = append(args, "--quiet")
		}
		code := Main(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: true})
		drawn := strings.Contains(errOut.String(), "walls: listing s3://flow-bucket/copied")
		if code != 0 || drawn == quiet {
			t.Errorf("quiet=%v: exit %d, progress drawn %v: %q", quiet, code, drawn, errOut.String())
		}
	}
}

// Remote sources read one region with at most one role.
func TestRemoteFlagsBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ args, want string }{
		{"--region eu-west-1,us-east-1", "--region eu-west-1,us-east-1: this source reads one region; name one"},
		{"--region all", "--region all: this source reads one region; name it"},
		{"--role-arn arn:aws:iam::1:role/a,arn:aws:iam::2:role/b", "remote flow sources are read with one role; name one"},
	} {
		args := append([]string{"observe", "--flows", "s3://flow-bucket/logs"}, strings.Fields(c.args)...)
		_, errOut, code := run(t, args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q", c.args, code, errOut)
		}
	}
}

// Without credentials a remote source is bad usage, saying how to give them.
func TestRemoteNoCredentials(t *testing.T) {
	fakeAWSEnv(t, nil)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, errOut, code := run(t, "observe", "--flows", "s3://flow-bucket/logs")
	if code != 2 || !strings.Contains(errOut, "no usable AWS credentials") || !strings.Contains(errOut, "--profile NAME") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
