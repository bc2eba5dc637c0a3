package terraform

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

func loadFiles(t *testing.T, files map[string]string) (*vpc.Inventory, error) {
	t.Helper()
	in := map[string][]byte{}
	for n, s := range files {
		in[n] = []byte(s)
	}
	inv := vpc.New()
	_, err := LoadHCLFiles(in, inv)
	return inv, err
}

// groupWithRules loads files and returns aws_security_group.a, checking
// its rules (sorted, joined by ";").
func groupWithRules(t *testing.T, files map[string]string, want string) *vpc.SecurityGroup {
	t.Helper()
	inv, err := loadFiles(t, files)
	if err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["aws_security_group.a"]
	if got := strings.Join(rules(g), ";"); got != want {
		t.Fatalf("rules\n got %s\nwant %s\nwarnings:\n%s", got, want, warningsText(inv))
	}
	if w := warningsText(inv); w != "" {
		t.Errorf("warnings:\n%s", w)
	}
	return g
}

// A .tf.json file is read as its .tf form: references across the two
// syntaxes, variables, count, dynamic blocks, and file:line locations.
func TestTFJSONMixedWithHCL(t *testing.T) {
	t.Parallel()
	g := groupWithRules(t, map[string]string{
		"vars.tf": `variable "open" { default = "0.0.0.0/0" }`,
		"main.tf.json": `{
  "//": "a comment",
  "resource": {
    "aws_security_group": {
      "a": {
        "name": "a",
        "ingress": {
          "protocol": "tcp",
          "from_port": 22,
          "to_port": 22,
          "cidr_blocks": ["${var.open}"]
        },
        "dynamic": {
          "egress": {
            "for_each": "${[443, 80]}",
            "content": {
              "protocol": "tcp",
              "from_port": "${egress.value}",
              "to_port": "${egress.value}",
              "cidr_blocks": ["10.0.0.0/8"]
            }
          }
        }
      }
    },
    "aws_security_group_rule": {
      "r": {
        "count": 2,
        "type": "ingress",
        "security_group_id": "${aws_security_group.a.id}",
        "protocol": "udp",
        "from_port": "${53 + count.index}",
        "to_port": "${53 + count.index}",
        "cidr_blocks": ["192.0.2.0/24"]
      }
    }
  }
}`}, "egress tcp 443 to 10.0.0.0/8;egress tcp 80 to 10.0.0.0/8;ingress tcp 22 from 0.0.0.0/0;ingress udp 53 from 192.0.2.0/24;ingress udp 54 from 192.0.2.0/24")
	if g.Source.String() != "main.tf.json:5" {
		t.Errorf("group at %s", g.Source)
	}
	for _, r := range g.Ingress {
		if r.FromPort == 22 && r.Source.String() != "main.tf.json:8" {
			t.Errorf("ssh rule at %s, want main.tf.json:8 (its first argument)", r.Source)
		}
	}
}

// Override files, in either syntax, merge into the block they name:
// arguments replace, a nested block type replaces every block of that
// type, locals and variable defaults are overridden by name.
func TestTFJSONOverrides(t *testing.T) {
	t.Parallel()
	g := groupWithRules(t, map[string]string{
		"main.tf": `variable "port" { default = 22 }
locals { peer = "10.0.0.0/8" }
resource "aws_security_group" "a" {
  name = "a"
  ingress {
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = [local.peer]
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}`,
		"override.tf.json": `{"variable": {"port": {"default": 443}},
 "locals": {"peer": "192.0.2.0/24"}}`,
		"sg_override.tf.json": `{"resource": {"aws_security_group": {"a": {
  "egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["198.51.100.0/24"]}]
}}}}`,
		"z_override.tf": `resource "aws_security_group" "a" {
  name = "b"
}`,
	}, "egress tcp 443 to 198.51.100.0/24;ingress tcp 443 from 192.0.2.0/24")
	if g.Name != "b" {
		t.Errorf("name %q: the last override must win", g.Name)
	}
	if g.Source.String() != "main.tf:3" {
		t.Errorf("group at %s, want its first declaration", g.Source)
	}
	if len(g.Egress) == 1 && g.Egress[0].Source.String() != "sg_override.tf.json:2" {
		t.Errorf("overriding egress at %s, want sg_override.tf.json:2", g.Egress[0].Source)
	}
}

func TestTFJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"syntax", map[string]string{"main.tf.json": "{\n\"resource\": {\n"}, "main.tf.json:3: invalid Terraform (JSON)"},
		{"override of nothing", map[string]string{"main.tf": "", "override.tf.json": `{"resource": {"aws_security_group": {"x": {}}}}`},
			"override.tf.json:1: override of resource aws_security_group.x: no such block"},
		{"override of an undeclared local", map[string]string{"main.tf": "", "x_override.tf": "locals {\n  a = 1\n}"},
			"x_override.tf:2: override of local.a"},
		{"block not an object", map[string]string{"main.tf.json": `{"resource": {"aws_security_group": {"x": 3}}}`}, "main.tf.json:1: invalid Terraform (JSON)"},
	}
	for _, tt := range tests {
		_, err := loadFiles(t, tt.files)
		var ie *vpc.InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want an input error containing %q", tt.name, err, tt.want)
		}
	}
}

// A folder of .tf.json files, and a local module written in JSON, are
// read from disk; the folder no longer warns that .tf.json is not read.
func TestTFJSONDirAndModule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf.json"), `{"module": {"web": {"source": "./sg", "peer": "0.0.0.0/0"}}}`)
	write(t, filepath.Join(dir, "sg", "sg.tf.json"), `{"variable": {"peer": {}},
 "resource": {"aws_security_group": {"this": {"ingress": {"protocol": "tcp", "from_port": 3389, "to_port": 3389, "cidr_blocks": ["${var.peer}"]}}}}}`)
	inv := vpc.New()
	if err := LoadHCLDir(dir, inv); err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["module.web.aws_security_group.this"]
	if got := strings.Join(rules(g), ";"); got != "ingress tcp 3389 from 0.0.0.0/0" {
		t.Errorf("module group rules %s", got)
	}
	if w := warningsText(inv); w != "" {
		t.Errorf("warnings:\n%s", w)
	}
}

// Next to a plan, .tf.json files tie rules through locals and locate
// findings, as .tf files do.
func TestShowJSONWithTFJSONAtHand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf.json"), `{
  "locals": {"sg": "${aws_security_group.a.id}"},
  "resource": {"aws_security_group_rule": {
    "l": {"type": "ingress"},
    "c": {}, "m": {}
  },
  "aws_vpc_security_group_ingress_rule": {"f": {}}}
}`)
	write(t, filepath.Join(dir, "mod", "main.tf"), "variable \"create\" {}\nlocals {\n  this_id = var.create ? concat(aws_security_group.this.*.id, [\"\"])[0] : var.id\n}\nresource \"aws_security_group_rule\" \"in\" {}\n")
	inv := vpc.New()
	if err := LoadShowJSON(filepath.Join(dir, "plan.json"), []byte(refsPlan), inv); err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["aws_security_group.a"]
	if got := strings.Join(rules(g), " "); got != "ingress tcp 80 from 0.0.0.0/0" {
		t.Fatalf("the local in main.tf.json must tie rule l to group a: %q", got)
	}
	if want := (vpc.Location{File: filepath.Join(dir, "main.tf.json"), Line: 4}); g.Ingress[0].Source != want {
		t.Errorf("rule located at %+v, want %+v", g.Ingress[0].Source, want)
	}
}

// A dynamic block counts as its type on either side of an override.
func TestOverrideDynamicBlocks(t *testing.T) {
	t.Parallel()
	groupWithRules(t, map[string]string{
		"main.tf": `resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = [22, 3389]
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}`,
		"main_override.tf.json": `{"resource": {"aws_security_group": {"a": {
  "ingress": {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
  "dynamic": {"egress": {"for_each": "${[53]}", "content": {"protocol": "udp", "from_port": "${egress.value}", "to_port": "${egress.value}", "cidr_blocks": ["10.0.0.2/32"]}}}
}}}}`,
	}, "egress udp 53 to 10.0.0.2/32;ingress tcp 443 from 10.0.0.0/8")
}
