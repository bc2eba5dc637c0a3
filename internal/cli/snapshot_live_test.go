package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/awstest"
	"github.com/walls-dev/walls/internal/live"
	"github.com/walls-dev/walls/internal/vpc"
)

const (
	liveAccount = "111122223333"
	liveKey     = "AKIAWALLSCLITEST0001"
	liveSecret  = "cliSecretThatMustNeverAppear/xyz"
	liveToken   = "cliSessionTokenThatMustNeverAppear"
)

// liveServer starts the EC2/STS test endpoint with a generated place and
// points the SDK at it.
func liveServer(t *testing.T) *awstest.EC2 {
	t.Helper()
	srv := awstest.NewEC2(t)
	srv.AddCredentials(liveKey, liveAccount)
	srv.Place(liveAccount, "eu-west-1").Fill(liveAccount, "eu-west-1", 20, 30)
	awstest.Isolate(t, srv.URL, "eu-west-1", liveKey, liveSecret, liveToken)
	return srv
}

// clearLocations zeroes every vpc.Location reachable from v: where a
// thing was read from differs between two folders holding the same data.
func clearLocations(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearLocations(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(vpc.Location{}) {
			if v.CanSet() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				clearLocations(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			clearLocations(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			clearLocations(v.MapIndex(k))
		}
	}
}

func TestSnapshotCommandLoadsAsLive(t *testing.T) {
	liveServer(t)
	dir := filepath.Join(t.TempDir(), "snap")
	out, errOut, code := run(t, "snapshot", "--aws", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.TrimSpace(out) != filepath.Join(dir, liveAccount, "eu-west-1") {
		t.Errorf("stdout %q", out)
	}
	ios := &IOStreams{ErrOut: &strings.Builder{}}
	offline, err := loadInputs(ios, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	online, err := loadInputs(ios, nil, &awsFlags{Live: true})
	if err != nil {
		t.Fatal(err)
	}
	offline.Warnings, online.Warnings = nil, nil
	clearLocations(reflect.ValueOf(offline))
	clearLocations(reflect.ValueOf(online))
	if !reflect.DeepEqual(offline.Loaded, online.Loaded) || !reflect.DeepEqual(offline.Groups, online.Groups) ||
		!reflect.DeepEqual(offline.Interfaces, online.Interfaces) || !reflect.DeepEqual(offline.NACLs, online.NACLs) ||
		!reflect.DeepEqual(offline.Subnets, online.Subnets) || !reflect.DeepEqual(offline.VPCs, online.VPCs) ||
		!reflect.DeepEqual(offline.PrefixLists, online.PrefixLists) {
		t.Error("the --aws load differs from loading the snapshot folder")
	}
	if len(online.Groups) != 20 || len(online.Interfaces) != 30 {
		t.Errorf("loaded %d groups and %d interfaces, want 20 and 30", len(online.Groups), len(online.Interfaces))
	}
	// The same verdicts, live or from the folder.
	a, _, c1 := run(t, "audit", dir, "--format", "json")
	b, _, c2 := run(t, "audit", "--aws", "--format", "json")
	a = strings.ReplaceAll(a, dir+string(filepath.Separator), "aws:")
	if !strings.Contains(b, `"file": "aws:111122223333/eu-west-1/security-group-rules.json"`) {
		t.Error("live findings are not located as aws:<account>/<region>/<file>")
	}
	if c1 != c2 || a != b {
		t.Errorf("audit of the folder (exit %d) and audit --aws (exit %d) differ:\n%s\n---\n%s", c1, c2, a, b)
	}
}

func TestLiveDeniedKindIsPartial(t *testing.T) {
	srv := liveServer(t)
	srv.Deny(liveAccount, "eu-west-1", "DescribeNetworkAcls")
	want := "walls: warning: ec2:DescribeNetworkAcls denied in 111122223333/eu-west-1: NACL hops not evaluated"
	dir := filepath.Join(t.TempDir(), "snap")
	out, errOut, code := run(t, "snapshot", "--aws", "--region", "eu-west-1", "-o", dir)
	if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "partial") {
		t.Errorf("snapshot: exit %d, stderr %s", code, errOut)
	}
	_, errOut, code = run(t, "audit", dir)
	if code != 0 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "not loaded: network ACLs") {
		t.Errorf("audit of the partial snapshot: exit %d, stderr %s", code, errOut)
	}
	_, errLive, code := run(t, "audit", "--aws")
	if code != 0 || !strings.Contains(errLive, want) {
		t.Errorf("audit --aws: exit %d, stderr %s", code, errLive)
	}
	for _, s := range []string{out, errOut, errLive} {
		for _, secret := range []string{liveKey, liveSecret, liveToken} {
			if strings.Contains(s, secret) {
				t.Errorf("output holds a credential: %s", s)
			}
		}
	}
}

func TestLiveWithoutCredentials(t *testing.T) {
	awstest.Isolate(t, "http://127.0.0.1:1", "eu-west-1", "", "", "")
	for _, args := range [][]string{
		{"snapshot", "--aws", "-o", filepath.Join(t.TempDir(), "s")},
		{"audit", "--aws"},
		{"check", "--aws", "--from", "10.0.0.1", "--to", "10.0.0.2", "--port", "443"},
		{"observe", "--aws", "--flows", "flows.log"},
		{"learn", "--aws", "--flows", "flows.log"},
	} {
		start := time.Now()
		_, errOut, code := run(t, args...)
		if took := time.Since(start); took > 20*time.Second {
			t.Errorf("%v took %s", args, took)
		}
		if code != 2 || !strings.Contains(errOut, "AWS_ACCESS_KEY_ID") || !strings.Contains(errOut, "--profile") {
			t.Errorf("%v: exit %d, stderr %s", args, code, errOut)
		}
	}
}

func TestSnapshotWritesNoCredential(t *testing.T) {
	srv := liveServer(t)
	srv.AddRole("arn:aws:iam::444455556666:role/walls")
	srv.Place("444455556666", "eu-west-1").Fill("444455556666", "eu-west-1", 3, 3)
	dir := filepath.Join(t.TempDir(), "snap")
	out, errOut, code := run(t, "snapshot", "--aws", "--role-arn", "arn:aws:iam::444455556666:role/walls", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	secrets := append([]string{liveKey, liveSecret, liveToken}, srv.AssumedKeys()...)
	if len(secrets) != 4 {
		t.Fatalf("assumed keys %v", secrets)
	}
	for _, s := range secrets {
		if strings.Contains(out+errOut, s) {
			t.Errorf("output holds %q", s)
		}
	}
	awstest.NoSecretsUnder(t, dir, secrets...)
	if _, err := os.Stat(filepath.Join(dir, "444455556666", "eu-west-1", "manifest.json")); err != nil {
		t.Error(err)
	}
}

func TestSnapshotUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"snapshot", "-o", "x"}, "add --aws"},
		{[]string{"snapshot", "--aws"}, "-o DIR"},
		{[]string{"audit", "x.json", "--profile", "p"}, "--profile say how to reach AWS"},
		{[]string{"check", "x.json", "--region", "eu-west-1", "--from", "a", "--to", "b", "--port", "1"}, "--region say how to reach AWS"},
		{[]string{"observe", "--flows", "f.log", "--role-arn", "arn:aws:iam::1:role/r"}, "--role-arn say how to reach AWS"},
		{[]string{"learn", "x.json", "--flows", "f.log", "--role-session-name", "me"}, "--role-session-name say how to reach AWS"},
		{[]string{"diff", "x.json", "--plan", "p.json", "--profile", "p", "--region", "all"}, "--profile, --region say how to reach AWS"},
		{[]string{"replay", "x.json", "--plan", "p.json", "--flows", "f.log", "--profile", "p"}, "--profile say how to reach AWS"},
	} {
		_, errOut, code := run(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %s; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

func TestPrintPolicy(t *testing.T) {
	out, _, code := run(t, "snapshot", "--print-policy")
	if code != 0 || out != string(live.Policy()) {
		t.Fatalf("exit %d, %s", code, out)
	}
	var doc struct {
		Statement []struct {
			Sid    string
			Action []string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Statement) != 3 {
		t.Fatalf("policy %s: %v", out, err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), out) {
		t.Error("README.md does not hold the policy `walls snapshot --print-policy` prints")
	}
}

func TestSnapshotAllRegionsRoleWithoutConfiguredRegion(t *testing.T) {
	srv := liveServer(t)
	t.Setenv("AWS_REGION", "")
	srv.SetRegions("eu-west-1", "ap-south-1")
	srv.AddRole("arn:aws:iam::444455556666:role/walls")
	srv.Place("444455556666", "ap-south-1").Fill("444455556666", "ap-south-1", 2, 2)
	dir := filepath.Join(t.TempDir(), "snap")
	out, errOut, code := run(t, "snapshot", "--aws", "--region", "all", "--role-arn", "arn:aws:iam::444455556666:role/walls", "-o", dir)
	if code != 0 || strings.Count(out, "\n") != 2 {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, out, errOut)
	}
	// The role is assumed in a region (STS needs one; the test endpoint
	// does not check it, AWS does).
	f := &awsFlags{Live: true, Regions: []string{"all"}, RoleARNs: []string{"arn:aws:iam::444455556666:role/walls"}}
	cfg, err := f.liveOptions().Config(context.Background(), f.RoleARNs[0])
	if err != nil || cfg.Region != "us-east-1" {
		t.Errorf("role config region %q, %v; want us-east-1", cfg.Region, err)
	}
}
