resource "aws_instance" "web" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.public.id
  private_ip             = "10.0.1.10"
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = { Name = "web" }
}

resource "aws_instance" "app" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private.id
  private_ip             = "10.0.2.30"
  vpc_security_group_ids = [aws_security_group.app.id]
  tags                   = { Name = "app" }
}

resource "aws_instance" "worker" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.private.id
  private_ip             = "10.0.2.10"
  vpc_security_group_ids = [aws_security_group.workers.id]
  tags                   = { Name = "worker" }
}

resource "aws_network_interface" "db" {
  subnet_id       = aws_subnet.private.id
  private_ips     = ["10.0.2.20"]
  security_groups = [aws_security_group.db.id]
  description     = "db"
  tags            = { Name = "db" }
}
