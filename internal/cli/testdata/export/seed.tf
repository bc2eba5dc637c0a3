# Written by walls export --format terraform from the plan plan.json.
# Security groups that change: 1; egress rules to add: 4, that stay: 0, to remove: 1.
# Plan made against the inventory sha256:b0a206799403400a656edb30ff01e1ad3cde687de80e2d6401347661fd017704.
# Terraform 1.7 or later (removed blocks); AWS provider 5.x or later (aws_vpc_security_group_egress_rule).

# sg-0a1b2c3d4e5f60021 (batch-workers): 4 egress rules to add, 0 that stay, 1 to remove

# new: tcp 21 to 0.0.0.0/0
# evidence: 2 observations, 4 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.21
#   seen 2026-11-24T08:05:00Z to 2026-11-24T08:11:00Z
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
resource "aws_vpc_security_group_egress_rule" "batch_workers_egress_1" {
  security_group_id = "sg-0a1b2c3d4e5f60021"
  ip_protocol       = "tcp"
  from_port         = 21
  to_port           = 21
  cidr_ipv4         = "0.0.0.0/0"
  description       = "walls learn: 4 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"
}

# new: tcp 80 to 0.0.0.0/0
# evidence: 2 observations, 4 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.10
#   seen 2026-11-24T08:00:00Z to 2026-11-24T08:06:00Z
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
resource "aws_vpc_security_group_egress_rule" "batch_workers_egress_2" {
  security_group_id = "sg-0a1b2c3d4e5f60021"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
  description       = "walls learn: 4 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"
}

# new: tcp 443 to 0.0.0.0/0
# evidence: 4 observations, 16 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.10, 192.0.2.11
#   seen 2026-11-24T08:01:00Z to 2026-11-24T14:06:00Z
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
resource "aws_vpc_security_group_egress_rule" "batch_workers_egress_3" {
  security_group_id = "sg-0a1b2c3d4e5f60021"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  description       = "walls learn: 16 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"
}

# new: tcp 50013-50096 to 0.0.0.0/0
# evidence: 6 observations, 12 flow records, confidence exact
#   from eni-0a1b2c3d4e5f60101, eni-0a1b2c3d4e5f60102
#   to 192.0.2.21
#   ports 50013, 50022, 50041, 50058, 50077, 50096
#   seen 2026-11-24T08:05:00Z to 2026-11-24T08:11:00Z
#   why: 6 distinct high ports to 192.0.2.21 merged into one range 50013-50096 (passive FTP data: the same remote is reached on port 21)
#   why: internet destination: the service port open to the whole internet, as addresses such as mirrors change
resource "aws_vpc_security_group_egress_rule" "batch_workers_egress_4" {
  security_group_id = "sg-0a1b2c3d4e5f60021"
  ip_protocol       = "tcp"
  from_port         = 50013
  to_port           = 50096
  cidr_ipv4         = "0.0.0.0/0"
  description       = "walls learn: 12 flow records from 2 interfaces seen 2026-11-24 to 2026-11-24"
}

# These rules go but no resource of this module manages them; revoke them once the
# rules above exist (walls export --format awscli writes the commands):
#   - all to 0.0.0.0/0
