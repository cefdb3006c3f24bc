variable "name" {
  description = "Name prefix of every resource"
  type        = string
  default     = "herd-net"
}

variable "region" {
  description = "AWS region"
  type        = string
  default     = "us-east-1"
}

variable "cidr_block" {
  description = "The VPC's address range; subnets are /24s carved from it"
  type        = string
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be a CIDR range such as 10.20.0.0/16."
  }
}

variable "az_count" {
  description = "How many availability zones to spread over"
  type        = number
  default     = 2
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway instead of one per zone (cheaper, less available)"
  type        = bool
  default     = false
}

variable "public_ports" {
  description = "Ports the load balancer accepts from the internet"
  type        = list(number)
  default     = [80, 443]
}

variable "app_port" {
  description = "Port the app listens on behind the load balancer"
  type        = number
  default     = 8000
}
