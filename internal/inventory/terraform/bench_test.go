package terraform

import (
	"fmt"
	"strings"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

// genHCL writes n groups, each with two inline rules and a standalone rule
// referring to the previous group.
func genHCL(n int) []byte {
	var b strings.Builder
	b.WriteString("locals {\n  office = \"198.51.100.0/24\"\n}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `resource "aws_security_group" "g%d" {
  name = "g%d"
  ingress {
    from_port = 443
    to_port = 443
    protocol = "tcp"
    cidr_blocks = [local.office]
  }
  egress {
    from_port = 0
    to_port = 0
    protocol = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`, i, i)
		if i > 0 {
			fmt.Fprintf(&b, `resource "aws_vpc_security_group_egress_rule" "r%d" {
  security_group_id = aws_security_group.g%d.id
  ip_protocol = "tcp"
  from_port = 5432
  to_port = 5432
  referenced_security_group_id = aws_security_group.g%d.id
}
`, i, i, i-1)
		}
	}
	return []byte(b.String())
}

func BenchmarkLoadHCL1000Groups(b *testing.B) {
	src := genHCL(1000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		inv := vpc.New()
		if _, err := LoadHCLFiles(map[string][]byte{"main.tf": src}, inv); err != nil {
			b.Fatal(err)
		}
		if len(inv.Groups) != 1000 {
			b.Fatalf("groups %d", len(inv.Groups))
		}
	}
}

func BenchmarkLoadShowJSON10000Groups(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"format_version": "1.0", "values": {"root_module": {"resources": [`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			sb.WriteString(",\n")
		}
		fmt.Fprintf(&sb, `{"address": "aws_security_group.g%d", "mode": "managed", "type": "aws_security_group", "name": "g%d",
 "values": {"id": "sg-%017d", "name": "g%d", "vpc_id": "vpc-1", "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443,
 "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": ["sg-%017d"], "self": false}],
 "egress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"],
 "prefix_list_ids": [], "security_groups": [], "self": false}]}}`, i, i, i, i, (i+1)%10000)
	}
	sb.WriteString("]}}}")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		inv := vpc.New()
		if err := LoadShowJSON("state.json", data, inv); err != nil {
			b.Fatal(err)
		}
	}
}
