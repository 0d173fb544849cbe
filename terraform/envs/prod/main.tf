# Switchboard's production environment (modules/switchboard makes and wires everything). Every zone
# stands alone: a NAT gateway per zone, replicas and brokers in each, on-demand nodes only,
# snapshots kept and secrets recoverable.

locals {
  # The provider's default_tags (providers.tf) and every module's tags.
  tags = merge(var.tags, { Project = "switchboard", Environment = "prod", ManagedBy = "terraform" })
}

module "switchboard" {
  source = "../../modules/switchboard"

  name = "switchboard-prod"
  tags = local.tags

  vpc_cidr           = "10.50.0.0/16"
  single_nat_gateway = false

  kubernetes_version           = "1.33"
  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  admin_principal_arns         = var.admin_principal_arns

  node_groups = {
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

  redis_node_type          = "cache.r7g.large"
  redis_num_cache_clusters = 3

  kafka_broker_instance_type   = "kafka.m7g.large"
  kafka_broker_volume_size_gib = 200

  redis_snapshot_retention_days = 14
  redis_final_snapshot          = true

  ecr_path_prefix             = var.ecr_path_prefix
  github_repository           = var.github_repository
  create_github_oidc_provider = var.create_github_oidc_provider

  terraform_plan_role_enabled = var.terraform_plan_role_enabled
  terraform_state_bucket      = var.terraform_state_bucket

  app_namespace           = var.app_namespace
  gateway_host            = var.gateway_host
  gateway_certificate_arn = var.gateway_certificate_arn
}
