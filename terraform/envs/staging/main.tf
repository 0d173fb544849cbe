# Switchboard's staging environment (modules/switchboard makes and wires everything). Cheaper than
# prod where it only costs availability: a single NAT gateway, small instances, Spot signaling
# nodes, and nothing kept for a rebuild (snapshots, secrets' recovery window).

locals {
  # The provider's default_tags (providers.tf) and every module's tags.
  tags = merge(var.tags, { Project = "switchboard", Environment = "staging", ManagedBy = "terraform" })
}

module "switchboard" {
  source = "../../modules/switchboard"

  name = "switchboard-staging"
  tags = local.tags

  vpc_cidr           = "10.40.0.0/16"
  single_nat_gateway = true

  kubernetes_version           = "1.33"
  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  admin_principal_arns         = var.admin_principal_arns

  node_groups = {
    system = {
      instance_types = ["t3.large"]
      min_size       = 2
      max_size       = 3
      desired_size   = 2
    }
    signaling = {
      instance_types = ["m7i.large", "m6i.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
      capacity_type  = "SPOT"
    }
    media = {
      instance_types = ["c7i.xlarge"]
      min_size       = 1
      max_size       = 3
      desired_size   = 2
    }
  }

  redis_node_type          = "cache.t4g.small"
  redis_num_cache_clusters = 2

  kafka_broker_instance_type   = "kafka.t3.small"
  kafka_broker_volume_size_gib = 20

  # Staging can be rebuilt from scratch.
  redis_snapshot_retention_days = 1
  redis_final_snapshot          = false
  redis_apply_immediately       = true
  secret_recovery_window_days   = 0

  ecr_path_prefix             = var.ecr_path_prefix
  github_repository           = var.github_repository
  create_github_oidc_provider = var.create_github_oidc_provider

  terraform_plan_role_enabled = var.terraform_plan_role_enabled
  terraform_state_bucket      = var.terraform_state_bucket

  app_namespace           = var.app_namespace
  gateway_host            = var.gateway_host
  gateway_certificate_arn = var.gateway_certificate_arn
}
