package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/awstest/athenatest"
)

// athenaRecords are v5 flow-log records (the header names the fields).
const athenaRecords = `version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr flow-direction traffic-path
5 123456789012 eni-0a 10.0.1.10 198.51.100.7 40001 443 6 10 840 1700000000 1700000060 ACCEPT OK vpc-1 subnet-1 i-0a 2 IPv4 10.0.1.10 198.51.100.7 egress -
5 123456789012 eni-0a 198.51.100.7 10.0.1.10 443 40001 6 9 5000 1700000000 1700000060 ACCEPT OK vpc-1 subnet-1 i-0a 18 IPv4 198.51.100.7 10.0.1.10 ingress -
5 123456789012 eni-0a 203.0.113.9 10.0.1.10 51000 22 6 3 180 1700000100 1700000160 REJECT OK vpc-1 subnet-1 i-0a 2 IPv4 203.0.113.9 10.0.1.10 ingress -
5 123456789012 eni-0a 10.0.1.10 10.0.2.20 33000 7000 6 4 400 1700000100 1700000160 ACCEPT OK vpc-1 subnet-1 i-0a - IPv4 10.0.1.10 10.0.2.20 - -
5 123456789012 eni-0a 10.0.2.20 10.0.1.10 7000 33000 6 4 400 1700000100 1700000160 ACCEPT OK vpc-1 subnet-1 i-0a - IPv4 10.0.2.20 10.0.1.10 - -
5 123456789012 eni-0c 10.0.2.20 10.0.1.10 9001 9002 17 1 100 1700000200 1700000260 ACCEPT OK - - - - IPv4 10.0.2.20 10.0.1.10 egress -
5 123456789012 eni-0c - - - - - - - 1700000300 1700000360 - NODATA - - - - - - - - -
5 123456789012 eni-0c - - - - - - - 1700000300 1700000360 - SKIPDATA - - - - - - - - -
`

// athenaServer loads athenaRecords into a test Athena and points the SDK
// at it through the environment, with test credentials.
func athenaServer(t *testing.T) (*athenatest.Athena, string) {
	a := athenatest.NewAthena(t)
	lines := strings.Split(strings.TrimSpace(athenaRecords), "\n")
	names := strings.Fields(lines[0])
	tb := &athenatest.AthenaTable{Database: "flows", Name: "vpc", PartitionKeys: []athenatest.AthenaColumn{{Name: "day", Type: "string"}},
		Parameters: map[string]string{"projection.enabled": "true", "projection.day.format": "yyyy/MM/dd"}}
	num := map[string]bool{"version": true, "srcport": true, "dstport": true, "protocol": true, "packets": true, "bytes": true, "start": true, "end": true, "tcp-flags": true, "traffic-path": true}
	for _, n := range names {
		typ := "string"
		if num[n] {
			typ = "bigint"
		}
		tb.Columns = append(tb.Columns, athenatest.AthenaColumn{Name: strings.ReplaceAll(n, "-", "_"), Type: typ})
	}
	if err := a.CreateTable(tb); err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for _, l := range lines[1:] {
		var row []any
		for i, f := range strings.Fields(l) {
			switch {
			case num[names[i]] && f == "-":
				row = append(row, nil)
			case num[names[i]]:
				n, _ := strconv.ParseInt(f, 10, 64)
				row = append(row, n)
			default:
				row = append(row, f)
			}
		}
		rows = append(rows, append(row, "2023/11/14"))
	}
	if err := a.Insert("flows", "vpc", rows); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "flows.log")
	if err := os.WriteFile(file, []byte(athenaRecords), 0o644); err != nil {
		t.Fatal(err)
	}
	isolateAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTESTONLY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-never-printed")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL", a.URL())
	old := athenaPoll
	athenaPoll = time.Millisecond
	t.Cleanup(func() { athenaPoll = old })
	return a, file
}

// isolateAWS keeps the developer's AWS configuration out of a test.
func isolateAWS(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestObserveAthenaMatchesFiles(t *testing.T) {
	a, file := athenaServer(t)
	a.ScannedBytes = 1 << 40
	for _, format := range []string{"csv", "table"} {
		remote, errs, code := run(t, "observe", "--flows", "athena://flows.vpc?workgroup=wg&output=s3://results/", "--format", format, "--since", "2023-11-14")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		local, lerrs, lcode := run(t, "observe", "--flows", file, "--format", format, "--since", "2023-11-14")
		if lcode != 0 {
			t.Fatalf("local: exit %d: %s", lcode, lerrs)
		}
		if remote != local || !strings.Contains(remote, "198.51.100.7") {
			t.Errorf("%s: athena:\n%s\nlocal files:\n%s", format, remote, local)
		}
		if !strings.Contains(errs, "scanned 1.10 TB") || !strings.Contains(errs, "$5.00 at $5.00 per TB") {
			t.Errorf("no data scanned and cost on stderr: %s", errs)
		}
		if strings.Contains(errs+remote, "test-secret-never-printed") || strings.Contains(errs+remote, "AKIDTESTONLY") {
			t.Error("a credential was printed")
		}
	}
	if q := a.Started[0]; !strings.Contains(q, `"day" >= '2023/11/13'`) {
		t.Errorf("the window did not bound the partitions:\n%s", q)
	}
}

func TestAthenaErrors(t *testing.T) {
	a, file := athenaServer(t)
	for _, tc := range []struct {
		args []string
		fail string
		want string
	}{
		{args: []string{"--flows", "athena://flows"}, want: "athena://flows: the database and table must be names"},
		{args: []string{"--flows", "athena://flows.vpc?colour=red"}, want: "athena://DATABASE.TABLE[?workgroup=NAME&output=s3://BUCKET/PREFIX/]"},
		{args: []string{"--flows", "athena://flows.vpc," + file}, want: "must be the only flow source"},
		{args: []string{"--flows", "athena://flows.nope"}, want: "Table nope not found"},
		{args: []string{"--flows", "athena://flows.vpc"}, fail: "HIVE_CURSOR_ERROR: bad object", want: "failed: HIVE_CURSOR_ERROR: bad object"},
		{args: []string{"--print-sql", "--flows", file}, want: "--print-sql needs --flows athena://"},
	} {
		a.FailWith = tc.fail
		_, errs, code := run(t, append([]string{"observe"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %s; want exit 2 with %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestPrintSQLWithoutCredentials(t *testing.T) {
	isolateAWS(t)
	out, errs, code := run(t, "observe", "--flows", "athena://flows.vpc", "--print-sql", "--since", "2026-11-02", "--until", "2026-11-03")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"WITH b AS", `FROM "flows"."vpc"`, `"day" >= '2026/11/01' AND "day" <= '2026/11/04'`, "GROUP BY kind"} {
		if !strings.Contains(out, want) {
			t.Errorf("printed SQL lacks %s:\n%s", want, out)
		}
	}
}

// TestAthenaProgress: on a terminal the query's state, time and data
// scanned are drawn on stderr; with --quiet, or off a terminal, nothing.
func TestAthenaProgress(t *testing.T) {
	a, _ := athenaServer(t)
	a.ScannedBytes = 5 << 20
	for _, tc := range []struct {
		tty, quiet bool
		want       bool
	}{{true, false, true}, {true, true, false}, {false, false, false}} {
		var out, errb bytes.Buffer
		args := []string{"observe", "--flows", "athena://flows.vpc", "--format", "csv"}
		if tc.quiet {
			args = append(args, "--quiet")
		}
		code := Main(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb, ErrTTY: tc.tty})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		drawn := strings.Contains(errb.String(), "walls: Athena query succeeded, ") && strings.Contains(errb.String(), "s, 5.2 MB scanned:")
		if drawn != tc.want {
			t.Errorf("tty %v quiet %v: progress drawn %v:\n%q", tc.tty, tc.quiet, drawn, errb.String())
		}
	}
}
