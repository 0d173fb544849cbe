# Local state on purpose: this root makes the bucket every other state lives in. Keep its
# terraform.tfstate safe (or migrate it into the bucket afterwards: terraform init -migrate-state).
provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = "switchboard"
      ManagedBy = "terraform"
    }
  }
}
