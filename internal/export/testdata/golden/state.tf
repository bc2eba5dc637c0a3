# walls export test
# Terraform 1.7 or later (removed blocks); AWS provider 5.x or later (aws_vpc_security_group_egress_rule).

# sg-0aaa (web): 1 egress rules to add, 1 that stay, 1 to remove
# declared as aws_security_group.web at testdata/state/state.json:7

# exists and stays: tcp 8080 to sg-0ccc (sgr-0bbb)
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to sg-0ccc
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "web_egress_1" {
  security_group_id            = aws_security_group.web.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = "sg-0ccc"
}

removed {
  from = module.net.aws_vpc_security_group_egress_rule.out
  lifecycle {
    destroy = false
  }
}
import {
  to = aws_vpc_security_group_egress_rule.web_egress_1
  id = "sgr-0bbb"
}

# new: tcp 443 to 0.0.0.0/0
# evidence: 3 observations, 12 flow records, confidence exact
#   from eni-0aaa, eni-0bbb
#   to 0.0.0.0/0
#   ports 443
#   seen 2026-11-24T08:00:00Z to 2026-11-24T09:00:00Z
#   why: test evidence
resource "aws_vpc_security_group_egress_rule" "web_egress_2" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  description       = "https"
}

# goes: all to 0.0.0.0/0 (sgr-0ddd)
# delete the resource block at testdata/state/state.json:10
removed {
  from = aws_vpc_security_group_egress_rule.all
  lifecycle {
    destroy = true
  }
}

# Delete these resource blocks from the module: the blocks above replace them:
#   - module.net.aws_vpc_security_group_egress_rule.out (testdata/state/state.json:18)
