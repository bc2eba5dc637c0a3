# The equivalent network (see ../README.md): one VPC with IPv6, a public
# and a private subnet, and a custom network ACL on the private subnet.

variable "vpc_cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "office_cidr" {
  description = "Where ssh comes from"
  type        = string
  default     = "198.51.100.0/24"
}

locals {
  vpc_ipv6 = "2001:db8:1234:1a00::/56"
  tags     = { Project = "walls-equivalent" }
}

resource "aws_vpc" "main" {
  cidr_block        = var.vpc_cidr
  ipv6_cidr_block   = local.vpc_ipv6
  ipv6_ipam_pool_id = "ipam-pool-0123456789abcdef0"
  tags              = merge(local.tags, { Name = "main" })
}

resource "aws_subnet" "public" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 1)
  ipv6_cidr_block   = "2001:db8:1234:1a01::/64"
  availability_zone = "us-east-1a"
  tags              = { Name = "public" }
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  ipv6_cidr_block   = "2001:db8:1234:1a02::/64"
  availability_zone = "us-east-1a"
  tags              = { Name = "private" }
}

# Inbound allows ssh and https but no ephemeral return range, and entry 110
# is shadowed by entry 100.
resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = [aws_subnet.private.id]

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 0
    to_port    = 1024
    cidr_block = var.vpc_cidr
  }

  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = var.vpc_cidr
  }

  ingress {
    rule_no    = 120
    action     = "allow"
    protocol   = "6"
    from_port  = 443
    to_port    = 443
    cidr_block = "0.0.0.0/0"
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }

  tags = { Name = "private" }
}
