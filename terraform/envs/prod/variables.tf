# What an operator sets per environment, in terraform.tfvars (git-ignored; copy
# terraform.tfvars.example). The environment's sizes and trade-offs are in main.tf.

variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "endpoint_public_access" {
  description = "Serve the Kubernetes API publicly (to endpoint_public_access_cidrs only) as well as inside the VPC. Off: reach it from the VPC (VPN, SSM)."
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to the public Kubernetes API endpoint (office, VPN, CI runners)."
  type        = list(string)
  default     = []
}

variable "admin_principal_arns" {
  description = "IAM roles or users that get cluster-admin (EKS access entries), including the one Terraform and Helm run as."
  type        = list(string)
}

variable "ecr_path_prefix" {
  description = "Namespace in front of the ECR repositories (e.g. prod) when environments share an account; empty otherwise."
  type        = string
  default     = ""
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose workflows push images to this environment's ECR."
  type        = string
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub Actions OIDC provider (false when another environment in the same account already did)."
  type        = bool
  default     = true
}

variable "terraform_plan_role_enabled" {
  description = "Make the read-only role the Terraform workflow's plan job assumes on pull requests (false when another environment in the same account already did)."
  type        = bool
  default     = true
}

variable "terraform_state_bucket" {
  description = "Name of the S3 bucket holding Terraform's state (backend.hcl's bucket, terraform/bootstrap's bucket_name): the plan role may read it."
  type        = string
}

variable "app_namespace" {
  description = "Kubernetes namespace the Switchboard chart is installed in."
  type        = string
  default     = "switchboard"
}

variable "gateway_host" {
  description = "Public host name of the gateway (the chart's ingress.host); empty: no Ingress values are emitted."
  type        = string
  default     = ""
}

variable "gateway_certificate_arn" {
  description = "ACM certificate for gateway_host (the chart's ingress.certificateArn); empty: plain HTTP on 80."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Extra tags on every resource (cost centre, owner)."
  type        = map(string)
  default     = {}
}
