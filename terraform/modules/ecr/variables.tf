variable "repository_names" {
  description = "One repository per image the project builds (docker/), named as the chart's image.repository values, and charts/switchboard for the Helm chart (an OCI artifact, pushed by .github/workflows/chart.yml)."
  type        = list(string)
  default = [
    "switchboard-gateway",
    "switchboard-signaling",
    "switchboard-placement",
    "switchboard-state",
    "switchboard-kms-emulator",
    "charts/switchboard",
  ]

  validation {
    condition     = length(var.repository_names) > 0 && alltrue([for name in var.repository_names : can(regex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$", name))])
    error_message = "repository_names must be lowercase ECR names such as switchboard-gateway or charts/switchboard."
  }
}

variable "path_prefix" {
  description = "Optional namespace in front of every repository (e.g. staging, giving staging/switchboard-gateway), for environments sharing one account. Empty: none."
  type        = string
  default     = ""

  validation {
    condition     = var.path_prefix == "" || can(regex("^[a-z0-9]+([._-][a-z0-9]+)*$", var.path_prefix))
    error_message = "path_prefix must be empty or one lowercase path segment without slashes."
  }
}

variable "keep_tagged_images" {
  description = "Images kept per repository; older ones expire (a rollback can go this many builds back)."
  type        = number
  default     = 50

  validation {
    condition     = var.keep_tagged_images >= 1
    error_message = "keep_tagged_images must be at least 1."
  }
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images (superseded layers of multi-arch pushes, failed pushes) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1
    error_message = "untagged_expiry_days must be at least 1."
  }
}

variable "force_delete" {
  description = "Let terraform destroy delete repositories that still hold images (throw-away environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
