variable "region" {
  description = "Region of the state bucket (backend.hcl's region)."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Name of the state bucket, globally unique, e.g. switchboard-tfstate-<account id>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, dashes)."
  }
}

variable "noncurrent_version_days" {
  description = "Days an overwritten state version is kept (to roll a broken apply back)."
  type        = number
  default     = 90
}
