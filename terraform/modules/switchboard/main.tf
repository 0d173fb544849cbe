# Switchboard on AWS, whole: one VPC, one EKS cluster (system, signaling and media node groups),
# ElastiCache, MSK, the image repositories and the IAM roles, wired together. Each environment
# (envs/staging, envs/prod) calls this module once with its own sizes and trade-offs; nothing here
# differs between them.

module "network" {
  source = "../network"

  name               = var.name
  cidr               = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway

  tags = var.tags
}

module "cluster" {
  source = "../cluster"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id             = module.network.vpc_id
  private_subnet_ids = module.network.private_subnet_ids
  public_subnet_ids  = module.network.public_subnet_ids

  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs
  admin_principal_arns         = var.admin_principal_arns

  node_groups           = var.node_groups
  media_udp_port_min    = var.media_udp_port_min
  media_udp_port_max    = var.media_udp_port_max
  media_ice_tcp_enabled = var.media_ice_tcp_enabled

  media_turn_tls_enabled = var.media_turn_tls_enabled

  tags = var.tags
}

module "redis" {
  source = "../redis"

  name                      = var.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  allowed_security_group_id = module.cluster.node_security_group_id

  node_type          = var.redis_node_type
  num_cache_clusters = var.redis_num_cache_clusters

  snapshot_retention_days     = var.redis_snapshot_retention_days
  final_snapshot              = var.redis_final_snapshot
  secret_recovery_window_days = var.secret_recovery_window_days
  apply_immediately           = var.redis_apply_immediately

  tags = var.tags
}

module "kafka" {
  source = "../kafka"

  name                      = var.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  allowed_security_group_id = module.cluster.node_security_group_id

  broker_instance_type   = var.kafka_broker_instance_type
  broker_volume_size_gib = var.kafka_broker_volume_size_gib

  secret_recovery_window_days = var.secret_recovery_window_days

  tags = var.tags
}

module "ecr" {
  source = "../ecr"

  path_prefix = var.ecr_path_prefix

  tags = var.tags
}

module "iam" {
  source = "../iam"

  name              = var.name
  oidc_provider_arn = module.cluster.oidc_provider_arn
  oidc_provider     = module.cluster.oidc_provider
  app_namespace     = var.app_namespace

  msk_cluster_arn      = module.kafka.cluster_arn
  msk_topic_arn_prefix = module.kafka.topic_arn_prefix
  msk_group_arn_prefix = module.kafka.group_arn_prefix

  github_repository           = var.github_repository
  create_github_oidc_provider = var.create_github_oidc_provider
  ecr_repository_arns         = values(module.ecr.repository_arns)

  terraform_plan_role_enabled = var.terraform_plan_role_enabled
  terraform_state_bucket      = var.terraform_state_bucket

  tags = var.tags
}
