# The stack's outputs under the names docs/, the workflows and terraform/README.md use.

output "helm_values" {
  description = "Values for the Switchboard chart: helm upgrade --install switchboard deploy/helm/switchboard -n switchboard -f <(terraform output -raw helm_values)."
  value       = module.switchboard.helm_values
}

output "region" {
  description = "AWS region of the environment."
  value       = var.region
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.switchboard.cluster_name
}

output "kubeconfig_command" {
  description = "Adds the cluster to ~/.kube/config."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${module.switchboard.cluster_name}"
}

output "vpc_id" {
  description = "VPC of the cluster (the AWS Load Balancer Controller chart's vpcId)."
  value       = module.switchboard.vpc_id
}

output "nat_public_ips" {
  description = "The cluster's egress addresses."
  value       = module.switchboard.nat_public_ips
}

output "redis_url" {
  description = "rediss:// URL of the ElastiCache primary (the chart's redis.url)."
  value       = module.switchboard.redis_url
}

output "redis_auth_token_secret_name" {
  description = "Secrets Manager secret holding the ElastiCache AUTH token (becomes the Kubernetes Secret switchboard-redis, key auth-token)."
  value       = module.switchboard.redis_auth_token_secret_name
}

output "kafka_bootstrap_brokers_sasl_scram" {
  description = "MSK bootstrap servers, SASL/SCRAM over TLS (the chart's kafka.bootstrapServers)."
  value       = module.switchboard.kafka_bootstrap_brokers_sasl_scram
}

output "kafka_bootstrap_brokers_sasl_iam" {
  description = "MSK bootstrap servers, SASL/IAM over TLS (clients with MSK's IAM login module)."
  value       = module.switchboard.kafka_bootstrap_brokers_sasl_iam
}

output "kafka_scram_secret_name" {
  description = "Secrets Manager secret with the SCRAM credentials (becomes the Kubernetes Secret switchboard-kafka, key password)."
  value       = module.switchboard.kafka_scram_secret_name
}

output "ecr_registry" {
  description = "Registry of the Switchboard images (the chart's image.registry)."
  value       = module.switchboard.ecr_registry
}

output "ecr_repository_urls" {
  description = "Repository of each image, keyed by image name."
  value       = module.switchboard.ecr_repository_urls
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role for the AWS Load Balancer Controller (its chart's serviceAccount annotation)."
  value       = module.switchboard.load_balancer_controller_role_arn
}

output "signaling_role_arn" {
  description = "IRSA role of the signaling pods."
  value       = module.switchboard.signaling_role_arn
}

output "state_role_arn" {
  description = "IRSA role of the state pods."
  value       = module.switchboard.state_role_arn
}

output "github_actions_role_arn" {
  description = "Role the image workflow assumes (aws-actions/configure-aws-credentials role-to-assume)."
  value       = module.switchboard.github_actions_role_arn
}

output "github_actions_plan_role_arn" {
  description = "Read-only role the Terraform workflow's plan job assumes on pull requests (the repository variable AWS_TERRAFORM_PLAN_ROLE_ARN); null when terraform_plan_role_enabled is false."
  value       = module.switchboard.github_actions_plan_role_arn
}

output "media_node_selector" {
  description = "Label of the media nodes (the chart's kms.nodeSelector)."
  value       = module.switchboard.media_node_selector
}

output "media_tolerations" {
  description = "Toleration of the media nodes' taint (the chart's kms.tolerations)."
  value       = module.switchboard.media_tolerations
}
