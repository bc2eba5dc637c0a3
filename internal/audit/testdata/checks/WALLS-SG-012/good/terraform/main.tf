resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "priv" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.2.0/24"
}

resource "aws_security_group" "workers" {
  name   = "workers"
  vpc_id = aws_vpc.main.id

  ingress {
    protocol    = "tcp"
    from_port   = 1000
    to_port     = 1000
    cidr_blocks = ["10.0.0.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1001
    to_port     = 1001
    cidr_blocks = ["10.0.1.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1002
    to_port     = 1002
    cidr_blocks = ["10.0.2.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1003
    to_port     = 1003
    cidr_blocks = ["10.0.3.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1004
    to_port     = 1004
    cidr_blocks = ["10.0.4.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1005
    to_port     = 1005
    cidr_blocks = ["10.0.5.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1006
    to_port     = 1006
    cidr_blocks = ["10.0.6.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1007
    to_port     = 1007
    cidr_blocks = ["10.0.7.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1008
    to_port     = 1008
    cidr_blocks = ["10.0.8.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1009
    to_port     = 1009
    cidr_blocks = ["10.0.9.0/24"]
  }
}

resource "aws_instance" "worker" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.priv.id
  private_ip             = "10.0.2.11"
  vpc_security_group_ids = [aws_security_group.workers.id]
}

