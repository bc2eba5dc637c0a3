package terraform

import (
	"math/big"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// The functions the terraform-aws-modules lean on evaluate as Terraform
// does: lookup with a null default, try, can, coalescelist, one,
// jsondecode, zipmap, cidrhost.
func TestHCLFunctions(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `
variable "rules" {
  default = [{ from_port = 22, to_port = 22 }]
}
locals {
  ports = jsondecode("{\"web\": 443}")
  named = zipmap(["a", "b"], ["10.1.0.0/16", "10.2.0.0/16"])
  net   = cidrhost("10.12.112.0/20", 268)
}
resource "aws_security_group" "g" {
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.from_port
      to_port     = ingress.value.to_port
      protocol    = lookup(ingress.value, "protocol", "tcp")
      cidr_blocks = lookup(ingress.value, "cidr_blocks", null) == null ? ["0.0.0.0/0"] : ["10.0.0.0/8"]
    }
  }
  ingress {
    from_port   = try(local.ports.web, 80)
    to_port     = try(local.ports.nope, 443)
    protocol    = can(local.ports.nope) ? "udp" : "tcp"
    cidr_blocks = coalescelist([], [local.named["b"]])
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = [one(["${local.net}/32"])]
  }
}`)
	got := strings.Join(rules(inv.Groups["aws_security_group.g"]), " | ")
	want := "egress all to 10.12.113.12/32 | ingress tcp 22 from 0.0.0.0/0 | ingress tcp 443 from 10.2.0.0/16"
	if got != want {
		t.Errorf("rules %q\nwant  %q\nwarnings:\n%s", got, want, warningsText(inv))
	}
}

// cidrhost against the values Terraform's documentation gives.
func TestCidrHost(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		prefix string
		n      int64
		want   string
	}{
		{"10.12.112.0/20", 16, "10.12.112.16"},
		{"10.12.112.0/20", 268, "10.12.113.12"},
		{"fd00:fd12:3456:7890:00a2::/72", 34, "fd00:fd12:3456:7890::22"},
		{"10.0.0.0/24", -1, "10.0.0.255"},
		{"10.0.0.0/24", -2, "10.0.0.254"},
	} {
		a, err := cidrHost(netip.MustParsePrefix(c.prefix), big.NewInt(c.n))
		if err != nil || a.String() != c.want {
			t.Errorf("cidrhost(%s, %d) = %v, %v; want %s", c.prefix, c.n, a, err, c.want)
		}
	}
	for _, n := range []int64{256, -257} {
		if _, err := cidrHost(netip.MustParsePrefix("10.0.0.0/24"), big.NewInt(n)); err == nil {
			t.Errorf("cidrhost(10.0.0.0/24, %d) must fail", n)
		}
	}
}

// Variable files: terraform.tfvars, then terraform.tfvars.json, then the
// *.auto.tfvars(.json) in lexical order, a later one overriding.
func TestHCLVarFilesOrder(t *testing.T) {
	t.Parallel()
	src := `variable "a" { default = "192.0.2.1/32" }
variable "b" { default = "192.0.2.1/32" }
variable "c" { default = "192.0.2.1/32" }
resource "aws_security_group" "g" {
  ingress {
    from_port = 22
    to_port = 22
    protocol = "tcp"
    cidr_blocks = [var.a, var.b, var.c]
  }
}`
	inv := vpc.New()
	_, err := LoadHCLFiles(map[string][]byte{
		"m/main.tf":               []byte(src),
		"m/terraform.tfvars":      []byte(`a = "10.0.0.1/32"` + "\n" + `b = "10.0.0.1/32"` + "\n" + `c = "10.0.0.1/32"`),
		"m/terraform.tfvars.json": []byte(`{"b": "10.0.0.2/32", "c": "10.0.0.2/32"}`),
		"m/a.auto.tfvars.json":    []byte(`{"c": "10.0.0.3/32"}`),
		"m/b.auto.tfvars":         []byte(`c = "10.0.0.4/32"`),
		"m/unrelated.tfvars":      []byte(`a = "0.0.0.0/0"`),
	}, inv)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rules(inv.Groups["aws_security_group.g"]), " | ")
	want := "ingress tcp 22 from 10.0.0.1/32 | ingress tcp 22 from 10.0.0.2/32 | ingress tcp 22 from 10.0.0.4/32"
	if got != want {
		t.Errorf("rules %q, want %q", got, want)
	}
}

// An unknown for_each audits the resource once as a representative, with
// a warning, instead of skipping it; a rule of a data source's group is
// kept on an undeclared group named by the reference.
func TestHCLRepresentativeAndUndeclared(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `
data "aws_security_group" "shared" { name = "shared" }
resource "aws_security_group" "per_az" {
  for_each = data.aws_availability_zones.all.names
  name     = "sg-${each.key}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
variable "existing_sg" {}
resource "aws_security_group_rule" "by_var" {
  type              = "egress"
  security_group_id = var.existing_sg
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = data.aws_security_group.shared.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = "0.0.0.0/0"
}`)
	if got := rules(inv.Groups["aws_security_group.per_az"]); len(got) != 1 || got[0] != "ingress tcp 22 from 0.0.0.0/0" {
		t.Errorf("representative rules %v; groups %v", got, keys(inv.Groups))
	}
	g := inv.Groups["data.aws_security_group.shared.id"]
	if got := rules(g); g == nil || g.RulesKnown || len(got) != 1 || got[0] != "ingress tcp 3389 from 0.0.0.0/0" {
		t.Errorf("undeclared group: %+v", g)
	}
	if got := rules(inv.Groups["var.existing_sg"]); len(got) != 1 || got[0] != "egress all to 0.0.0.0/0" {
		t.Errorf("a group given by a variable without value: %v; groups %v", got, keys(inv.Groups))
	}
	w := warningsText(inv)
	for _, want := range []string{"aws_security_group.per_az: for_each is unknown: not resolvable statically; audited once as a representative", "undeclared-group"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

// A local module is read with its inputs, nested locals and outputs; its
// addresses are prefixed as Terraform prefixes them; count on a module
// makes instances; a registry module is named in a warning.
func TestHCLLocalModules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf"), `
module "web" {
  source = "./modules/sg"
  name   = "web"
  ports  = { https = 443, ssh = 22 }
  open   = "0.0.0.0/0"
}
module "db" {
  source = "./modules/sg"
  count  = 2
  name   = "db${count.index}"
  ports  = { pg = 5432 }
  open   = "10.0.${count.index}.0/24"
}
module "remote" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "5.0.0"
}
resource "aws_security_group_rule" "egress" {
  type              = "egress"
  security_group_id = module.web.security_group_id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}`)
	write(t, filepath.Join(dir, "modules", "sg", "main.tf"), `
variable "name" {}
variable "ports" { type = map(number) }
variable "open" {}
locals {
  sg_id = aws_security_group.this.id
  cidrs = [var.open]
}
resource "aws_security_group" "this" {
  name = var.name
}
resource "aws_vpc_security_group_ingress_rule" "in" {
  for_each          = var.ports
  security_group_id = local.sg_id
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = local.cidrs[0]
}
output "security_group_id" { value = local.sg_id }
`)
	inv := vpc.New()
	if err := LoadHCLDir(dir, inv); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"module.web.aws_security_group.this":   "egress all to 0.0.0.0/0 | ingress tcp 22 from 0.0.0.0/0 | ingress tcp 443 from 0.0.0.0/0",
		"module.db[0].aws_security_group.this": "ingress tcp 5432 from 10.0.0.0/24",
		"module.db[1].aws_security_group.this": "ingress tcp 5432 from 10.0.1.0/24",
	}
	for id, w := range want {
		if got := strings.Join(rules(inv.Groups[id]), " | "); got != w {
			t.Errorf("%s: %q, want %q", id, got, w)
		}
	}
	if len(inv.Groups) != len(want) {
		t.Errorf("groups %v", keys(inv.Groups))
	}
	if g := inv.Groups["module.db[1].aws_security_group.this"]; g == nil || g.Name != "db1" || g.Declared.Address != "module.db[1].aws_security_group.this" {
		t.Errorf("module instance group: %+v", g)
	}
	w := warningsText(inv)
	if !strings.Contains(w, `module.remote: source "terraform-aws-modules/security-group/aws" is not a local folder`) {
		t.Errorf("registry module not named:\n%s", w)
	}
	if strings.Contains(w, "unknown-value") {
		t.Errorf("nothing here is unknown:\n%s", w)
	}
}

// The security-group module's idioms: the group id through
// concat(a.*.id, b.*.id, [""])[0] where b has count = 0; lookup in a list
// element that also holds a value unknown (a remote module's output);
// a remote module's output is unknown, not an error that hides the rest of
// the argument.
func TestHCLModuleIdioms(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf"), `
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
module "sg" {
  source = "./sg"
  rules = [
    { from_port = 22, to_port = 22, cidr_blocks = "0.0.0.0/0" },
    { from_port = 5432, to_port = 5432, cidr_blocks = module.vpc.vpc_cidr_block },
  ]
}`)
	write(t, filepath.Join(dir, "sg", "main.tf"), `
variable "rules" { default = [] }
variable "use_prefix" { default = false }
locals {
  this_sg_id = concat(aws_security_group.this.*.id, aws_security_group.prefixed.*.id, [""])[0]
}
resource "aws_security_group" "this" {
  count = var.use_prefix ? 0 : 1
  name  = "named"
}
resource "aws_security_group" "prefixed" {
  count       = var.use_prefix ? 1 : 0
  name_prefix = "p-"
}
resource "aws_security_group_rule" "in" {
  count             = length(var.rules)
  type              = "ingress"
  security_group_id = local.this_sg_id
  protocol          = lookup(var.rules[count.index], "protocol", "tcp")
  from_port         = lookup(var.rules[count.index], "from_port", 0)
  to_port           = lookup(var.rules[count.index], "to_port", 0)
  cidr_blocks       = split(",", lookup(var.rules[count.index], "cidr_blocks", ""))
}`)
	inv := vpc.New()
	if err := LoadHCLDir(dir, inv); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rules(inv.Groups["module.sg.aws_security_group.this[0]"]), " | "); got != "ingress tcp 22 from 0.0.0.0/0" {
		t.Errorf("rules %q; groups %v\n%s", got, keys(inv.Groups), warningsText(inv))
	}
	w := warningsText(inv)
	if !strings.Contains(w, "module.sg.aws_security_group_rule.in[1]: cidr_blocks is unknown") {
		t.Errorf("the rule whose peer comes from a remote module must say so:\n%s", w)
	}
}

// Modules calling themselves stop at the depth bound, and count on modules
// cannot multiply past the bound on instances: the load ends, quickly, with
// warnings.
func TestHCLModuleBounds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf"), `
module "self" {
  source = "./"
  count  = 200
}
resource "aws_security_group" "g" {
  name = "g"
}`)
	inv := vpc.New()
	if err := LoadHCLDir(dir, inv); err != nil {
		t.Fatal(err)
	}
	w := warningsText(inv)
	if !strings.Contains(w, "module instances in one load; not read") {
		t.Errorf("no bound reported:\n%.2000s", w)
	}
	if len(inv.Groups) > maxModuleInstances+1 {
		t.Errorf("%d groups", len(inv.Groups))
	}
	if inv.Groups["aws_security_group.g"] == nil || inv.Groups["module.self[199].aws_security_group.g"] == nil {
		t.Errorf("the instances within the bound are read: %d groups", len(inv.Groups))
	}
}

// A registry module that terraform init installed is read from
// .terraform/modules, where modules.json says it is.
func TestHCLInstalledModule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.tf"), `
module "sg" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "5.0.0"
  name    = "web"
}`)
	write(t, filepath.Join(dir, ".terraform", "modules", "modules.json"),
		`{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"sg","Source":"registry.terraform.io/terraform-aws-modules/security-group/aws","Version":"5.0.0","Dir":".terraform/modules/sg"}]}`)
	write(t, filepath.Join(dir, ".terraform", "modules", "sg", "main.tf"), `
variable "name" {}
resource "aws_security_group" "this" {
  name = var.name
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}`)
	inv := vpc.New()
	if err := LoadHCLDir(dir, inv); err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["module.sg.aws_security_group.this"]
	if got := rules(g); g == nil || g.Name != "web" || len(got) != 1 || got[0] != "egress all to 0.0.0.0/0" {
		t.Errorf("installed module: %+v\n%s", g, warningsText(inv))
	}
}
