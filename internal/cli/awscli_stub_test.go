package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestStubAWS is not a test: run as `TESTBINARY -test.run=^TestStubAWS$
// ec2 …` with WALLS_STUB_AWS=1, it is the `aws` command the exported
// script calls, for the two subcommands the script uses, reaching the
// endpoint AWS_ENDPOINT_URL names through the SDK.
func TestStubAWS(t *testing.T) {
	if os.Getenv("WALLS_STUB_AWS") != "1" {
		t.Skip("the stub aws command, run by TestExportAWSCLIScriptAgainstEndpoint")
	}
	os.Exit(stubAWS(flag.Args()))
}

func stubAWS(args []string) int {
	if len(args) < 2 || args[0] != "ec2" {
		fmt.Fprintf(os.Stderr, "stub aws: unsupported %q\n", args)
		return 252
	}
	opts := map[string]string{}
	for i := 2; i+1 < len(args); i += 2 {
		opts[strings.TrimPrefix(args[i], "--")] = args[i+1]
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 253
	}
	c := ec2.NewFromConfig(cfg)
	var perms []types.IpPermission
	if s := opts["ip-permissions"]; s != "" {
		if err := json.Unmarshal([]byte(s), &perms); err != nil {
			fmt.Fprintln(os.Stderr, "stub aws: --ip-permissions:", err)
			return 252
		}
	}
	switch args[1] {
	case "authorize-security-group-egress":
		_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(opts["group-id"]), IpPermissions: perms})
	case "revoke-security-group-egress":
		in := &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(opts["group-id"]), IpPermissions: perms}
		if id := opts["security-group-rule-ids"]; id != "" {
			in.SecurityGroupRuleIds = []string{id}
		}
		_, err = c.RevokeSecurityGroupEgress(ctx, in)
	default:
		fmt.Fprintf(os.Stderr, "stub aws: unsupported %q\n", args[1])
		return 252
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 254
	}
	return 0
}

// The script walls export --format awscli writes, run with the stub aws
// on PATH against the endpoint, leaves exactly the proposed rules
// (issue #13, what must hold).
func TestExportAWSCLIScriptAgainstEndpoint(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	srv := applyWorld(t)
	groups := groupsOf(srv, 3)
	planPath := writeTestPlan(t, groups, nil)
	want := rulesNow(srv)
	for _, g := range groups {
		want[g] = proposedTexts(t, srv, g)
	}
	script := filepath.Join(t.TempDir(), "apply-egress.sh")
	if _, errOut, code := run(t, "export", "--aws", "--plan", planPath, "--format", "awscli", "-o", script); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	stub := "#!/bin/sh\nexec " + shellQuote(self) + " -test.run='^TestStubAWS$' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, script)
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "WALLS_STUB_AWS=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	if got := rulesNow(srv); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules after the script:\n%v\nwant\n%v", got, want)
	}
	// Run again, it fails on the first rule already there (the script
	// is not idempotent; walls apply is).
	cmd = exec.Command(bash, script)
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "WALLS_STUB_AWS=1")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "InvalidPermission.Duplicate") {
		t.Errorf("second run: %v\n%s", err, out)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
