package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/audit"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/vpc"
)

const equivalent = "../inventory/testdata/equivalent"

// canonical names a finding's resource by what every form shares: the
// group's name, the NACL's Name tag.
func canonical(inv *vpc.Inventory, id string) string {
	if g := inv.Groups[id]; g != nil && g.Name != "" {
		return "sg:" + g.Name
	}
	if n := inv.NACLs[id]; n != nil && n.Tags["Name"] != "" {
		return "nacl:" + n.Tags["Name"]
	}
	return id
}

func summary(inv *vpc.Inventory, rep *audit.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.RuleRef == "default-egress" {
			// CloudFormation's implicit egress is one finding per
			// template listing its groups: compare it group by group.
			for _, g := range f.Related {
				out = append(out, fmt.Sprintf("%s %s %s", f.CheckID, f.Severity, canonical(inv, g)))
			}
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s", f.CheckID, f.Severity, canonical(inv, f.ResourceID)))
	}
	slices.Sort(out)
	return out
}

// TestSameNetworkSameFindings: the network of
// internal/inventory/testdata/equivalent, written as AWS CLI JSON, as a
// Terraform folder, as a terraform show -json plan and as CloudFormation,
// gives the same findings (by check, severity and resource name), but for
// WALLS-SG-008: only the account description lists every interface, so
// from code an uncarried group is not flagged and a note says why.
func TestSameNetworkSameFindings(t *testing.T) {
	forms := map[string]string{
		"awscli":         filepath.Join(equivalent, "awscli"),
		"terraform":      filepath.Join(equivalent, "terraform"),
		"terraform-json": "../inventory/equivalence/testdata/terraform-json", // the same folder as .tf.json
		"terraform-show": filepath.Join(equivalent, "terraform-show", "plan.json"),
		"cloudformation": filepath.Join(equivalent, "cloudformation", "template.yaml"),
	}
	got := map[string][]string{}
	for name, path := range forms {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var inv *vpc.Inventory
		if name == "awscli" {
			var err error
			if inv, err = inventory.Load([]string{path}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		} else {
			inv, _ = loadFixture(t, path)
		}
		rep := audit.Run(inv, audit.Options{Now: fixedNow})
		got[name] = summary(inv, rep)
		if name != "awscli" {
			noted := false
			for _, n := range rep.Notes {
				noted = noted || n.CheckID == audit.UnattachedGroup && strings.Contains(n.Message, "attachment could not be established")
			}
			if !noted {
				t.Errorf("%s: no note that attachment could not be established: %+v", name, rep.Notes)
			}
		}
	}
	want := got["awscli"]
	if len(want) == 0 {
		t.Fatal("no findings on the AWS CLI form")
	}
	fromCode := slices.DeleteFunc(slices.Clone(want), func(s string) bool { return strings.HasPrefix(s, audit.UnattachedGroup+" ") })
	for name, g := range got {
		w := want
		if name != "awscli" {
			w = fromCode
		}
		if !slices.Equal(g, w) {
			t.Errorf("%s findings differ from awscli:\n--- awscli\n%s\n--- %s\n%s", name,
				strings.Join(w, "\n"), name, strings.Join(g, "\n"))
		}
	}
	// The network's documented findings are among them.
	for _, w := range []string{"WALLS-SG-001 critical sg:workers", "WALLS-SG-003 high sg:web",
		"WALLS-SG-008 low sg:unused", "WALLS-NACL-001 low nacl:private"} {
		if !slices.Contains(want, w) {
			t.Errorf("missing %q in\n%s", w, strings.Join(want, "\n"))
		}
	}
}

// TestInlineSuppressions: the equivalent Terraform folder carries
// `# walls:ignore` comments on a resource (web_rdp) and on one egress block
// (unused); both hide exactly their finding, with the reason.
func TestInlineSuppressions(t *testing.T) {
	inv, sups := loadFixture(t, filepath.Join(equivalent, "terraform"))
	if len(sups) != 2 {
		t.Fatalf("want 2 inline suppressions, got %+v", sups)
	}
	rep := audit.Run(inv, audit.Options{Now: fixedNow, Suppressions: sups})
	var hidden []string
	for _, f := range rep.Suppressed {
		hidden = append(hidden, f.CheckID+" "+canonical(inv, f.ResourceID)+": "+f.Suppression.Reason)
	}
	slices.Sort(hidden)
	want := []string{
		"WALLS-SG-001 sg:unused: decommissioned in Q3",
		"WALLS-SG-003 sg:web: remote desktop to the vendor bastion, ticket OPS-12",
	}
	if !slices.Equal(hidden, want) {
		t.Errorf("suppressed:\n%s\nwant:\n%s", strings.Join(hidden, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range rep.Findings {
		if f.CheckID == audit.OpenEgress && canonical(inv, f.ResourceID) == "sg:unused" {
			t.Errorf("suppressed finding still reported: %s", f.Message)
		}
	}
}
