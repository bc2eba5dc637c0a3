// Package equivalence_test checks that the same network written as AWS CLI
// output, a Terraform folder, a terraform show -json plan and a
// CloudFormation template loads into equivalent inventories
// (testdata/equivalent/README.md).
package equivalence_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/inventory/cloudformation"
	"github.com/walls-dev/walls/internal/inventory/terraform"
	"github.com/walls-dev/walls/internal/vpc"
)

const dir = "../testdata/equivalent/"

var update = flag.Bool("update", false, "rewrite testdata/canonical.golden")

func loadForms(t *testing.T) map[string]*vpc.Inventory {
	t.Helper()
	forms := map[string]*vpc.Inventory{"awscli": loadAWSCLI(t, dir+"awscli")}

	inv := vpc.New()
	if err := terraform.LoadHCLDir(dir+"terraform", inv); err != nil {
		t.Fatal(err)
	}
	forms["terraform"] = inv

	// The same folder in Terraform's JSON syntax, with an override file.
	inv = vpc.New()
	if err := terraform.LoadHCLDir("testdata/terraform-json", inv); err != nil {
		t.Fatal(err)
	}
	forms["terraform-json"] = inv

	inv = vpc.New()
	data, err := os.ReadFile(dir + "terraform-show/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := terraform.LoadShowJSON(dir+"terraform-show/plan.json", data, inv); err != nil {
		t.Fatal(err)
	}
	forms["terraform-show"] = inv

	inv = vpc.New()
	data, err = os.ReadFile(dir + "cloudformation/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.LoadTemplate(dir+"cloudformation/template.yaml", data, inv); err != nil {
		t.Fatal(err)
	}
	forms["cloudformation"] = inv
	return forms
}

func TestFormsAreEquivalent(t *testing.T) {
	t.Parallel()
	forms := loadForms(t)
	want := canon(forms["awscli"])
	for _, name := range []string{"terraform", "terraform-json", "terraform-show", "cloudformation"} {
		if got := canon(forms[name]); got != want {
			t.Errorf("%s differs from awscli:\n%s", name, diff(want, got))
		}
	}
	// The network is what the README says, not merely the same four times.
	const golden = "testdata/canonical.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if g, err := os.ReadFile(golden); err != nil || string(g) != want {
		t.Errorf("canonical form differs from %s (run go test -update after checking):\n%s", golden, diff(string(g), want))
	}
	for _, line := range []string{
		"sg web egress tcp 3389 0.0.0.0/0",
		"sg web egress tcp 8080 sg:app",
		"sg db ingress tcp 3306 sg:workers",
		"sg workers egress all all ::/0",
		"nacl private in 110 allow tcp 22 10.0.0.0/16",
		"nacl private vpc=main default=false subnets=private",
	} {
		if !strings.Contains(want, line+"\n") {
			t.Errorf("awscli form lacks %q", line)
		}
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	forms := loadForms(t)
	for name, inv := range forms {
		var codes []string
		for _, w := range inv.Warnings {
			codes = append(codes, w.Code+" "+w.Source.String())
		}
		want := 0
		if name == "cloudformation" {
			want = 1 // the assumed default egress of unused
		}
		if len(codes) != want {
			t.Errorf("%s: warnings %v, want %d", name, codes, want)
		}
	}
	w := forms["cloudformation"].Warnings[0]
	if w.Code != "assumed-default-egress" || !w.Note || !strings.Contains(w.Message, "(UnusedSG)") {
		t.Errorf("cloudformation warning = %+v, want the template's assumed-default-egress note naming UnusedSG", w)
	}
}

// TestLocations pins the file:line of a few objects in each IaC form, so
// audit findings point at the right line.
func TestLocations(t *testing.T) {
	t.Parallel()
	forms := loadForms(t)
	byName := func(inv *vpc.Inventory, name string) *vpc.SecurityGroup {
		for _, g := range inv.Groups {
			if g.Name == name {
				return g
			}
		}
		t.Fatalf("no group %s", name)
		return nil
	}
	rule := func(g *vpc.SecurityGroup, egress bool, port int32) vpc.Rule {
		for _, r := range g.Rules(egress) {
			if r.FromPort == port {
				return r
			}
		}
		t.Fatalf("%s: no rule on port %d", g.Name, port)
		return vpc.Rule{}
	}
	tf, show, cfn := forms["terraform"], forms["terraform-show"], forms["cloudformation"]
	tfDir, cfnFile := dir+"terraform/", dir+"cloudformation/template.yaml"
	tfj, tfjDir := forms["terraform-json"], "testdata/terraform-json/"
	tests := []struct {
		name string
		got  vpc.Location
		want string
	}{
		{"tf workers group", byName(tf, "workers").Source, tfDir + "groups.tf:1"},
		{"tf workers ssh block", rule(byName(tf, "workers"), false, 22).Source, tfDir + "groups.tf:6"},
		{"tf web rdp rule resource", rule(byName(tf, "web"), true, 3389).Source, tfDir + "groups.tf:79"},
		{"tf db ingress rule resource", rule(byName(tf, "db"), false, 3306).Source, tfDir + "groups.tf:29"},
		{"tf nacl entry 110", tf.NACLs["aws_network_acl.private"].Inbound[1].Source, tfDir + "network.tf:58"},
		{"tf subnet", tf.Subnets["aws_subnet.private"].Source, tfDir + "network.tf:35"},
		{"tf instance", tf.Interfaces["aws_instance.web"].Source, tfDir + "instances.tf:1"},
		{"tf.json workers group", byName(tfj, "workers").Source, tfjDir + "groups.tf.json:5"},
		{"tf.json workers ssh block", rule(byName(tfj, "workers"), false, 22).Source, tfjDir + "groups.tf.json:11"},
		{"tf.json web rdp rule resource", rule(byName(tfj, "web"), true, 3389).Source, tfjDir + "groups.tf.json:146"},
		{"tf.json nacl entry 110", tfj.NACLs["aws_network_acl.private"].Inbound[1].Source, tfjDir + "network.tf.json:65"},
		{"plan web group", byName(show, "web").Source, dir + "terraform-show/plan.json:309"},
		{"cfn web group", byName(cfn, "web").Source, cfnFile + ":153"},
		{"cfn web ingress item", rule(byName(cfn, "web"), false, 443).Source, cfnFile + ":160"},
		{"cfn web to app resource", rule(byName(cfn, "web"), true, 8080).Source, cfnFile + ":171"},
		{"cfn nacl entry 110", cfn.NACLs["PrivateNACL"].Inbound[1].Source, cfnFile + ":72"},
		{"cfn assumed egress", rule(byName(cfn, "unused"), true, -1).Source, cfnFile + ":199"},
	}
	for _, tt := range tests {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("%s: location %s, want %s", tt.name, got, tt.want)
		}
	}
	if p := byName(show, "web").Source.Path; p != "planned_values.root_module.resources[9]" {
		t.Errorf("plan web group path %q", p)
	}
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	sups, err := terraform.LoadHCLDirWithSuppressions(dir+"terraform", vpc.New())
	if err != nil {
		t.Fatal(err)
	}
	want := []terraform.Suppression{
		{CheckID: "WALLS-SG-003", Resource: "aws_security_group_rule.web_rdp", Reason: "remote desktop to the vendor bastion, ticket OPS-12",
			Loc: vpc.Location{File: dir + "terraform/groups.tf", Line: 79}, Rule: true},
		{CheckID: "WALLS-SG-001", Resource: "aws_security_group.unused", Reason: "decommissioned in Q3",
			Loc: vpc.Location{File: dir + "terraform/groups.tf", Line: 122}, Rule: true},
	}
	if len(sups) != len(want) {
		t.Fatalf("suppressions %+v, want %+v", sups, want)
	}
	for i := range want {
		if sups[i] != want[i] {
			t.Errorf("suppression %d = %+v, want %+v", i, sups[i], want[i])
		}
	}
}

func diff(want, got string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
