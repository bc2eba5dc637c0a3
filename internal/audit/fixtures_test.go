package audit_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/inventory/cloudformation"
	"github.com/walls-dev/walls/internal/inventory/terraform"
	"github.com/walls-dev/walls/internal/render"
	"github.com/walls-dev/walls/internal/vpc"
)

var update = flag.Bool("update", false, "rewrite the expected findings and golden SARIF files")

// fixedNow keeps suppression expiry deterministic.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// loadFixture reads one input of any kind. Terraform folders go through the
// terraform package directly, so the fixtures work whichever loaders
// inventory.Load has wired.
func loadFixture(t *testing.T, path string) (*vpc.Inventory, []audit.Suppression) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.IsDir() {
		inv := vpc.New()
		sups, err := terraform.LoadHCLDirWithSuppressions(path, inv)
		if err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
		inventory.Finalize(inv)
		var out []audit.Suppression
		for _, s := range sups {
			loc := &audit.Location{File: s.Loc.File, Line: s.Loc.Line}
			a := audit.Suppression{CheckID: s.CheckID, Resource: s.Resource, Reason: s.Reason, Source: loc}
			if s.Rule {
				a.At = loc
			}
			out = append(out, a)
		}
		return inv, out
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inv := vpc.New()
	switch {
	case terraform.Detect(data):
		err = terraform.LoadShowJSON(path, data, inv)
	case cloudformation.Detect(data):
		err = cloudformation.LoadTemplate(path, data, inv)
	default:
		inv, err = inventory.Load([]string{path})
		if err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
		return inv, nil
	}
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	inventory.Finalize(inv)
	return inv, nil
}

// findingLines renders findings one per line for expected files.
func findingLines(rep *audit.Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString(f.Severity.String() + " " + f.CheckID + " " + f.ResourceID)
		if f.Location != nil {
			b.WriteString(" @ " + filepath.ToSlash(f.Location.String()))
		}
		b.WriteString("\n  " + f.Message + "\n")
	}
	for _, f := range rep.Suppressed {
		b.WriteString("suppressed " + f.CheckID + " " + f.ResourceID + ": " + f.Suppression.Reason + "\n")
	}
	return b.String()
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if len(got) == 0 {
			os.Remove(file)
			return
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		want = nil
	} else if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (run go test -update):\n--- want\n%s\n--- got\n%s", file, want, got)
	}
}

// TestCheckFixtures runs each check alone over its good and bad fixtures,
// for every input kind present: awscli.json, terraform/ (a .tf folder),
// terraform-show.json, cloudformation.yaml. Bad fixtures must produce the
// findings in <input>.expected and the SARIF in <input>.sarif; good
// fixtures must produce none.
func TestCheckFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/checks/WALLS-*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		id := filepath.Base(dir)
		if _, ok := audit.Lookup(id); !ok {
			t.Errorf("%s: no such check", dir)
			continue
		}
		for _, kind := range []string{"bad", "good"} {
			inputs, _ := filepath.Glob(filepath.Join(dir, kind, "*"))
			n := 0
			for _, in := range inputs {
				base := filepath.Base(in)
				if strings.HasSuffix(base, ".expected") || strings.HasSuffix(base, ".sarif") {
					continue
				}
				n++
				name := strings.TrimSuffix(strings.TrimSuffix(base, ".json"), ".yaml")
				t.Run(id+"/"+kind+"/"+name, func(t *testing.T) {
					inv, sups := loadFixture(t, in)
					rep := audit.Run(inv, audit.Options{Checks: []string{id}, Now: fixedNow, Suppressions: sups})
					for _, n := range rep.Notes {
						if strings.HasPrefix(n.Message, "not evaluated") {
							t.Errorf("note: %s", n.Message)
						}
					}
					got := findingLines(rep)
					if kind == "good" {
						if got != "" {
							t.Errorf("good fixture has findings:\n%s", got)
						}
						return
					}
					if len(rep.Findings) == 0 {
						t.Errorf("bad fixture has no %s finding", id)
					}
					for _, f := range rep.Findings {
						if f.CheckID != id {
							t.Errorf("finding of %s in a run of %s", f.CheckID, id)
						}
					}
					prefix := filepath.Join(dir, kind, name)
					golden(t, prefix+".expected", []byte(got))
					var sb bytes.Buffer
					if err := render.AuditSARIF(&sb, rep, render.SARIFOptions{}); err != nil {
						t.Fatal(err)
					}
					golden(t, prefix+".sarif", sb.Bytes())
				})
			}
			if n == 0 {
				t.Errorf("%s: no %s fixture", dir, kind)
			}
		}
	}
}

// TestEveryCheckHasFixtures keeps the catalogue and the fixtures in step:
// every check that reads the inventory alone has a folder.
func TestEveryCheckHasFixtures(t *testing.T) {
	for _, c := range audit.Catalog() {
		if c.NeedsFlows || c.ID == audit.ExpiredSuppression {
			continue // covered by Go tests with observations and dates
		}
		if _, err := os.Stat(filepath.Join("testdata/checks", c.ID)); err != nil {
			t.Errorf("%s has no fixtures in testdata/checks", c.ID)
		}
	}
}
