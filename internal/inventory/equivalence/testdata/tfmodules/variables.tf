variable "office_cidr" {
  default = "192.0.2.0/24" # terraform.tfvars.json sets the real one
}

variable "services" {
  default = {}
}

variable "db_count" {
  default = 1
}

variable "nacl_ingress" {
  default = [
    { rule_no = 100, action = "allow", protocol = "tcp", from_port = 443, to_port = 443, cidr_block = "0.0.0.0/0" },
    { rule_no = 110, action = "allow", protocol = "tcp", from_port = 1024, to_port = 65535, ipv6_cidr_block = "::/0" },
  ]
}
