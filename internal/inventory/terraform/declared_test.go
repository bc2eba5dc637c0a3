package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/walls-dev/walls/internal/vpc"
)

const declaredModule = `
resource "aws_security_group" "web" {
  egress {
    protocol    = "tcp"
    from_port   = 443
    to_port     = 443
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "app" {}

resource "aws_vpc_security_group_egress_rule" "app_dns" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "udp"
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = "10.0.0.2/32"
}

resource "aws_security_group_rule" "app_db" {
  type              = "egress"
  security_group_id = aws_security_group.app.id
  protocol          = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_blocks       = ["10.0.2.0/24", "10.0.3.0/24"]
}
`

// TestDeclared: groups and rules remember the resource they were read
// from, inline blocks marked inline, whatever qualification a second
// folder with the same addresses gets.
func TestDeclared(t *testing.T) {
	inv := vpc.New()
	var dirs []string
	for _, name := range []string{"one", "two"} {
		dir := filepath.Join(t.TempDir(), name)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "main.tf"), []byte(declaredModule), 0o644)
		if err := LoadHCLDir(dir, inv); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	tf := func(addr, typ string, inline bool) vpc.Declared {
		return vpc.Declared{Tool: vpc.ToolTerraform, Address: addr, Type: typ, Inline: inline}
	}
	for _, prefix := range []string{"", dirs[1] + "/"} {
		web, app := inv.Groups[prefix+"aws_security_group.web"], inv.Groups[prefix+"aws_security_group.app"]
		if web == nil || app == nil {
			t.Fatalf("groups %q: %v", prefix, inv.Groups)
		}
		if want := tf("aws_security_group.web", "aws_security_group", false); web.Declared != want {
			t.Errorf("%sweb: %+v, want %+v", prefix, web.Declared, want)
		}
		if want := tf("aws_security_group.web", "aws_security_group", true); web.Egress[0].Declared != want {
			t.Errorf("%sweb's inline rule: %+v, want %+v", prefix, web.Egress[0].Declared, want)
		}
		if len(app.Egress) != 3 {
			t.Fatalf("%sapp egress: %v", prefix, rules(app))
		}
		for _, r := range app.Egress {
			want := tf("aws_security_group_rule.app_db", "aws_security_group_rule", false)
			if r.Protocol == vpc.ProtoUDP {
				want = tf("aws_vpc_security_group_egress_rule.app_dns", "aws_vpc_security_group_egress_rule", false)
			}
			if r.Declared != want {
				t.Errorf("%s%s: %+v, want %+v", prefix, r.String(), r.Declared, want)
			}
		}
	}
}
