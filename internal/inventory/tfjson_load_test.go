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
