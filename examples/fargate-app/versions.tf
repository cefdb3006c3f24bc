terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      App       = var.name
      ManagedBy = "herd"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
