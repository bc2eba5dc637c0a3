data "aws_partition" "current" {}

locals {
  name   = "eqmod"
  tags   = { Partition = data.aws_partition.current.partition }
  app_sg = aws_security_group.app.id
  extra  = {}
  # try: local.extra has no ssh, so the fallback is used.
  ssh_port = try(local.extra.ssh, 22)
  azs      = ["us-east-1a", "us-east-1b"]
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags       = merge(local.tags, { Name = local.name })
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index + 1)
  availability_zone = element(local.azs, count.index)
  tags              = { Name = "private${count.index}" }
}

resource "aws_security_group" "app" {
  name   = "app"
  vpc_id = aws_vpc.main.id
}

# for_each over a map from terraform.tfvars.json; the group through a local.
resource "aws_vpc_security_group_ingress_rule" "svc" {
  for_each          = var.services
  security_group_id = local.app_sg
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = lookup(each.value, "cidr", "0.0.0.0/0")
}

resource "aws_security_group" "db" {
  count  = var.db_count
  name   = "db${count.index}"
  vpc_id = aws_vpc.main.id
}

# count with the rule's own index.
resource "aws_security_group_rule" "db_in" {
  count                    = var.db_count
  type                     = "ingress"
  security_group_id        = aws_security_group.db[count.index].id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.app.id
}

# A group this configuration does not declare.
resource "aws_security_group_rule" "shared_ssh" {
  type              = "ingress"
  security_group_id = "sg-0123456789abcdef0"
  protocol          = "tcp"
  from_port         = local.ssh_port
  to_port           = local.ssh_port
  cidr_blocks       = [var.office_cidr]
}

module "bastion" {
  source  = "./modules/bastion"
  name    = "bastion"
  vpc_id  = aws_vpc.main.id
  allowed = [var.office_cidr]
}

# The group through a module output.
resource "aws_security_group_rule" "bastion_egress" {
  type              = "egress"
  security_group_id = module.bastion.security_group_id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["0.0.0.0/0"]
}

# As the vpc module writes its default NACL: lookup with a null default.
resource "aws_default_network_acl" "default" {
  default_network_acl_id = aws_vpc.main.default_network_acl_id

  dynamic "ingress" {
    for_each = var.nacl_ingress
    content {
      rule_no         = ingress.value.rule_no
      action          = ingress.value.action
      protocol        = ingress.value.protocol
      from_port       = lookup(ingress.value, "from_port", 0)
      to_port         = lookup(ingress.value, "to_port", 0)
      cidr_block      = lookup(ingress.value, "cidr_block", null)
      ipv6_cidr_block = lookup(ingress.value, "ipv6_cidr_block", null)
    }
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    from_port  = 0
    to_port    = 0
    cidr_block = "0.0.0.0/0"
  }

  tags = { Name = "default" }
}

resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = aws_subnet.private[*].id
  tags       = { Name = "private" }
}

resource "aws_network_acl_rule" "private_in" {
  count          = 2
  network_acl_id = aws_network_acl.private.id
  rule_number    = 100 + count.index * 10
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  from_port      = [22, 443][count.index]
  to_port        = [22, 443][count.index]
  cidr_block     = aws_vpc.main.cidr_block
}
