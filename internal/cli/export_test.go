package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/demo"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/plan"
)

// TestExportSeed: the seed scenario's plan in every format, against
// golden files; the Terraform and CloudFormation read back through walls'
// own loaders hold exactly the proposed rules, and the script is valid bash.
func TestExportSeed(t *testing.T) {
	ws, p := learnedDemoPlan(t)
	g := p.Group(demo.WorkersSG)
	want, err := plan.Rules(g.GroupID, g.ProposedEgress)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ format, file string }{{"terraform", "seed.tf"}, {"cloudformation", "seed.yaml"}, {"awscli", "seed.sh"}} {
		args := append(append([]string{"export"}, ws.Inventory(demo.Today)...), "--plan", ws.Plan(), "--format", f.format)
		out, errOut, code := run(t, args...)
		if code != 0 {
			t.Fatalf("export --format %s: exit %d: %s", f.format, code, errOut)
		}
		golden(t, filepath.Join("export", f.file), out)
		if f.format == "awscli" {
			if bash, err := exec.LookPath("bash"); err == nil {
				cmd := exec.Command(bash, "-n")
				cmd.Stdin = strings.NewReader(out)
				if msg, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("bash -n: %v: %s", err, msg)
				}
			}
			continue
		}
		// Read back alone: the group is named by its id, and its rules are
		// the proposal.
		dir := t.TempDir()
		name := "walls_egress.tf"
		if f.format == "cloudformation" {
			name = "egress.yaml"
		}
		os.WriteFile(filepath.Join(dir, name), []byte(out), 0o644)
		back, err := inventory.Load([]string{dir})
		if err != nil {
			t.Fatalf("%s read back: %v", f.format, err)
		}
		bg := back.Groups[demo.WorkersSG]
		if bg == nil {
			t.Fatalf("%s read back has no %s", f.format, demo.WorkersSG)
		}
		if d := plan.CompareRules(back, g.GroupID, bg.Egress, want); d.Changed() || len(bg.Egress) != len(want) {
			t.Errorf("%s read back: %d rules, differs from the proposal: %v %v", f.format, len(bg.Egress), d.RemovedSummary, d.AddedSummary)
		}
	}
}

// TestExportOutputFile: -o writes the file and nothing to stdout.
func TestExportOutputFile(t *testing.T) {
	ws, _ := learnedDemoPlan(t)
	path := filepath.Join(t.TempDir(), "egress.sh")
	out, errOut, code := run(t, append(append([]string{"export"}, ws.Inventory(demo.Today)...), "--plan", ws.Plan(), "--format", "awscli", "-o", path)...)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "authorize-security-group-egress --group-id "+demo.WorkersSG) {
		t.Errorf("the file lacks the commands: %v\n%s", err, b)
	}
}

// TestExportRefusals: usage errors and stale plans exit 2; a plan that
// widens exits 1 and writes nothing.
func TestExportRefusals(t *testing.T) {
	ws, p := learnedDemoPlan(t)
	inv := ws.Inventory(demo.Today)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{append(append([]string{"export"}, inv...), "--plan", ws.Plan()), ExitBadInput, "--format is required"},
		{append(append([]string{"export"}, inv...), "--plan", ws.Plan(), "--format", "pulumi"), ExitBadInput, `--format "pulumi"`},
		{[]string{"export", "--format", "terraform"}, ExitBadInput, "--plan is required"},
		{[]string{"export", "--plan", ws.Plan(), "--format", "terraform", "-o", ws.Plan()}, ExitBadInput, "is the input"},
		{append(append([]string{"export"}, ws.Inventory(demo.Tightened)...), "--plan", ws.Plan(), "--format", "terraform"), ExitBadInput, "plan is stale"},
	} {
		_, errOut, code := run(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, want %d with %q: %s", c.args, code, c.code, c.msg, errOut)
		}
	}
	// A hand-edited plan whose proposal allows what the current rules deny.
	g := p.Group(demo.WorkersSG)
	g.CurrentEgress = g.ProposedEgress[:1]
	b, _ := json.Marshal(p)
	edited := filepath.Join(t.TempDir(), "edited.json")
	os.WriteFile(edited, b, 0o644)
	outPath := filepath.Join(t.TempDir(), "out.tf")
	out, errOut, code := run(t, "export", "--plan", edited, "--format", "terraform", "-o", outPath)
	if code != ExitFinding || !strings.Contains(out, "THE PLAN DOES NOT HOLD") || !strings.Contains(errOut, "nothing written") {
		t.Errorf("widening plan: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(outPath); err == nil {
		t.Errorf("a widening plan was exported")
	}
}
