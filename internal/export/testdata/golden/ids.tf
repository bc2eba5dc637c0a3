# walls export test
# Terraform 1.7 or later (removed blocks); AWS provider 5.x or later (aws_vpc_security_group_egress_rule).

# sg-0a0000000000000a1 (web tier): 4 egress rules to add, 0 that stay, 3 to remove

# new: tcp 443 to 0.0.0.0/0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 0.0.0.0/0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "web_tier_egress_1" {
  security_group_id = "sg-0a0000000000000a1"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  description       = "app \"tier\" $${var.x} %%{if} 'q' é → ✓ $HOME \\ back"
}

# new: tcp all ports to sg-0a0000000000000a2
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to sg-0a0000000000000a2
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "web_tier_egress_2" {
  security_group_id            = "sg-0a0000000000000a1"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = "sg-0a0000000000000a2"
  description                  = "app, all ports"
}

# new: icmpv6 all types to ::/0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to ::/0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "web_tier_egress_3" {
  security_group_id = "sg-0a0000000000000a1"
  ip_protocol       = "icmpv6"
  from_port         = -1
  to_port           = -1
  cidr_ipv6         = "::/0"
}

# new: udp 1024-65535 to 2001:db8::/32
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 2001:db8::/32
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "web_tier_egress_4" {
  security_group_id = "sg-0a0000000000000a1"
  ip_protocol       = "udp"
  from_port         = 1024
  to_port           = 65535
  cidr_ipv6         = "2001:db8::/32"
  description       = "it's"
}

# These rules go but no resource of this module manages them; revoke them once the
# rules above exist (walls export --format awscli writes the commands):
#   - all to 0.0.0.0/0 (sgr-0000000000000a101)
#   - all to ::/0 (sgr-0000000000000a102)
#   - all to sg-0a0000000000000a2 (sgr-0000000000000a103)

# sg-0a0000000000000a2 (app): 4 egress rules to add, 1 that stay, 4 to remove

# exists and stays: tcp 5432 to sg-0a0000000000000a3 (sgr-0000000000000a202)
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to sg-0a0000000000000a3
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_1" {
  security_group_id            = "sg-0a0000000000000a2"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = "sg-0a0000000000000a3"
}

import {
  to = aws_vpc_security_group_egress_rule.app_egress_1
  id = "sgr-0000000000000a202"
}

# new: tcp 443 to pl-0123456789abcdef0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to pl-0123456789abcdef0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_2" {
  security_group_id = "sg-0a0000000000000a2"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = "pl-0123456789abcdef0"
  description       = "s3"
}

# new: 132 to pl-0123456789abcdef0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to pl-0123456789abcdef0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_3" {
  security_group_id = "sg-0a0000000000000a2"
  ip_protocol       = "132"
  prefix_list_id    = "pl-0123456789abcdef0"
  description       = "sctp"
}

# new: tcp 8443 to sg-0b00000000000000b
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 111122223333/sg-0b00000000000000b
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_4" {
  security_group_id            = "sg-0a0000000000000a2"
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  referenced_security_group_id = "111122223333/sg-0b00000000000000b"
  description                  = "peer"
}

# new: icmp type 3 code 4 to 10.0.0.0/8
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 10.0.0.0/8
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "app_egress_5" {
  security_group_id = "sg-0a0000000000000a2"
  ip_protocol       = "icmp"
  from_port         = 3
  to_port           = 4
  cidr_ipv4         = "10.0.0.0/8"
}

# These rules go but no resource of this module manages them; revoke them once the
# rules above exist (walls export --format awscli writes the commands):
#   - tcp all ports to 0.0.0.0/0 (sgr-0000000000000a201)
#   - all to pl-0123456789abcdef0 (sgr-0000000000000a203)
#   - all to sg-0b00000000000000b (sgr-0000000000000a204)
#   - icmp all types to 10.0.0.0/8 (sgr-0000000000000a205)

# sg-0a0000000000000a3 (db): 0 egress rules to add, 0 that stay, 1 to remove

# These rules go but no resource of this module manages them; revoke them once the
# rules above exist (walls export --format awscli writes the commands):
#   - all to 0.0.0.0/0
