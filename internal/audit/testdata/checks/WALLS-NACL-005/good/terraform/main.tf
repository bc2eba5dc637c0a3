resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_network_acl" "priv" {
  vpc_id = aws_vpc.main.id

  ingress {
    rule_no    = 100
    protocol   = "tcp"
    action     = "allow"
    cidr_block = "10.0.0.0/16"
    from_port  = 22
    to_port    = 22
  }

  egress {
    rule_no    = 100
    protocol   = "-1"
    action     = "deny"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}

resource "aws_network_acl_rule" "v6" {
  network_acl_id  = aws_network_acl.priv.id
  rule_number     = 200
  egress          = false
  protocol        = "udp"
  rule_action     = "allow"
  ipv6_cidr_block = "::/0"
  from_port       = 53
  to_port         = 53
}
