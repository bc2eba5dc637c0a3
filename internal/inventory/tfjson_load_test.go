package inventory

import (
	"os"
	"path/filepath"
	"testing"
)

// A folder of Terraform JSON files is a Terraform folder, not a folder of
// JSON inventories, whether walked into or named file by file.
func TestLoadTerraformJSONFolder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "net")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "main.tf.json")
	src := `{"resource": {"aws_security_group": {"a": {"ingress": {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}}}}}`
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{root, f} {
		inv, err := Load([]string{in})
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		g := inv.Groups["aws_security_group.a"]
		if g == nil || len(g.Ingress) != 1 {
			t.Errorf("%s: group %+v, warnings %+v", in, g, inv.Warnings)
		}
	}
}

// A folder's terraform.tfvars.json and *.auto.tfvars.json are Terraform's
// variable values, read by the Terraform loader: no file is skipped.
func TestLoadTerraformVarFilesAreNotInventories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"main.tf":               `variable "p" {}` + "\n" + `resource "aws_security_group" "a" {` + "\n" + `  ingress {` + "\n" + `    protocol = "tcp"` + "\n" + `    from_port = 22` + "\n" + `    to_port = 22` + "\n" + `    cidr_blocks = [var.p]` + "\n  }\n}\n",
		"terraform.tfvars.json": `{"p": "10.0.0.0/8"}`,
		"ci.auto.tfvars.json":   `{"p": "0.0.0.0/0"}`,
		"staging.tfvars.json":   `{"p": "192.0.2.0/24"}`,
	}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range inv.Warnings {
		t.Errorf("warning: %s %s", w.Code, w.Message)
	}
	g := inv.Groups["aws_security_group.a"]
	if g == nil || len(g.Ingress) != 1 || g.Ingress[0].Peer.Prefix.String() != "0.0.0.0/0" {
		t.Errorf("group %+v: want the auto.tfvars.json value", g)
	}
}
