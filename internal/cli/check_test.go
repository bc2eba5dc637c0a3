package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/demo"
)

// demoInventory writes the demo scenario and returns a variant's files.
func demoInventory(t *testing.T, v demo.Variant) []string {
	t.Helper()
	ws, err := demo.NewWorkspace()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws.Inventory(v)
}

// scrub replaces the temporary folder in output with a stable name.
func scrub(s string, files []string) string {
	dir := filepath.Dir(files[0])
	return strings.ReplaceAll(s, dir, "$DEMO")
}

func TestCheckGolden(t *testing.T) {
	cases := []struct {
		name    string
		variant demo.Variant
		args    []string
		code    int
	}{
		{"worker-to-db-today", demo.Today, []string{"--from", demo.Worker1Instance, "--to", demo.DatabaseIP, "--port", "3306"}, 0},
		{"worker-to-db-tightened", demo.Tightened, []string{"--from", demo.Worker1Instance, "--to", demo.DatabaseIP, "--port", "3306"}, 1},
		{"ssh-in-tightened", demo.Tightened, []string{"--from", demo.EngineerIP, "--to", demo.Worker1ENI, "--port", "22"}, 0},
		{"yum-strict-nacl", demo.StrictNACL, []string{"--from", demo.Worker1Instance, "--to", demo.MirrorIP, "--port", "443"}, 1},
		{"sg-members-to-db", demo.Tightened, []string{"--from", demo.WorkersSG, "--to", demo.DatabaseSG, "--port", "3306"}, 1},
		{"icmp-echo", demo.Today, []string{"--from", demo.Worker1ENI, "--to", demo.DatabaseIP, "--protocol", "icmp", "--icmp-type", "8"}, 1},
	}
	for _, tc := range cases {
		for _, format := range []string{"table", "json"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				files := demoInventory(t, tc.variant)
				args := append(append([]string{"check"}, files...), tc.args...)
				args = append(args, "--format", format)
				out, errOut, code := run(t, args...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
				}
				if format == "json" {
					var v struct {
						Verdict string            `json:"verdict"`
						Hops    []json.RawMessage `json:"hops"`
					}
					if err := json.Unmarshal([]byte(out), &v); err != nil {
						t.Fatalf("invalid JSON: %v\n%s", err, out)
					}
					if (v.Verdict == "allowed") != (tc.code == 0) || len(v.Hops) == 0 {
						t.Fatalf("verdict %q with %d hops for exit %d", v.Verdict, len(v.Hops), tc.code)
					}
				}
				ext := ".txt"
				if format == "json" {
					ext = ".json"
				}
				golden(t, filepath.Join("check", tc.name+ext), scrub(out, files))
			})
		}
	}
}

func TestCheckBadInput(t *testing.T) {
	files := demoInventory(t, demo.Today)
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no inventory", []string{"check", "--from", "a", "--to", "b", "--port", "1"}, "no inventory given"},
		{"no port", append(append([]string{"check"}, files...), "--from", demo.Worker1ENI, "--to", demo.DatabaseIP), "--port is required for tcp"},
		{"port with icmp", append(append([]string{"check"}, files...), "--from", demo.Worker1ENI, "--to", demo.DatabaseIP, "--protocol", "icmp", "--port", "8"), "use --icmp-type"},
		{"bad protocol", append(append([]string{"check"}, files...), "--from", demo.Worker1ENI, "--to", demo.DatabaseIP, "--protocol", "tcpx", "--port", "1"), `protocol "tcpx"`},
		{"unknown eni", append(append([]string{"check"}, files...), "--from", "eni-nope", "--to", demo.DatabaseIP, "--port", "1"), "--from: network interface eni-nope is not in the inventory"},
		{"bad format", append(append([]string{"check"}, files...), "--from", demo.Worker1ENI, "--to", demo.DatabaseIP, "--port", "1", "--format", "xml"), `--format "xml"`},
		{"bad client ports", append(append([]string{"check"}, files...), "--from", demo.Worker1ENI, "--to", demo.DatabaseIP, "--port", "1", "--client-ports", "9-1"), "--client-ports"},
		{"missing file", []string{"check", "nope.json", "--from", "a", "--to", "b", "--port", "1"}, "nope.json"},
		{"unknown flag", []string{"check", "--frm", "a"}, "unknown flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, tc.args...)
			if code != ExitBadInput {
				t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tc.msg) {
				t.Errorf("stderr %q does not mention %q", errOut, tc.msg)
			}
			if out != "" {
				t.Errorf("nothing may reach stdout on bad input, got %q", out)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	out, errOut, code := run(t, "demo")
	if code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Every step gave the expected answer", "DENIED", "ALLOWED", "return: source NACL inbound"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(out, "UNEXPECTED") {
		t.Errorf("a demo step gave an unexpected answer:\n%s", out)
	}
}

// TestCheckTerraform: endpoints named by Terraform addresses resolve, and
// the verdict matches the same network's AWS CLI form.
func TestCheckTerraform(t *testing.T) {
	for _, dir := range []string{"../inventory/testdata/equivalent/terraform", "../inventory/testdata/equivalent/cloudformation"} {
		out, errOut, code := run(t, "check", dir, "--from", "10.0.2.10", "--to", "10.0.2.20", "--port", "3306")
		if code != 0 || !strings.Contains(out, "ALLOWED") {
			t.Errorf("%s: exit %d\n%s%s", dir, code, out, errOut)
		}
	}
	out, errOut, code := run(t, "check", "../inventory/testdata/equivalent/terraform", "--from", "aws_security_group.workers", "--to", "aws_security_group.db", "--port", "3306")
	if code != 0 || !strings.Contains(out, "aws_vpc_security_group_ingress_rule.db_mysql") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}
