resource "aws_security_group" "office" {
  name   = "office"
  vpc_id = "vpc-0a1"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["198.51.100.0/24", "0.0.0.0/0"]
  }
}
