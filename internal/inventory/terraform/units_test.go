package terraform

import (
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// Terraform addresses are unique within one root module only. A repository
// with envs/prod and envs/staging declares aws_security_group.web twice;
// read together, each folder keeps its own objects and references, and the
// later folder's ids are qualified by the folder.
func TestHCLTwoRootModulesWithTheSameAddresses(t *testing.T) {
	t.Parallel()
	src := func(cidr string) []byte {
		return []byte(`resource "aws_vpc" "main" { cidr_block = "` + cidr + `" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, 1)
}
# walls:ignore WALLS-SG-004 bastion, ticket OPS-1
resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group_rule" "out" {
  type                     = "egress"
  security_group_id        = aws_security_group.web.id
  from_port                = 443
  to_port                  = 443
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.web.id
}
resource "aws_instance" "app" {
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.web.id]
  private_ip             = "10.1.1.10"
}
`)
	}
	inv := vpc.New()
	if _, err := LoadHCLFiles(map[string][]byte{"envs/prod/main.tf": src("10.0.0.0/16")}, inv); err != nil {
		t.Fatalf("prod: %v", err)
	}
	sups, err := LoadHCLFiles(map[string][]byte{"envs/staging/main.tf": src("10.1.0.0/16")}, inv)
	if err != nil {
		t.Fatalf("staging next to prod: %v", err)
	}
	prod, staging := inv.Groups["aws_security_group.web"], inv.Groups["envs/staging/aws_security_group.web"]
	if prod == nil || staging == nil || len(inv.Groups) != 2 {
		t.Fatalf("groups = %v, want prod's plain and staging's qualified", keys(inv.Groups))
	}
	if len(staging.Egress) != 1 || staging.Egress[0].Peer.Group.GroupID != staging.ID || len(prod.Egress) != 1 || prod.Egress[0].Peer.Group.GroupID != prod.ID {
		t.Errorf("rules went to the wrong group: prod %q, staging %q", rules(prod), rules(staging))
	}
	if staging.VpcID != "envs/staging/aws_vpc.main" || prod.VpcID != "aws_vpc.main" {
		t.Errorf("vpc ids: prod %q, staging %q", prod.VpcID, staging.VpcID)
	}
	app := inv.Interfaces["envs/staging/aws_instance.app"]
	if app == nil || len(app.GroupIDs) != 1 || app.GroupIDs[0] != staging.ID || app.SubnetID != "envs/staging/aws_subnet.a" ||
		len(app.PrivateIPs) != 1 || app.PrivateIPs[0].String() != "10.1.1.10" {
		t.Errorf("staging instance = %+v", app)
	}
	if len(sups) != 1 || sups[0].Resource != staging.ID {
		t.Errorf("staging suppressions = %+v, want one on %s", sups, staging.ID)
	}
}

// The same holds for two terraform show -json files of two workspaces.
func TestShowJSONTwoPlansWithTheSameAddresses(t *testing.T) {
	t.Parallel()
	plan := func(cidr string) []byte {
		return []byte(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[
{"address":"aws_security_group.web","mode":"managed","type":"aws_security_group","name":"web","values":{
 "name":"web","vpc_id":null,"ingress":[{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["` + cidr + `"],"ipv6_cidr_blocks":[],"prefix_list_ids":[],"security_groups":[],"self":false,"description":""}],"egress":[]}}]}}}`)
	}
	inv := vpc.New()
	if err := LoadShowJSON("prod.json", plan("10.0.0.0/8"), inv); err != nil {
		t.Fatalf("prod: %v", err)
	}
	if err := LoadShowJSON("staging.json", plan("192.0.2.0/24"), inv); err != nil {
		t.Fatalf("staging next to prod: %v", err)
	}
	if len(inv.Groups) != 2 || inv.Groups["aws_security_group.web"] == nil || inv.Groups["staging.json/aws_security_group.web"] == nil {
		t.Fatalf("groups = %v", keys(inv.Groups))
	}
	if got := rules(inv.Groups["staging.json/aws_security_group.web"]); len(got) != 1 || got[0] != "ingress tcp 22 from 192.0.2.0/24" {
		t.Errorf("staging rules = %q", got)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The same folder or plan named twice (infra/ and infra/main.tf, or
// ./plan.json and plan.json) is read once, not as a second unit.
func TestSameUnitTwiceIsReadOnce(t *testing.T) {
	t.Parallel()
	src := []byte(`resource "aws_security_group" "web" {
  # walls:ignore WALLS-SG-004 bastion
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`)
	inv := vpc.New()
	if _, err := LoadHCLFiles(map[string][]byte{"infra/main.tf": src}, inv); err != nil {
		t.Fatal(err)
	}
	sups, err := LoadHCLFiles(map[string][]byte{"./infra/main.tf": src}, inv)
	if err != nil || len(sups) != 0 || len(inv.Groups) != 1 {
		t.Errorf("second read: err %v, %d suppressions, groups %v; want it skipped", err, len(sups), keys(inv.Groups))
	}
	plan := []byte(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[
{"address":"aws_security_group.web","mode":"managed","type":"aws_security_group","name":"web","values":{"name":"web","ingress":[],"egress":[]}}]}}}`)
	inv = vpc.New()
	for _, f := range []string{"plan.json", "./plan.json"} {
		if err := LoadShowJSON(f, plan, inv); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if len(inv.Groups) != 1 {
		t.Errorf("groups = %v, want the plan read once", keys(inv.Groups))
	}
}

// count = 0 and an empty for_each are known: no instance, and no warning
// that they are unknown.
func TestHCLZeroInstancesAreKnown(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `variable "enabled" { default = false }
resource "aws_security_group" "maybe" {
  count = var.enabled ? 1 : 0
}
resource "aws_security_group" "none" {
  for_each = toset([])
  name     = each.key
}
resource "aws_security_group" "unknown" {
  count = var.nope
}`)
	// An unknown count is audited once, as a representative instance.
	if len(inv.Groups) != 1 || inv.Groups["aws_security_group.unknown"] == nil {
		t.Errorf("groups = %v, want only the representative of the unknown count", keys(inv.Groups))
	}
	w := warningsText(inv)
	if strings.Contains(w, "aws_security_group.maybe") || strings.Contains(w, "aws_security_group.none") {
		t.Errorf("zero instances reported as unknown:\n%s", w)
	}
	if !strings.Contains(w, "aws_security_group.unknown: count is unknown: not resolvable statically; audited once as a representative") {
		t.Errorf("an unknown count is not reported:\n%s", w)
	}
}
