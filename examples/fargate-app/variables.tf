variable "name" {
  description = "Name of the app; prefixes every resource"
  type        = string
  default     = "webapp"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region"
  type        = string
  default     = "us-east-1"
}

variable "image" {
  description = "Container image of the app"
  type        = string
  default     = "public.ecr.aws/docker/library/python:3.12-slim"
}

variable "container_port" {
  description = "Port the app listens on inside the container"
  type        = number
  default     = 8000
}

variable "health_check_path" {
  description = "Path the load balancer polls; must answer 200 when the app is healthy"
  type        = string
  default     = "/health"
}

variable "domain" {
  description = "Domain the app is served on (a Route 53 zone is created for it)"
  type        = string
  default     = "webapp.example.com"
}

variable "cpu" {
  description = "Fargate task CPU units"
  type        = number
  default     = 256
}

variable "memory" {
  description = "Fargate task memory (MiB)"
  type        = number
  default     = 512
}

variable "min_tasks" {
  description = "Fewest copies of the app (also the starting count)"
  type        = number
  default     = 2
}

variable "max_tasks" {
  description = "Most copies autoscaling may run"
  type        = number
  default     = 10
}

variable "cpu_target" {
  description = "Average CPU utilisation (%) autoscaling keeps the service at"
  type        = number
  default     = 60
}

variable "db_instance_class" {
  description = "RDS instance class"
  type        = string
  default     = "db.t4g.micro"
}

variable "db_password" {
  description = "Master password of the database (scripts/demo generates one)"
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.db_password) >= 16
    error_message = "db_password must be at least 16 characters."
  }
}

variable "db_backup_retention_days" {
  description = "Days of automated backups"
  type        = number
  default     = 7
}
