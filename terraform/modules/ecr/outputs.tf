output "repository_urls" {
  description = "URL of each image's repository, keyed by image name (switchboard-gateway = <account>.dkr.ecr.<region>.amazonaws.com/switchboard-gateway)."
  value       = { for name, repository in aws_ecr_repository.this : name => repository.repository_url }
}

output "repository_arns" {
  description = "ARN of each image's repository, keyed by image name (for push permissions)."
  value       = { for name, repository in aws_ecr_repository.this : name => repository.arn }
}

output "registry" {
  description = "The registry (and path prefix) in front of the image names: the chart's image.registry."
  value       = var.path_prefix == "" ? local.registry_host : "${local.registry_host}/${var.path_prefix}"
}

output "registry_host" {
  description = "Host name of the registry (<account>.dkr.ecr.<region>.amazonaws.com), for docker login and amazon-ecr-login."
  value       = local.registry_host
}
