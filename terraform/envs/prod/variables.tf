variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC (/16). Keep environments apart if they may ever be peered."
  type        = string
  default     = "10.50.0.0/16"
}

variable "kubernetes_version" {
  description = "Kubernetes version of the EKS control plane and nodes. Upgrade one minor version at a time."
  type        = string
  default     = "1.33"
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
  default = {
    system = {
      instance_types = ["m7i.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 3
    }
    signaling = {
      instance_types = ["m7i.xlarge"]
      min_size       = 3
      max_size       = 12
      desired_size   = 3
    }
    media = {
      instance_types = ["c7i.2xlarge"]
      min_size       = 3
      max_size       = 12
      desired_size   = 3
    }
  }
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

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.r7g.large"
}

variable "redis_num_cache_clusters" {
  description = "ElastiCache nodes: a primary and its replicas, in different zones."
  type        = number
  default     = 3
}

variable "kafka_broker_instance_type" {
  description = "MSK broker instance type (three brokers, one per zone)."
  type        = string
  default     = "kafka.m7g.large"
}

variable "kafka_broker_volume_size_gib" {
  description = "EBS storage of each MSK broker, GiB."
  type        = number
  default     = 200
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
