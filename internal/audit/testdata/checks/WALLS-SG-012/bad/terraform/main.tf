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

  ingress {
    protocol    = "tcp"
    from_port   = 1010
    to_port     = 1010
    cidr_blocks = ["10.0.10.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1011
    to_port     = 1011
    cidr_blocks = ["10.0.11.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1012
    to_port     = 1012
    cidr_blocks = ["10.0.12.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1013
    to_port     = 1013
    cidr_blocks = ["10.0.13.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1014
    to_port     = 1014
    cidr_blocks = ["10.0.14.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1015
    to_port     = 1015
    cidr_blocks = ["10.0.15.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1016
    to_port     = 1016
    cidr_blocks = ["10.0.16.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1017
    to_port     = 1017
    cidr_blocks = ["10.0.17.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1018
    to_port     = 1018
    cidr_blocks = ["10.0.18.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1019
    to_port     = 1019
    cidr_blocks = ["10.0.19.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1020
    to_port     = 1020
    cidr_blocks = ["10.0.20.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1021
    to_port     = 1021
    cidr_blocks = ["10.0.21.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1022
    to_port     = 1022
    cidr_blocks = ["10.0.22.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1023
    to_port     = 1023
    cidr_blocks = ["10.0.23.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1024
    to_port     = 1024
    cidr_blocks = ["10.0.24.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1025
    to_port     = 1025
    cidr_blocks = ["10.0.25.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1026
    to_port     = 1026
    cidr_blocks = ["10.0.26.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1027
    to_port     = 1027
    cidr_blocks = ["10.0.27.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1028
    to_port     = 1028
    cidr_blocks = ["10.0.28.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1029
    to_port     = 1029
    cidr_blocks = ["10.0.29.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1030
    to_port     = 1030
    cidr_blocks = ["10.0.30.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1031
    to_port     = 1031
    cidr_blocks = ["10.0.31.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1032
    to_port     = 1032
    cidr_blocks = ["10.0.32.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1033
    to_port     = 1033
    cidr_blocks = ["10.0.33.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1034
    to_port     = 1034
    cidr_blocks = ["10.0.34.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1035
    to_port     = 1035
    cidr_blocks = ["10.0.35.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1036
    to_port     = 1036
    cidr_blocks = ["10.0.36.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1037
    to_port     = 1037
    cidr_blocks = ["10.0.37.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1038
    to_port     = 1038
    cidr_blocks = ["10.0.38.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1039
    to_port     = 1039
    cidr_blocks = ["10.0.39.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1040
    to_port     = 1040
    cidr_blocks = ["10.0.40.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1041
    to_port     = 1041
    cidr_blocks = ["10.0.41.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1042
    to_port     = 1042
    cidr_blocks = ["10.0.42.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1043
    to_port     = 1043
    cidr_blocks = ["10.0.43.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1044
    to_port     = 1044
    cidr_blocks = ["10.0.44.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1045
    to_port     = 1045
    cidr_blocks = ["10.0.45.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1046
    to_port     = 1046
    cidr_blocks = ["10.0.46.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1047
    to_port     = 1047
    cidr_blocks = ["10.0.47.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1048
    to_port     = 1048
    cidr_blocks = ["10.0.48.0/24"]
  }

  ingress {
    protocol    = "tcp"
    from_port   = 1049
    to_port     = 1049
    cidr_blocks = ["10.0.49.0/24"]
  }
}

resource "aws_instance" "worker" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.priv.id
  private_ip             = "10.0.2.11"
  vpc_security_group_ids = [aws_security_group.workers.id]
}

