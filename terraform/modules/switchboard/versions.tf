terraform {
  required_version = ">= 1.9"

  # Only the providers this module configures resources with; network, cluster, redis, kafka, ecr
  # and iam declare their own (random for the generated secrets).
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}
