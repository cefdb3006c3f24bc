# Copied next to the configuration by deploy.yml: the state lives in S3.
# The arguments come from backend.s3.tfbackend and the workflow's
# -backend-config flags (partial configuration), so the same configuration
# also runs locally without a backend.
terraform {
  backend "s3" {}
}
