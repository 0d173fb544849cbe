# State in S3, locked with S3's own lock file (Terraform 1.10+, no DynamoDB table). The bucket and
# region are the account's, so they come from backend.hcl (copy backend.hcl.example):
#   terraform init -backend-config=backend.hcl
# terraform/bootstrap makes the bucket (versioned, encrypted, private).
terraform {
  backend "s3" {
    key          = "switchboard/prod/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
