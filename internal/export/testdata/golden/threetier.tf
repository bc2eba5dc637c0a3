# walls export test
# Terraform 1.7 or later (removed blocks); AWS provider 5.x or later (aws_vpc_security_group_egress_rule).

# aws_security_group.app (app): 3 egress rules to add, 2 that stay, 3 to remove
# declared as aws_security_group.app at testdata/threetier-tf/main.tf:27

# exists and stays: udp 53 to 10.0.0.2/32
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 10.0.0.2/32
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_dns" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "udp"
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = "10.0.0.2/32"
  description       = "VPC resolver"
}

# exists and stays: tcp 5432 to aws_security_group.db
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to aws_security_group.db
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_2" {
  security_group_id            = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id
}

removed {
  from = aws_security_group_rule.app_db
  lifecycle {
    destroy = false
  }
}
# The input does not hold this rule's id (sgr-…): import it into aws_vpc_security_group_egress_rule.app_egress_2 by hand
# (aws ec2 describe-security-group-rules --filters Name=group-id,Values=<the group's id>),
# or terraform apply fails: AWS refuses a duplicate rule.

# new: tcp 443 to pl-63a5400a
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to pl-63a5400a
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_3" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = "pl-63a5400a"
  description       = "s3"
}

# new: all to 10.0.0.0/16
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 10.0.0.0/16
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_4" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "10.0.0.0/16"
  description       = "whole vpc"
}

# new: icmp type 8 to 10.0.0.0/16
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 10.0.0.0/16
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_5" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "icmp"
  from_port         = 8
  to_port           = -1
  cidr_ipv4         = "10.0.0.0/16"
  description       = "ping"
}

# goes: all to 0.0.0.0/0
# delete the resource block at testdata/threetier-tf/main.tf:37
removed {
  from = aws_vpc_security_group_egress_rule.app_all4
  lifecycle {
    destroy = true
  }
}

# goes: all to ::/0
# delete the resource block at testdata/threetier-tf/main.tf:43
removed {
  from = aws_vpc_security_group_egress_rule.app_all6
  lifecycle {
    destroy = true
  }
}

# goes: all to pl-63a5400a
# delete the resource block at testdata/threetier-tf/main.tf:58
removed {
  from = aws_vpc_security_group_egress_rule.app_s3
  lifecycle {
    destroy = true
  }
}

# Delete these resource blocks from the module: the blocks above replace them:
#   - aws_vpc_security_group_egress_rule.app_dns (testdata/threetier-tf/main.tf:49)
#   - aws_security_group_rule.app_db (testdata/threetier-tf/main.tf:64)

# aws_security_group.db (db): 2 egress rules to add, 0 that stay, 1 to remove
# declared as aws_security_group.db at testdata/threetier-tf/main.tf:32

# new: tcp 443 to 0.0.0.0/0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 0.0.0.0/0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "db_egress_1" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  description       = "app \"tier\" $${var.x} %%{if} 'q' é → ✓ $HOME \\ back"
}

# new: icmp type 3 code 4 to 10.0.0.0/8
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 10.0.0.0/8
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "db_egress_2" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "icmp"
  from_port         = 3
  to_port           = 4
  cidr_ipv4         = "10.0.0.0/8"
  description       = "fragmentation needed"
}

# goes: all to 0.0.0.0/0
# delete the resource block at testdata/threetier-tf/main.tf:73
removed {
  from = aws_vpc_security_group_egress_rule.db_all
  lifecycle {
    destroy = true
  }
}

# aws_security_group.web (web): 5 egress rules to add, 0 that stay, 3 to remove
# declared as aws_security_group.web at testdata/threetier-tf/main.tf:8
# aws_security_group.web (testdata/threetier-tf/main.tf:8) writes its egress rules as inline egress blocks, which must not be
# mixed with aws_vpc_security_group_egress_rule resources for the same group.
# Replace its egress blocks with these 5:
# egress {
#   protocol    = "tcp"
#   from_port   = 8080
#   to_port     = 8090
#   cidr_blocks = ["10.0.1.0/24"]
#   description = "app \"tier\" $${var.x} %%{if} 'q' é → ✓ $HOME \\ back"
# }
# egress {
#   protocol         = "tcp"
#   from_port        = 443
#   to_port          = 443
#   ipv6_cidr_blocks = ["::/0"]
#   description      = "https v6"
# }
# egress {
#   protocol         = "icmpv6"
#   from_port        = -1
#   to_port          = -1
#   ipv6_cidr_blocks = ["2001:db8::/32"]
# }
# egress {
#   protocol    = "47"
#   from_port   = 0
#   to_port     = 0
#   cidr_blocks = ["10.0.9.0/24"]
#   description = "gre"
# }
# egress {
#   protocol        = "tcp"
#   from_port       = 8080
#   to_port         = 8080
#   security_groups = [aws_security_group.app.id]
#   description     = "to app"
# }

# aws_vpc_security_group_egress_rule.web_ssh also manages this group's egress: delete its block at testdata/threetier-tf/main.tf:80;
# the inline blocks above govern its rule from now on.
removed {
  from = aws_vpc_security_group_egress_rule.web_ssh
  lifecycle {
    destroy = false
  }
}
