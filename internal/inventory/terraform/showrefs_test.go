package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// refsPlan is a one-line plan (as terraform show -json writes it) that
// creates groups and ties rules to them through count.index, each.key, a
// local, and a module output that leads to a local of the module.
const refsPlan = `{"format_version":"0.2","terraform_version":"1.0.0","planned_values":{"root_module":{"resources":[` +
	`{"address":"aws_security_group.c[0]","mode":"managed","type":"aws_security_group","name":"c","index":0,"values":{"name":"c0"}},` +
	`{"address":"aws_security_group.c[1]","mode":"managed","type":"aws_security_group","name":"c","index":1,"values":{"name":"c1"}},` +
	`{"address":"aws_security_group.f[\"ssh\"]","mode":"managed","type":"aws_security_group","name":"f","index":"ssh","values":{"name":"fs"}},` +
	`{"address":"aws_security_group.f[\"rdp\"]","mode":"managed","type":"aws_security_group","name":"f","index":"rdp","values":{"name":"fr"}},` +
	`{"address":"aws_security_group.a","mode":"managed","type":"aws_security_group","name":"a","values":{"name":"a"}},` +
	`{"address":"aws_security_group_rule.c[1]","mode":"managed","type":"aws_security_group_rule","name":"c","index":1,"values":{"type":"ingress","protocol":"tcp","from_port":22,"to_port":22,"cidr_blocks":["0.0.0.0/0"]}},` +
	`{"address":"aws_vpc_security_group_ingress_rule.f[\"rdp\"]","mode":"managed","type":"aws_vpc_security_group_ingress_rule","name":"f","index":"rdp","values":{"ip_protocol":"tcp","from_port":3389,"to_port":3389,"cidr_ipv4":"0.0.0.0/0"}},` +
	`{"address":"aws_security_group_rule.l","mode":"managed","type":"aws_security_group_rule","name":"l","values":{"type":"ingress","protocol":"tcp","from_port":80,"to_port":80,"cidr_blocks":["0.0.0.0/0"]}},` +
	`{"address":"aws_security_group_rule.m","mode":"managed","type":"aws_security_group_rule","name":"m","values":{"type":"egress","protocol":"-1","from_port":0,"to_port":0,"cidr_blocks":["0.0.0.0/0"]}}` +
	`],"child_modules":[{"address":"module.m","resources":[` +
	`{"address":"module.m.aws_security_group.this[0]","mode":"managed","type":"aws_security_group","name":"this","index":0,"values":{"name":"m"}},` +
	`{"address":"module.m.aws_security_group_rule.in","mode":"managed","type":"aws_security_group_rule","name":"in","values":{"type":"ingress","protocol":"tcp","from_port":443,"to_port":443,"cidr_blocks":["0.0.0.0/0"]}}` +
	`]}]}},"resource_changes":[` +
	`{"address":"aws_security_group_rule.c[1]","change":{"after_unknown":{"security_group_id":true}}},` +
	`{"address":"aws_vpc_security_group_ingress_rule.f[\"rdp\"]","change":{"after_unknown":{"security_group_id":true}}},` +
	`{"address":"aws_security_group_rule.l","change":{"after_unknown":{"security_group_id":true}}},` +
	`{"address":"aws_security_group_rule.m","change":{"after_unknown":{"security_group_id":true}}},` +
	`{"address":"module.m.aws_security_group_rule.in","change":{"after_unknown":{"security_group_id":true}}}` +
	`],"configuration":{"root_module":{"resources":[` +
	`{"address":"aws_security_group_rule.c","expressions":{"security_group_id":{"references":["aws_security_group.c","count.index"]}}},` +
	`{"address":"aws_vpc_security_group_ingress_rule.f","expressions":{"security_group_id":{"references":["aws_security_group.f","each.key"]}}},` +
	`{"address":"aws_security_group_rule.l","expressions":{"security_group_id":{"references":["local.sg"]}}},` +
	`{"address":"aws_security_group_rule.m","expressions":{"security_group_id":{"references":["module.m.security_group_id","module.m"]}}}` +
	`],"module_calls":{"m":{"source":"./mod","expressions":{"create":{"references":["var.create"]}},"module":{` +
	`"outputs":{"security_group_id":{"expression":{"references":["local.this_id"]}}},` +
	`"resources":[{"address":"aws_security_group_rule.in","expressions":{"security_group_id":{"references":["local.this_id"]}}}]}}}}}}`

func TestShowJSONTiesRulesToPlannedGroups(t *testing.T) {
	t.Parallel()
	for _, atHand := range []bool{false, true} {
		dir := t.TempDir()
		if atHand {
			write(t, filepath.Join(dir, "main.tf"), "locals {\n  sg = aws_security_group.a.id\n}\nresource \"aws_security_group_rule\" \"l\" {\n  type = \"ingress\"\n}\n"+
				"resource \"aws_security_group_rule\" \"c\" {}\nresource \"aws_vpc_security_group_ingress_rule\" \"f\" {}\nresource \"aws_security_group_rule\" \"m\" {}\n")
			write(t, filepath.Join(dir, "mod", "main.tf"), "variable \"create\" {}\nlocals {\n  this_id = var.create ? concat(aws_security_group.this.*.id, [\"\"])[0] : var.id\n}\nresource \"aws_security_group_rule\" \"in\" {}\n")
		}
		file := filepath.Join(dir, "plan.json")
		inv := vpc.New()
		if err := LoadShowJSON(file, []byte(refsPlan), inv); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"aws_security_group.c[1]":             "ingress tcp 22 from 0.0.0.0/0",
			`aws_security_group.f["rdp"]`:         "ingress tcp 3389 from 0.0.0.0/0",
			"module.m.aws_security_group.this[0]": "egress all to 0.0.0.0/0",
		}
		if atHand {
			want["aws_security_group.a"] = "ingress tcp 80 from 0.0.0.0/0"
			want["module.m.aws_security_group.this[0]"] = "egress all to 0.0.0.0/0 ingress tcp 443 from 0.0.0.0/0"
		} else {
			// Without the .tf files the locals are not known: the rules
			// are kept on groups named by their references.
			want["local.sg"] = "ingress tcp 80 from 0.0.0.0/0"
			want["module.m.local.this_id"] = "ingress tcp 443 from 0.0.0.0/0"
			want["module.m.aws_security_group.this[0]"] = ""
			want["aws_security_group.a"] = ""
		}
		for id, w := range want {
			if got := strings.Join(rules(inv.Groups[id]), " "); got != w {
				t.Errorf("at hand %v: %s: rules %q, want %q", atHand, id, got, w)
			}
		}
		if g := inv.Groups["aws_security_group.c[0]"]; g == nil || len(g.Ingress) != 0 {
			t.Errorf("count.index must tie the rule to its own instance only: %+v", g)
		}
		r := inv.Groups["aws_security_group.c[1]"].Ingress[0]
		wantLoc := vpc.Location{File: file, Path: "aws_security_group_rule.c[1]"}
		if atHand {
			r = inv.Groups["aws_security_group.a"].Ingress[0]
			wantLoc = vpc.Location{File: filepath.Join(dir, "main.tf"), Line: 4}
		}
		if r.Source != wantLoc {
			t.Errorf("at hand %v: rule located at %+v, want %+v", atHand, r.Source, wantLoc)
		}
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestShowJSONFormatVersions(t *testing.T) {
	t.Parallel()
	for v, ok := range map[string]bool{"0.1": true, "0.2": true, "1.0": true, "1.2": true, "0.3": false, "2.0": false} {
		err := LoadShowJSON("p.json", []byte(`{"format_version":"`+v+`","values":{"root_module":{}}}`), vpc.New())
		if (err == nil) != ok {
			t.Errorf("format_version %s: err %v", v, err)
		}
		if err != nil && !strings.Contains(err.Error(), `"`+v+`"`) {
			t.Errorf("refusal must name the version: %v", err)
		}
	}
}

// .tf files next to a plan that are not its configuration (they lack
// resources the plan's configuration holds) neither tie nor locate.
func TestShowJSONIgnoresForeignTF(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf"), "locals {\n  sg = aws_security_group.a.id\n}\nresource \"aws_security_group_rule\" \"l\" {\n  type = \"ingress\"\n}\n")
	inv := vpc.New()
	if err := LoadShowJSON(filepath.Join(dir, "plan.json"), []byte(refsPlan), inv); err != nil {
		t.Fatal(err)
	}
	if g := inv.Groups["local.sg"]; g == nil || len(g.Ingress) != 1 {
		t.Errorf("a foreign .tf folder must not resolve locals: groups %v", keys(inv.Groups))
	}
	if l := inv.Groups["local.sg"].Ingress[0].Source; l.File != filepath.Join(dir, "plan.json") {
		t.Errorf("located at %+v", l)
	}
}

// A registry module's folder is found through .terraform/modules/modules.json
// (where terraform init installed it), so its locals tie its rules; a
// peer group is tied through a module output the same way.
func TestShowJSONInstalledModules(t *testing.T) {
	t.Parallel()
	plan := `{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[` +
		`{"address":"module.sg","resources":[` +
		`{"address":"module.sg.aws_security_group.this[0]","mode":"managed","type":"aws_security_group","name":"this","index":0,"values":{"name":"sg"}},` +
		`{"address":"module.sg.aws_security_group_rule.in[0]","mode":"managed","type":"aws_security_group_rule","name":"in","index":0,"values":{"type":"ingress","protocol":"tcp","from_port":5432,"to_port":5432}}]},` +
		`{"address":"module.app","resources":[` +
		`{"address":"module.app.aws_security_group.this[0]","mode":"managed","type":"aws_security_group","name":"this","index":0,"values":{"name":"app"}}]}]}},` +
		`"resource_changes":[{"address":"module.sg.aws_security_group_rule.in[0]","change":{"after_unknown":{"security_group_id":true,"source_security_group_id":true}}}],` +
		`"configuration":{"root_module":{"module_calls":{` +
		`"app":{"source":"terraform-aws-modules/security-group/aws","module":{"outputs":{"id":{"expression":{"references":["local.this_id"]}}},` +
		`"resources":[{"address":"aws_security_group.this","expressions":{}}]}},` +
		`"sg":{"source":"terraform-aws-modules/security-group/aws","expressions":{"peer":{"references":["module.app.id","module.app"]}},"module":{` +
		`"resources":[{"address":"aws_security_group.this","expressions":{}},{"address":"aws_security_group_rule.in","expressions":{` +
		`"security_group_id":{"references":["local.this_id"]},"source_security_group_id":{"references":["var.peer"]}}}]}}}}}}`
	dir := t.TempDir()
	mod := "locals {\n  this_id = concat(aws_security_group.this.*.id, [\"\"])[0]\n}\nresource \"aws_security_group\" \"this\" {}\nresource \"aws_security_group_rule\" \"in\" {}\n"
	write(t, filepath.Join(dir, ".terraform", "modules", "sg", "main.tf"), mod)
	write(t, filepath.Join(dir, ".terraform", "modules", "app", "main.tf"), mod)
	write(t, filepath.Join(dir, ".terraform", "modules", "modules.json"),
		`{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"sg","Dir":".terraform/modules/sg"},{"Key":"app","Dir":".terraform/modules/app"}]}`)
	inv := vpc.New()
	if err := LoadShowJSON(filepath.Join(dir, "plan.json"), []byte(plan), inv); err != nil {
		t.Fatal(err)
	}
	if got := rules(inv.Groups["module.sg.aws_security_group.this[0]"]); len(got) != 1 || got[0] != "ingress tcp 5432 from module.app.aws_security_group.this[0]" {
		t.Errorf("rules %v; groups %v\n%s", got, keys(inv.Groups), warningsText(inv))
	}
}
