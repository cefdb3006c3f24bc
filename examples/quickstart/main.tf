# A provider-free tour of herd: variables, locals, functions, count/for_each,
# dependencies and a local-exec provisioner, using the built-in
# `terraform_data` resource. Runs anywhere, no cloud account needed.

terraform {
  required_version = ">= 1.0"
}

variable "app" {
  description = "Application name"
  type        = string
  default     = "herd-demo"
}

variable "environments" {
  description = "Environments to lay out, with their replica counts"
  type        = map(number)
  default = {
    staging    = 1
    production = 3
  }
}

variable "db_password" {
  type      = string
  default   = "change-me"
  sensitive = true
}

locals {
  vpc_cidr = "10.0.0.0/16"
  # Two public and two private subnets, one of each per availability zone.
  subnets = {
    for i, az in ["a", "b"] : az => {
      public  = cidrsubnet(local.vpc_cidr, 8, i)
      private = cidrsubnet(local.vpc_cidr, 8, i + 10)
    }
  }
  tags = {
    App       = var.app
    ManagedBy = "herd"
  }
}

resource "terraform_data" "network" {
  input = {
    cidr    = local.vpc_cidr
    subnets = local.subnets
    tags    = local.tags
  }
}

resource "terraform_data" "service" {
  for_each = var.environments

  input = {
    name     = "${var.app}-${each.key}"
    replicas = each.value
    network  = terraform_data.network.id
  }

  provisioner "local-exec" {
    command = "echo deployed ${self.input.name} with ${self.input.replicas} replicas"
  }
}

resource "terraform_data" "database" {
  triggers_replace = [var.db_password]
  input            = "postgres://app@db.internal:5432/${var.app}"
}

output "subnets" {
  value = local.subnets
}

output "services" {
  value = { for k, s in terraform_data.service : k => s.output.name }
}

output "database_url" {
  value = terraform_data.database.output
}
