variable "name" {}
variable "vpc_id" {}
variable "allowed" {}

locals {
  ports = { ssh = 22 }
  sg_id = aws_security_group.this.id
}

resource "aws_security_group" "this" {
  name   = var.name
  vpc_id = var.vpc_id
}

resource "aws_security_group_rule" "in" {
  for_each          = local.ports
  type              = "ingress"
  security_group_id = local.sg_id
  protocol          = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_blocks       = var.allowed
}

output "security_group_id" {
  value = local.sg_id
}
