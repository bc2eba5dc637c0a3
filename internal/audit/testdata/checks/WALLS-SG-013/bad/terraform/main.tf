resource "aws_security_group" "office" {
  name   = "office"
  vpc_id = "vpc-0a1"

  ingress {
    description = "office VPN, meant as its /24"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["198.51.100.0/0"]
  }
}

resource "aws_vpc_security_group_egress_rule" "backup" {
  security_group_id = aws_security_group.office.id
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = "10.20.0.0/0"
}
