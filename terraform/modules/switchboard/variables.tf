# What an environment chooses. Sizes and trade-offs have no default here, so each environment states
# its own in its main.tf; the rest defaults to the safe choice (prod's).

variable "name" {
  description = "Prefix of every resource name and the EKS cluster's name, e.g. switchboard-staging."
  type        = string
}

variable "tags" {
  description = "Tags on every resource (the environment's, also its provider's default_tags)."
  type        = map(string)
  default     = {}
}

# Network

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC (/16). Keep environments apart if they may ever be peered."
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway for the whole VPC (cheaper) instead of one per availability zone (a zone's outage does not cut the others' egress)."
  type        = bool
  default     = false
}

# Cluster

variable "kubernetes_version" {
  description = "Kubernetes version of the EKS control plane and nodes. Upgrade one minor version at a time."
  type        = string
}

variable "endpoint_public_access" {
  description = "Serve the Kubernetes API publicly (to endpoint_public_access_cidrs only) as well as inside the VPC."
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

variable "node_groups" {
  description = "Instance types and sizes of the system, signaling and media node groups."
  type = object({
    system = object({
      instance_types = list(string)
      min_size       = number
      max_size       = number
      desired_size   = number
      capacity_type  = optional(string, "ON_DEMAND")
      disk_size_gib  = optional(number, 50)
    })
    signaling = object({
      instance_types = list(string)
      min_size       = number
      max_size       = number
      desired_size   = number
      capacity_type  = optional(string, "ON_DEMAND")
      disk_size_gib  = optional(number, 50)
    })
    media = object({
      instance_types = list(string)
      min_size       = number
      max_size       = number
      desired_size   = number
      capacity_type  = optional(string, "ON_DEMAND")
      disk_size_gib  = optional(number, 100)
    })
  })
}

variable "media_udp_port_min" {
  description = "First port of Kurento's WebRTC UDP range, opened on the media nodes (the chart's kms.minPort)."
  type        = number
  default     = 40000
}

variable "media_udp_port_max" {
  description = "Last port of Kurento's WebRTC UDP range (the chart's kms.maxPort)."
  type        = number
  default     = 57000
}

variable "media_ice_tcp_enabled" {
  description = "Also open the media port range over TCP (ICE-TCP, for clients whose firewalls drop UDP)."
  type        = bool
  default     = false
}

variable "media_turn_tls_enabled" {
  description = "Open TCP 443 on the media nodes for a TURN server over TLS run there."
  type        = bool
  default     = false
}

# ElastiCache and MSK

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "redis_num_cache_clusters" {
  description = "ElastiCache nodes: a primary and its replicas, in different zones."
  type        = number
}

variable "redis_snapshot_retention_days" {
  description = "Days of daily ElastiCache snapshots kept (0 turns them off)."
  type        = number
}

variable "redis_final_snapshot" {
  description = "Take a final ElastiCache snapshot when the environment is destroyed."
  type        = bool
  default     = true
}

variable "redis_apply_immediately" {
  description = "Apply ElastiCache changes now instead of in the next maintenance window (a node type change restarts nodes)."
  type        = bool
  default     = false
}

variable "kafka_broker_instance_type" {
  description = "MSK broker instance type (three brokers, one per zone)."
  type        = string
}

variable "kafka_broker_volume_size_gib" {
  description = "EBS storage of each MSK broker, GiB."
  type        = number
}

variable "secret_recovery_window_days" {
  description = "Days a deleted ElastiCache AUTH token or MSK SCRAM secret can be restored (0 deletes them at once, for environments rebuilt from scratch)."
  type        = number
  default     = 30
}

# Images, CI and the chart

variable "ecr_path_prefix" {
  description = "Namespace in front of the ECR repositories (e.g. staging) when environments share an account; empty otherwise."
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
  description = "Make the read-only role the Terraform workflow's plan job assumes on pull requests (AWS_TERRAFORM_PLAN_ROLE_ARN)."
  type        = bool
  default     = true
}

variable "terraform_state_bucket" {
  description = "Name of the S3 bucket holding Terraform's state (backend.hcl's bucket), which the plan role may read; required when terraform_plan_role_enabled."
  type        = string
  default     = ""
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
