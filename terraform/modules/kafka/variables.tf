variable "name" {
  description = "Name of the MSK cluster and prefix of the resources around it, e.g. switchboard-staging."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,63}$", var.name))
    error_message = "name must be 1-64 letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the brokers."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, one per availability zone: one broker in each."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) == 3
    error_message = "MSK spreads its brokers over exactly three private subnets in three zones here."
  }
}

variable "allowed_security_group_id" {
  description = "The only security group allowed to connect: the EKS nodes' (pods share it with the VPC CNI)."
  type        = string
}

variable "kafka_version" {
  description = "Apache Kafka version of the brokers (MSK's naming, e.g. 3.8.x)."
  type        = string
  default     = "3.8.x"
}

variable "broker_instance_type" {
  description = "Broker instance type, e.g. kafka.t3.small (staging) or kafka.m7g.large (prod)."
  type        = string

  validation {
    condition     = startswith(var.broker_instance_type, "kafka.")
    error_message = "broker_instance_type must be an MSK broker type such as kafka.m7g.large."
  }
}

variable "brokers_per_zone" {
  description = "Brokers in each of the three zones (3 brokers in all with 1)."
  type        = number
  default     = 1

  validation {
    condition     = var.brokers_per_zone >= 1
    error_message = "brokers_per_zone must be at least 1."
  }
}

variable "broker_volume_size_gib" {
  description = "EBS storage of each broker, GiB. Presence events are small; size for retention.ms times the event rate."
  type        = number
  default     = 100

  validation {
    condition     = var.broker_volume_size_gib >= 1 && var.broker_volume_size_gib <= 16384
    error_message = "broker_volume_size_gib must be 1-16384."
  }
}

variable "scram_enabled" {
  description = <<-EOT
    Also accept SASL/SCRAM-SHA-512 (port 9096) next to SASL/IAM (port 9098). The Switchboard images
    do not ship MSK's IAM login module, so the chart connects with SCRAM (kafka.sasl.mechanism);
    IAM serves tools and clients that have it.
  EOT
  type        = bool
  default     = true
}

variable "scram_username" {
  description = "SASL/SCRAM user of the Switchboard services."
  type        = string
  default     = "switchboard"
}

variable "secret_recovery_window_days" {
  description = "Days a deleted SCRAM secret can be restored (0 deletes it at once, for throw-away environments)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or 7-30."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the broker logs."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
