package terraform

import (
	"strings"
	"testing"
)

// TestUnknownEntryFieldNamed: the warning for a NACL entry skipped over an
// unknown block or port names the field that is unknown.
func TestUnknownEntryFieldNamed(t *testing.T) {
	t.Parallel()
	inv := mustHCL(t, `variable "v6" {}
variable "port" {}
resource "aws_network_acl" "n" {
  vpc_id = "vpc-1"
  ingress {
    rule_no         = 1
    action          = "allow"
    protocol        = "-1"
    ipv6_cidr_block = var.v6
  }
  egress {
    rule_no    = 2
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 1
    to_port    = var.port
  }
}
`)
	got := warningsText(inv)
	for _, want := range []string{"aws_network_acl.n: ingress[0].ipv6_cidr_block is", "aws_network_acl.n: egress[0].to_port is"} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings:\n%s\nwant %q", got, want)
		}
	}
}
