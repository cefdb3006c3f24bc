# One-time bootstrap of the state backend used by deploy.yml: the bucket
# (versioned, encrypted with a KMS key, private) and the DynamoDB lock table.
# Run once by an administrator with a local state:
#   terraform -chdir=examples/ci/bootstrap init
#   terraform -chdir=examples/ci/bootstrap apply -var bucket=NAME
# herd does not implement the S3 and DynamoDB resource types yet, so this one
# configuration is applied with Terraform; everything else runs on herd.

variable "bucket" {
  type        = string
  description = "Name of the state bucket (globally unique)."
}

variable "region" {
  type    = string
  default = "us-east-1"
}

provider "aws" {
  region = var.region
}

resource "aws_kms_key" "state" {
  description         = "herd state bucket"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "state" {
  bucket = var.bucket
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# The lock: herd and Terraform take it as the object <key>.tflock
# (use_lockfile) and as an item in this table (dynamodb_table).
resource "aws_dynamodb_table" "locks" {
  name         = "herd-state-locks"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"
  attribute {
    name = "LockID"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}

output "bucket" {
  value = aws_s3_bucket.state.id
}

output "lock_table" {
  value = aws_dynamodb_table.locks.name
}
