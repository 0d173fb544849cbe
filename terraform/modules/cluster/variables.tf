variable "name" {
  description = "Name of the EKS cluster, also the prefix of the resources around it, e.g. switchboard-staging."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes <major>.<minor> of the control plane and the node groups (the chart needs 1.30 or later)."
  type        = string

  validation {
    condition     = can(regex("^1\\.(3[0-9]|[4-9][0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be 1.30 or later, written <major>.<minor>, e.g. 1.33."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (one per zone): the control plane's network interfaces and the system and signaling nodes."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "EKS needs private subnets in at least two availability zones."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets with public addresses on launch: the media nodes, which browsers reach directly over UDP."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 1
    error_message = "The media nodes need at least one public subnet."
  }
}

variable "endpoint_public_access" {
  description = "Serve the Kubernetes API on a public endpoint (restricted to endpoint_public_access_cidrs) as well as inside the VPC."
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to reach the public Kubernetes API endpoint (office, VPN, CI runners)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.endpoint_public_access_cidrs : can(cidrhost(cidr, 0))])
    error_message = "Every entry of endpoint_public_access_cidrs must be a CIDR, e.g. 203.0.113.0/24."
  }

  validation {
    condition     = !var.endpoint_public_access || length(var.endpoint_public_access_cidrs) > 0
    error_message = "With endpoint_public_access = true, name the CIDRs that may reach it in endpoint_public_access_cidrs."
  }
}

variable "admin_principal_arns" {
  description = "IAM roles or users given cluster-admin through EKS access entries (AmazonEKSClusterAdminPolicy). Include the role Terraform and Helm run as."
  type        = list(string)

  validation {
    condition     = length(var.admin_principal_arns) > 0 && alltrue([for arn in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/", arn))])
    error_message = "admin_principal_arns must list at least one IAM role or user ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "node_groups" {
  description = <<-EOT
    Sizes of the three managed node groups: system (CoreDNS, the load balancer controller, monitoring;
    private subnets), signaling (gateway, signaling, placement, state; private subnets) and media
    (one Kurento per node on the host network; public subnets, tainted for Kurento only).
  EOT
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

  validation {
    condition     = alltrue([for group in values(var.node_groups) : group.min_size <= group.desired_size && group.desired_size <= group.max_size])
    error_message = "Every node group needs min_size <= desired_size <= max_size."
  }

  validation {
    condition     = alltrue([for group in values(var.node_groups) : contains(["ON_DEMAND", "SPOT"], group.capacity_type)])
    error_message = "capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition     = var.node_groups.media.capacity_type == "ON_DEMAND"
    error_message = "Media nodes carry live calls, which a Spot reclaim would cut: their capacity_type must be ON_DEMAND."
  }
}

variable "media_udp_port_min" {
  description = "First port of Kurento's WebRTC UDP range (the chart's kms.minPort), opened to the internet on the media nodes."
  type        = number
  default     = 40000

  validation {
    condition     = var.media_udp_port_min >= 1024 && var.media_udp_port_min <= 65535
    error_message = "media_udp_port_min must be an unprivileged port, 1024-65535."
  }
}

variable "media_udp_port_max" {
  description = "Last port of Kurento's WebRTC UDP range (the chart's kms.maxPort)."
  type        = number
  default     = 57000

  validation {
    condition     = var.media_udp_port_max >= var.media_udp_port_min && var.media_udp_port_max <= 65535
    error_message = "media_udp_port_max must be between media_udp_port_min and 65535."
  }
}

variable "media_ice_tcp_enabled" {
  description = "Also open the media port range over TCP, for ICE-TCP candidates (clients behind firewalls that drop UDP). Off: UDP only."
  type        = bool
  default     = false
}

variable "media_turn_tls_enabled" {
  description = "Open TCP 443 on the media nodes for a TURN server over TLS that you run there (e.g. coturn on the host network), for clients that can only reach port 443."
  type        = bool
  default     = false
}

variable "kms_port" {
  description = "Kurento's JSON-RPC WebSocket port on the media nodes (host network; the chart's kms.port), open to the cluster's nodes only."
  type        = number
  default     = 8888
}

variable "cluster_log_retention_days" {
  description = "Days CloudWatch keeps the control plane's audit, api and authenticator logs."
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
