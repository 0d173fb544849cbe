variable "name" {
  description = "Replication group id and prefix of the resources around it, e.g. switchboard-staging."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2-40 lowercase letters, digits or single dashes, starting with a letter (ElastiCache's replication group id rules)."
  }
}

variable "vpc_id" {
  description = "VPC of the replication group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, one per availability zone, for the primary and its replicas."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "Multi-AZ needs subnets in at least two availability zones."
  }
}

variable "allowed_security_group_id" {
  description = "The only security group allowed to connect: the EKS nodes' (pods share it with the VPC CNI)."
  type        = string
}

variable "engine" {
  description = "valkey (ElastiCache's Redis-compatible fork, cheaper) or redis (Redis OSS)."
  type        = string
  default     = "valkey"

  validation {
    condition     = contains(["valkey", "redis"], var.engine)
    error_message = "engine must be valkey or redis."
  }
}

variable "engine_version" {
  description = "Engine version: 7.2 or later for Valkey, 7.1 for Redis OSS (Switchboard needs the Redis 7 command set)."
  type        = string
  default     = "7.2"

  validation {
    condition     = can(regex("^[7-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be <major>.<minor>, 7 or later, e.g. 7.2."
  }
}

variable "node_type" {
  description = "Cache node type, e.g. cache.t4g.small (staging) or cache.r7g.large (prod)."
  type        = string

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must be an ElastiCache node type such as cache.r7g.large."
  }
}

variable "num_cache_clusters" {
  description = "Nodes in the replication group: one primary plus replicas, spread over the subnets' zones."
  type        = number
  default     = 2

  validation {
    condition     = var.num_cache_clusters >= 2 && var.num_cache_clusters <= 6
    error_message = "Multi-AZ with automatic failover needs 2 to 6 nodes (a primary and at least one replica)."
  }
}

variable "snapshot_retention_days" {
  description = "Days of daily snapshots kept (0 turns them off)."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 0 && var.snapshot_retention_days <= 35
    error_message = "snapshot_retention_days must be 0-35."
  }
}

variable "snapshot_window" {
  description = "Daily UTC window of the snapshot, hh24:mi-hh24:mi."
  type        = string
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  description = "Weekly UTC maintenance window, ddd:hh24:mi-ddd:hh24:mi (after the snapshot window)."
  type        = string
  default     = "sun:04:30-sun:05:30"
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the next maintenance window (a node type change restarts nodes)."
  type        = bool
  default     = false
}

variable "final_snapshot" {
  description = "Take a final snapshot when the replication group is destroyed."
  type        = bool
  default     = true
}

variable "secret_recovery_window_days" {
  description = "Days a deleted auth-token secret can be restored (0 deletes it at once, for throw-away environments)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or 7-30."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the slow log."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
