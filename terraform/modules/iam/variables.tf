variable "name" {
  description = "Prefix of every role and policy name, e.g. switchboard-staging."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
  type        = string
}

variable "oidc_provider" {
  description = "The cluster's OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<id>)."
  type        = string
}

variable "app_namespace" {
  description = "Kubernetes namespace of the Switchboard release."
  type        = string
  default     = "switchboard"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.app_namespace))
    error_message = "app_namespace must be a Kubernetes namespace name."
  }
}

variable "signaling_service_account" {
  description = "ServiceAccount of the signaling pods (the chart's signaling.serviceAccount.name)."
  type        = string
  default     = "switchboard-signaling"
}

variable "state_service_account" {
  description = "ServiceAccount of the state pods (the chart's state.serviceAccount.name)."
  type        = string
  default     = "switchboard-state"
}

variable "load_balancer_controller_namespace" {
  description = "Namespace the AWS Load Balancer Controller is installed in."
  type        = string
  default     = "kube-system"
}

variable "load_balancer_controller_service_account" {
  description = "ServiceAccount of the AWS Load Balancer Controller (its chart's serviceAccount.name)."
  type        = string
  default     = "aws-load-balancer-controller"
}

variable "msk_cluster_arn" {
  description = "ARN of the MSK cluster the services authenticate to with SASL/IAM."
  type        = string
}

variable "msk_topic_arn_prefix" {
  description = "Prefix of the MSK cluster's topic ARNs (arn:...:topic/<cluster>/<uuid>/)."
  type        = string
}

variable "msk_group_arn_prefix" {
  description = "Prefix of the MSK cluster's consumer group ARNs (arn:...:group/<cluster>/<uuid>/)."
  type        = string
}

variable "presence_topic_pattern" {
  description = "Topics of the presence contract: switchboard.presence.v1 and its dead-letter topic (libs/presence-events)."
  type        = string
  default     = "switchboard.presence.*"
}

variable "state_consumer_group" {
  description = "Kafka consumer group of the state service (the chart's state.groupId)."
  type        = string
  default     = "state"
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose workflows may push images and plan, e.g. your-org/switchboard."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. your-org/switchboard."
  }
}

variable "github_subjects" {
  description = "Which workflow runs of that repository may assume the CI role: OIDC sub claims after repo:<owner>/<name>: (wildcards allowed)."
  type        = list(string)
  default     = ["ref:refs/heads/main", "ref:refs/tags/v*"]

  validation {
    condition     = length(var.github_subjects) > 0 && alltrue([for subject in var.github_subjects : subject != "*"])
    error_message = "github_subjects must name branches, tags or environments, not every run of the repository (\"*\")."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub Actions OIDC provider. An account holds one; set false in the second environment sharing an account."
  type        = bool
  default     = true
}

variable "ecr_repository_arns" {
  description = "Repositories the CI role may push to."
  type        = list(string)
}

variable "terraform_plan_role_enabled" {
  description = "Make the role the Terraform workflow's plan job assumes on pull requests (read-only; the repository variable AWS_TERRAFORM_PLAN_ROLE_ARN)."
  type        = bool
  default     = true
}

variable "terraform_state_bucket" {
  description = "Name of the S3 bucket holding Terraform's state (terraform/bootstrap's bucket, backend.hcl's bucket): the plan role may list it and read its objects."
  type        = string
  default     = ""

  validation {
    condition     = var.terraform_state_bucket == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.terraform_state_bucket))
    error_message = "terraform_state_bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots or dashes)."
  }

  validation {
    condition     = !var.terraform_plan_role_enabled || var.terraform_state_bucket != ""
    error_message = "terraform_state_bucket must name the state bucket when terraform_plan_role_enabled is true."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
