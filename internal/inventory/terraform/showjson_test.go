package terraform

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

const stateJSON = `{
  "format_version": "1.0",
  "terraform_version": "1.9.8",
  "values": {
    "root_module": {
      "resources": [
        {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
         "values": {"id": "sg-0aaa", "name": "web", "vpc_id": "vpc-1", "owner_id": "111122223333",
           "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 443, "ipv6_cidr_blocks": [],
                        "prefix_list_ids": [], "protocol": "tcp", "security_groups": [], "self": false, "to_port": 443}],
           "egress": [], "tags": {"Name": "web"}}},
        {"address": "data.aws_vpc.x", "mode": "data", "type": "aws_vpc", "name": "x", "values": {"id": "vpc-9", "cidr_block": "1.0.0.0/8"}}
      ],
      "child_modules": [
        {"address": "module.net", "resources": [
          {"address": "module.net.aws_vpc_security_group_egress_rule.out", "mode": "managed",
           "type": "aws_vpc_security_group_egress_rule", "name": "out",
           "values": {"id": "sgr-0bbb", "security_group_rule_id": "sgr-0bbb", "security_group_id": "sg-0aaa",
                      "ip_protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidr_ipv4": null, "cidr_ipv6": null,
                      "prefix_list_id": null, "referenced_security_group_id": "sg-0ccc"}}
         ],
         "child_modules": [
          {"address": "module.net.module.acl", "resources": [
            {"address": "module.net.module.acl.aws_network_acl.n", "mode": "managed", "type": "aws_network_acl", "name": "n",
             "values": {"id": "acl-1", "vpc_id": "vpc-1", "subnet_ids": ["subnet-1"],
               "ingress": [{"rule_no": 100, "action": "allow", "protocol": "6", "from_port": 22, "to_port": 22,
                            "cidr_block": "10.0.0.0/8", "ipv6_cidr_block": "", "icmp_type": 0, "icmp_code": 0}],
               "egress": [{"rule_no": 100, "action": "allow", "protocol": "1", "from_port": 0, "to_port": 0,
                           "cidr_block": "10.0.0.0/8", "ipv6_cidr_block": "", "icmp_type": 3, "icmp_code": 4}]}}
          ]}
         ]}
      ]
    }
  }
}`

func TestShowJSONState(t *testing.T) {
	t.Parallel()
	inv := vpc.New()
	if err := LoadShowJSON("state.json", []byte(stateJSON), inv); err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["sg-0aaa"]
	if g == nil || g.Name != "web" || g.VpcID != "vpc-1" {
		t.Fatalf("group: %+v", g)
	}
	got := strings.Join(rules(g), ";")
	if got != "egress tcp 8080 to sg-0ccc;ingress tcp 443 from 0.0.0.0/0" {
		t.Errorf("rules %s", got)
	}
	if g.Egress[0].ID != "sgr-0bbb" {
		t.Errorf("rule id %q", g.Egress[0].ID)
	}
	if l := g.Ingress[0].Source; l.File != "state.json" || l.Line != 9 || l.Path != "values.root_module.resources[0].values.ingress[0]" {
		t.Errorf("rule location %+v", l)
	}
	n := inv.NACLs["acl-1"]
	if n == nil || len(n.Inbound) != 1 || n.Outbound[0].String() != "100 allow icmp type 3 code 4 10.0.0.0/8" || n.SubnetIDs[0] != "subnet-1" {
		t.Fatalf("nacl: %+v", n)
	}
	if len(inv.VPCs) != 0 {
		t.Errorf("data sources must not become VPCs: %v", inv.VPCs)
	}
	if !inv.Has(vpc.KindSecurityGroups) || !inv.Has(vpc.KindNetworkACLs) || inv.Has(vpc.KindSubnets) {
		t.Errorf("loaded kinds %v", inv.Loaded)
	}
}

func TestShowJSONPlanUnknowns(t *testing.T) {
	t.Parallel()
	plan := `{"format_version": "1.2", "terraform_version": "1.9.8",
 "planned_values": {"root_module": {"resources": [
   {"address": "aws_security_group_rule.r", "mode": "managed", "type": "aws_security_group_rule", "name": "r",
    "values": {"type": "egress", "security_group_id": "sg-1", "protocol": "tcp", "from_port": 443, "to_port": 443}},
   {"address": "aws_security_group_rule.s", "mode": "managed", "type": "aws_security_group_rule", "name": "s",
    "values": {"type": "egress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]}}
 ]}},
 "resource_changes": [
   {"address": "aws_security_group_rule.r", "change": {"actions": ["create"], "after_unknown": {"id": true, "cidr_blocks": [true]}}},
   {"address": "aws_security_group_rule.s", "change": {"actions": ["create"], "after_unknown": {"id": true, "security_group_id": true}}}
 ],
 "configuration": {"root_module": {"resources": [
   {"address": "aws_security_group_rule.r", "expressions": {"cidr_blocks": {"references": ["data.aws_vpc.x.cidr_block", "data.aws_vpc.x"]}}},
   {"address": "aws_security_group_rule.s", "expressions": {"security_group_id": {"references": ["module.base.sg_id", "module.base"]}}}
 ]}}}`
	inv := vpc.New()
	if err := LoadShowJSON("plan.json", []byte(plan), inv); err != nil {
		t.Fatal(err)
	}
	if g := inv.Groups["sg-1"]; g == nil || len(g.Egress) != 0 {
		t.Errorf("unknown peers must not yield rules: %+v", g)
	}
	// A group the plan cannot tie is kept as an undeclared group named by
	// the reference, so the rule is still audited.
	g := inv.Groups["module.base.sg_id"]
	if got := rules(g); g == nil || g.RulesKnown || len(got) != 1 || got[0] != "egress tcp 22 to 10.0.0.0/8" {
		t.Errorf("rule of an unresolved group: %+v", g)
	}
	w := warningsText(inv)
	for _, want := range []string{
		"unknown-value aws_security_group_rule.r: cidr_blocks is unknown at plan time; peers skipped",
		`aws_security_group_rule.s: security_group_id is unknown at plan time; the rule is read as a rule of the undeclared group "module.base.sg_id"`,
		"undeclared-group aws_security_group_rule.s",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

func TestShowJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"not json", "{\n\"format_version\": \"1.0\",\n", "f.json:3: want terraform show -json output"},
		{"no format_version", `{"values": {}}`, "missing format_version"},
		{"future format", `{"format_version": "2.0", "values": {}}`, `f.json:1: format_version: format_version "2.0": want 0.1, 0.2 or 1.x`},
		{"resources not a list", `{"format_version": "1.0", "values": {"root_module": {"resources": {}}}}`, "values.root_module.resources: want a list of resources"},
		{"bad cidr", `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_subnet.s", "mode": "managed", "type": "aws_subnet", "name": "s",
   "values": {"cidr_block": "10.0.0.0/33"}}]}}}`, "f.json:3: values.root_module.resources[0].values.cidr_block: aws_subnet.s: cidr_block: CIDR \"10.0.0.0/33\""},
		{"wrong type", `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_security_group.g", "mode": "managed", "type": "aws_security_group", "name": "g",
   "values": {"ingress": [{"protocol": "tcp", "from_port": "x", "to_port": 1, "cidr_blocks": ["0.0.0.0/0"]}]}}]}}}`, "from_port = \"x\": want a whole number"},
		{"duplicate nested key", `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_security_group.g", "mode": "managed", "type": "aws_security_group", "name": "g",
   "values": {"ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22,
     "cidr_blocks": ["10.0.0.0/8"], "cidr_blocks": ["0.0.0.0/0"]}]}}]}}}`, `f.json:4: want terraform show -json output: key "cidr_blocks" appears twice in one object (first on line 4)`},
		{"nacl rule 32767", `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_network_acl_rule.r", "mode": "managed", "type": "aws_network_acl_rule", "name": "r",
   "values": {"network_acl_id": "acl-1", "rule_number": 32767, "egress": false, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"}}]}}}`, "rule number 32767 is reserved for AWS's default deny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := LoadShowJSON("f.json", []byte(tt.doc), vpc.New())
			var ie *vpc.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want *vpc.InputError containing %q", err, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	plan, err := os.ReadFile("../testdata/equivalent/terraform-show/plan.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
		want bool
	}{
		{"plan fixture", string(plan), true},
		{"state", stateJSON, true},
		{"aws cli", `{"SecurityGroups": []}`, false},
		{"cloudformation", `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}`, false},
		{"format_version alone", `{"format_version": "1.0"}`, false},
		{"yaml", "format_version: 1.0\nvalues: {}\n", false},
		{"garbage", "{", false},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.doc)); got != tt.want {
			t.Errorf("%s: Detect = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestShowJSONInlineReferences covers a group whose inline blocks refer to
// a group created in the same plan: Terraform may mark one element, or the
// whole set, unknown; both resolve through the configuration.
func TestShowJSONInlineReferences(t *testing.T) {
	t.Parallel()
	for _, au := range []string{`{"id": true, "ingress": [{"security_groups": [true]}]}`, `{"id": true, "ingress": true}`} {
		plan := `{"format_version": "1.2",
 "planned_values": {"root_module": {"resources": [
   {"address": "aws_security_group.a", "mode": "managed", "type": "aws_security_group", "name": "a", "values": {"name": "a", "egress": []}},
   {"address": "aws_security_group.b", "mode": "managed", "type": "aws_security_group", "name": "b",
    "values": {"name": "b", "egress": [], "ingress": [{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": [],
      "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [null], "self": false, "description": ""}]}}
 ]}},
 "resource_changes": [
   {"address": "aws_security_group.a", "change": {"actions": ["create"], "after_unknown": {"id": true}}},
   {"address": "aws_security_group.b", "change": {"actions": ["create"], "after_unknown": ` + au + `}}
 ],
 "configuration": {"root_module": {"resources": [
   {"address": "aws_security_group.a", "expressions": {"name": {"constant_value": "a"}}},
   {"address": "aws_security_group.b", "expressions": {"name": {"constant_value": "b"}, "ingress": [
     {"protocol": {"constant_value": "tcp"}, "from_port": {"constant_value": 5432}, "to_port": {"constant_value": 5432},
      "security_groups": {"references": ["aws_security_group.a.id", "aws_security_group.a"]}}]}}
 ]}}}`
		inv := vpc.New()
		if err := LoadShowJSON("plan.json", []byte(plan), inv); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rules(inv.Groups["aws_security_group.b"]), ";"); got != "ingress tcp 5432 from aws_security_group.a" {
			t.Errorf("after_unknown %s: rules %q\n%s", au, got, warningsText(inv))
		}
	}
}

func TestShowJSONModuleReferences(t *testing.T) {
	t.Parallel()
	plan := `{"format_version": "1.2",
 "planned_values": {"root_module": {"child_modules": [{"address": "module.net[0]", "resources": [
   {"address": "module.net[0].aws_security_group.a", "mode": "managed", "type": "aws_security_group", "name": "a", "values": {"name": "a"}},
   {"address": "module.net[0].aws_security_group_rule.r", "mode": "managed", "type": "aws_security_group_rule", "name": "r",
    "values": {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]}}
 ]}]}},
 "resource_changes": [
   {"address": "module.net[0].aws_security_group.a", "change": {"actions": ["create"], "after_unknown": {"id": true, "ingress": true, "egress": true}}},
   {"address": "module.net[0].aws_security_group_rule.r", "change": {"actions": ["create"], "after_unknown": {"id": true, "security_group_id": true}}}
 ],
 "configuration": {"root_module": {"module_calls": {"net": {"source": "./net", "module": {"resources": [
   {"address": "aws_security_group.a", "expressions": {"name": {"constant_value": "a"}}},
   {"address": "aws_security_group_rule.r", "expressions": {"security_group_id": {"references": ["aws_security_group.a.id", "aws_security_group.a"]}}}
 ]}}}}}}`
	inv := vpc.New()
	if err := LoadShowJSON("plan.json", []byte(plan), inv); err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["module.net[0].aws_security_group.a"]
	if got := strings.Join(rules(g), ";"); got != "ingress tcp 22 from 10.0.0.0/8" || len(inv.Warnings) != 0 {
		t.Errorf("rules %q, warnings:\n%s", got, warningsText(inv))
	}
}

// TestShowJSONStateCountsRulesOnce: a state's computed ingress lists the
// rules of standalone rule resources too; each AWS rule counts once.
func TestShowJSONStateCountsRulesOnce(t *testing.T) {
	t.Parallel()
	state := `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "aws_security_group.a", "mode": "managed", "type": "aws_security_group", "name": "a",
   "values": {"id": "sg-1", "name": "a", "egress": [], "ingress": [
     {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false}]}},
  {"address": "aws_vpc_security_group_ingress_rule.ssh", "mode": "managed", "type": "aws_vpc_security_group_ingress_rule", "name": "ssh",
   "values": {"id": "sgr-1", "security_group_rule_id": "sgr-1", "security_group_id": "sg-1", "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "10.0.0.0/8"}}
]}}}`
	inv := vpc.New()
	if err := LoadShowJSON("state.json", []byte(state), inv); err != nil {
		t.Fatal(err)
	}
	g := inv.Groups["sg-1"]
	if len(g.Ingress) != 1 || g.Ingress[0].ID != "sgr-1" || g.Ingress[0].Source.Line != 5 {
		t.Errorf("ingress %+v", g.Ingress)
	}
}

// TestShowJSONEmptyBlockIsUnset: terraform show -json writes
// "ipv6_cidr_block": "" for a VPC or subnet without IPv6; that is no block,
// not an invalid one.
func TestShowJSONEmptyBlockIsUnset(t *testing.T) {
	data := []byte(`{"format_version":"1.0","values":{"root_module":{"resources":[
	{"address":"aws_vpc.main","mode":"managed","type":"aws_vpc","name":"main","values":{"id":"vpc-1","cidr_block":"10.0.0.0/16","ipv6_cidr_block":""}},
	{"address":"aws_subnet.a","mode":"managed","type":"aws_subnet","name":"a","values":{"id":"subnet-1","vpc_id":"vpc-1","cidr_block":"10.0.1.0/24","ipv6_cidr_block":""}}
	]}}}`)
	inv := vpc.New()
	if err := LoadShowJSON("state.json", data, inv); err != nil {
		t.Fatal(err)
	}
	if v := inv.VPCs["vpc-1"]; v == nil || len(v.CIDRs) != 1 || len(v.IPv6CIDRs) != 0 {
		t.Errorf("VPC = %+v, want 10.0.0.0/16 and no IPv6 block", v)
	}
	if s := inv.Subnets["subnet-1"]; s == nil || s.CIDR.String() != "10.0.1.0/24" || len(s.IPv6CIDRs) != 0 {
		t.Errorf("subnet = %+v, want 10.0.1.0/24 and no IPv6 block", s)
	}
}

// A security group whose values are null (or missing) loaded as a group
// without rules: every flow through it silently denied. It is an error
// naming the file, line and resource address.
func TestShowJSONNullValues(t *testing.T) {
	for name, vals := range map[string]string{"null": `, "values": null`, "absent": ``} {
		doc := "{\"format_version\": \"1.0\", \"values\": {\"root_module\": {\"resources\": [\n" +
			`{"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web"` + vals + "}\n]}}}"
		inv := vpc.New()
		err := LoadShowJSON("plan.json", []byte(doc), inv)
		var ie *vpc.InputError
		if !errors.As(err, &ie) || ie.Loc.File != "plan.json" || ie.Loc.Line != 2 ||
			!strings.Contains(ie.Msg, "aws_security_group.web: values is "+name) {
			t.Errorf("%s: %v; want plan.json:2 naming aws_security_group.web", name, err)
		}
		if len(inv.Groups) != 0 {
			t.Errorf("%s: groups loaded: %v", name, inv.Groups)
		}
	}
}
