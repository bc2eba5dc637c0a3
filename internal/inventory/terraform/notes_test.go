package terraform

import (
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// In a plan that creates a VPC, the group's and the NACL's vpc_id and the
// instance's address are unknown as a matter of course: notes, while an
// unknown peer (rules lost) stays a warning.
func TestShowJSONNormalUnknownsAreNotes(t *testing.T) {
	t.Parallel()
	plan := `{"format_version": "1.2", "terraform_version": "1.9.8",
 "planned_values": {"root_module": {"resources": [
   {"address": "aws_security_group.g", "mode": "managed", "type": "aws_security_group", "name": "g",
    "values": {"ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}], "egress": []}},
   {"address": "aws_network_acl.n", "mode": "managed", "type": "aws_network_acl", "name": "n", "values": {}},
   {"address": "aws_instance.i", "mode": "managed", "type": "aws_instance", "name": "i", "values": {"vpc_security_group_ids": ["sg-1"]}},
   {"address": "aws_security_group_rule.r", "mode": "managed", "type": "aws_security_group_rule", "name": "r",
    "values": {"type": "egress", "security_group_id": "sg-1", "protocol": "tcp", "from_port": 443, "to_port": 443}}
 ]}},
 "resource_changes": [
   {"address": "aws_security_group.g", "change": {"actions": ["create"], "after_unknown": {"id": true, "vpc_id": true}}},
   {"address": "aws_network_acl.n", "change": {"actions": ["create"], "after_unknown": {"id": true, "vpc_id": true}}},
   {"address": "aws_instance.i", "change": {"actions": ["create"], "after_unknown": {"id": true, "private_ip": true}}},
   {"address": "aws_security_group_rule.r", "change": {"actions": ["create"], "after_unknown": {"id": true, "cidr_blocks": [true]}}}
 ]}`
	inv := vpc.New()
	if err := LoadShowJSON("plan.json", []byte(plan), inv); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, w := range inv.Warnings {
		if w.Code != "unknown-value" {
			continue
		}
		seen[w.Resource] = true
		wantNote := w.Resource != "aws_security_group_rule.r"
		if w.Note != wantNote {
			t.Errorf("%s: Note = %v, want %v (%s)", w.Resource, w.Note, wantNote, w.Message)
		}
	}
	for _, r := range []string{"aws_security_group.g", "aws_network_acl.n", "aws_instance.i", "aws_security_group_rule.r"} {
		if !seen[r] {
			t.Errorf("no unknown-value report for %s:\n%s", r, warningsText(inv))
		}
	}
}

// Read statically, an unknown vpc_id stays a warning: the folder could
// have said it.
func TestHCLUnknownVPCStaysWarning(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `resource "aws_security_group" "a" {
  vpc_id = data.aws_vpc.x.id
}`)
	for _, w := range inv.Warnings {
		if w.Code == "unknown-value" && w.Note {
			t.Errorf("note in a .tf folder: %s", w.Message)
		}
	}
}
