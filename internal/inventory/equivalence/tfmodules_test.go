package equivalence_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/inventory/terraform"
	"github.com/walls-dev/walls/internal/vpc"
)

// testdata/tfmodules is one network written with the constructs real
// Terraform code is full of: a local module with inputs and an output
// through a local, count with the rule's own index, for_each over a map
// from terraform.tfvars.json, locals, a data source, lookup with a null
// default, try, a rule of a group the configuration does not declare.
// plan.json is its plan, made by testdata/gen-tfmodules-plan.sh with real
// terraform.
const tfmodules = "testdata/tfmodules"

func loadTFDir(t *testing.T, dir string) *vpc.Inventory {
	t.Helper()
	inv := vpc.New()
	if err := terraform.LoadHCLDir(dir, inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

func loadPlanFile(t *testing.T, file string) *vpc.Inventory {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	inv := vpc.New()
	if err := terraform.LoadShowJSON(file, data, inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

// unknownWarnings lists the warnings that say a value was not known.
func unknownWarnings(inv *vpc.Inventory) []string {
	var out []string
	for _, w := range inv.Warnings {
		if w.Code == "unknown-value" {
			out = append(out, w.Source.String()+" "+w.Message)
		}
	}
	return out
}

func TestTerraformModulesFolderAndPlanAgree(t *testing.T) {
	t.Parallel()
	folder := loadTFDir(t, tfmodules)
	plan := loadPlanFile(t, filepath.Join(tfmodules, "plan.json"))
	want := canon(folder)
	if got := canon(plan); got != want {
		t.Errorf("plan differs from the .tf folder:\n%s", diff(want, got))
	}
	if w := unknownWarnings(folder); len(w) > 0 {
		t.Errorf(".tf folder: nothing here should be unknown:\n%s", strings.Join(w, "\n"))
	}
	// What the network is, not merely the same twice.
	for _, line := range []string{
		"sg app ingress tcp 443 0.0.0.0/0",    // for_each from tfvars.json, lookup default
		"sg app ingress tcp 8443 10.0.0.0/16", // lookup found
		"sg db0 ingress tcp 5432 sg:app",      // count.index
		"sg db1 ingress tcp 5432 sg:app",
		"sg bastion ingress tcp 22 198.51.100.0/24", // module input from tfvars.json
		"sg bastion egress all all 0.0.0.0/0",       // through the module output
		"sg sg-0123456789abcdef0 ingress tcp 22 198.51.100.0/24",
		"nacl default in 110 allow tcp 1024-65535 ::/0", // lookup(…, null)
		"nacl private in 110 allow tcp 443 10.0.0.0/16",
		"nacl private vpc=eqmod default=false subnets=private0,private1",
		"subnet private1 vpc=eqmod 10.0.2.0/24 [] az=us-east-1b",
	} {
		if !strings.Contains(want, line+"\n") {
			t.Errorf("inventory lacks %q:\n%s", line, want)
		}
	}
	// Findings on the plan point at the .tf lines, the folder being at hand.
	g := plan.Groups["aws_security_group.db[1]"]
	if g == nil || len(g.Ingress) != 1 || g.Ingress[0].Source.File != filepath.Join(tfmodules, "main.tf") || g.Ingress[0].Source.Line == 0 {
		t.Errorf("plan rule location: %+v", g)
	}
}

// Without the .tf files, the plan still ties every rule whose reference
// the configuration section resolves; the rules behind locals stay on
// groups named by their reference, never dropped.
func TestTerraformModulesPlanAlone(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(tfmodules, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := canon(loadPlanFile(t, file))
	for _, line := range []string{
		"sg db1 ingress tcp 5432 sg:app",
		"sg local.app_sg ingress tcp 443 0.0.0.0/0",
		"sg module.bastion.local.sg_id ingress tcp 22 198.51.100.0/24",
		"sg module.bastion.security_group_id egress all all 0.0.0.0/0",
	} {
		if !strings.Contains(c, line+"\n") {
			t.Errorf("plan alone lacks %q:\n%s", line, c)
		}
	}
}

// With terraform and the AWS provider on this machine, a fresh plan of the
// folder gives the same inventory as the folder (and as the committed
// plan). It takes some 15 s, so -short skips it.
func TestTerraformModulesLive(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not running terraform")
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("terraform not found: ", err)
	}
	env := os.Environ()
	if f := os.Getenv("TF_CLI_CONFIG_FILE"); f == "" || !fileExists(f) {
		mirror := os.Getenv("WALLS_TF_PLUGIN_DIR")
		if mirror == "" {
			mirror = "/opt/tf-plugins"
		}
		if !fileExists(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws")) {
			t.Skip("terraform found but no AWS provider: TF_CLI_CONFIG_FILE names no file and there is no mirror at " + mirror)
		}
		rc := filepath.Join(t.TempDir(), "terraformrc")
		cfg := "provider_installation {\n  filesystem_mirror {\n    path = \"" + mirror + "\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n  direct {\n    exclude = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n}\n"
		if err := os.WriteFile(rc, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "TF_CLI_CONFIG_FILE="+rc)
	}
	env = append(env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	work := t.TempDir()
	if err := os.CopyFS(work, os.DirFS(tfmodules)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(work, "plan.json")); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		cmd := exec.Command("terraform", args...)
		cmd.Dir, cmd.Env = work, env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out
	}
	run("init", "-input=false", "-no-color")
	run("plan", "-refresh=false", "-input=false", "-no-color", "-out=plan.bin")
	planJSON := run("show", "-json", "plan.bin")
	file := filepath.Join(work, "plan.json")
	if err := os.WriteFile(file, planJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	want := canon(loadTFDir(t, tfmodules))
	if got := canon(loadPlanFile(t, file)); got != want {
		t.Errorf("fresh plan differs from the .tf folder:\n%s", diff(want, got))
	}
	if got := canon(loadPlanFile(t, filepath.Join(tfmodules, "plan.json"))); got != want {
		t.Errorf("committed plan.json is stale (run testdata/gen-tfmodules-plan.sh):\n%s", diff(want, got))
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
