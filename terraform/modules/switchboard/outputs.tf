locals {
  # Kubernetes Secrets made from Secrets Manager before `helm install` (terraform/README.md shows
  # how; External Secrets can do the same): the chart takes credentials by reference only.
  redis_secret_name = "switchboard-redis"
  kafka_secret_name = "switchboard-kafka"

  # Values for deploy/helm/switchboard, at the chart's own paths (TerraformIT checks every path
  # against its values.yaml). Credentials stay out: only Secret names.
  helm_values = {
    image = {
      registry = module.ecr.registry
    }
    gateway = {
      nodeSelector = module.cluster.service_node_selector
    }
    signaling = {
      nodeSelector = module.cluster.service_node_selector
      # Browser ICE candidates may not point KMS at the VPC (pods, nodes, Redis, MSK) nor at the
      # Service CIDR (EKS takes 10.100.0.0/16 or 172.20.0.0/16 when none is given).
      iceBlockedRanges = [var.vpc_cidr, "10.100.0.0/16", "172.20.0.0/16"]
      serviceAccount = {
        name = module.iam.signaling_service_account
        annotations = {
          "eks.amazonaws.com/role-arn" = module.iam.signaling_role_arn
        }
      }
    }
    placement = {
      nodeSelector = module.cluster.service_node_selector
    }
    state = {
      nodeSelector = module.cluster.service_node_selector
      serviceAccount = {
        name = module.iam.state_service_account
        annotations = {
          "eks.amazonaws.com/role-arn" = module.iam.state_role_arn
        }
      }
    }
    kms = {
      nodeSelector = module.cluster.media_node_selector
      tolerations  = module.cluster.media_tolerations
      minPort      = module.cluster.media_udp_port_min
      maxPort      = module.cluster.media_udp_port_max
    }
    redis = {
      url = module.redis.url
      passwordSecret = {
        name = local.redis_secret_name
        key  = "auth-token"
      }
    }
    kafka = {
      bootstrapServers = module.kafka.bootstrap_brokers_sasl_scram
      tls = {
        enabled = true
      }
      sasl = {
        mechanism = "SCRAM-SHA-512"
        username  = module.kafka.scram_username
        passwordSecret = {
          name = local.kafka_secret_name
          key  = "password"
        }
      }
    }
    networkPolicy = {
      mediaNodeCIDRs = module.network.public_subnet_cidrs
    }
    ingress = {
      # No host: no Ingress (expose the gateway another way, e.g. gateway.service.nlb).
      enabled        = var.gateway_host != ""
      host           = var.gateway_host
      certificateArn = var.gateway_certificate_arn
    }
  }
}

output "helm_values" {
  description = "Values for the Switchboard chart: helm upgrade --install switchboard deploy/helm/switchboard -n switchboard -f <(terraform output -raw helm_values)."
  value       = yamlencode(local.helm_values)
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.cluster.cluster_name
}

output "vpc_id" {
  description = "VPC of the cluster (the AWS Load Balancer Controller chart's vpcId)."
  value       = module.network.vpc_id
}

output "nat_public_ips" {
  description = "The cluster's egress addresses."
  value       = module.network.nat_public_ips
}

output "redis_url" {
  description = "rediss:// URL of the ElastiCache primary (the chart's redis.url)."
  value       = module.redis.url
}

output "redis_auth_token_secret_name" {
  description = "Secrets Manager secret holding the ElastiCache AUTH token (becomes the Kubernetes Secret switchboard-redis, key auth-token)."
  value       = module.redis.auth_token_secret_name
}

output "kafka_bootstrap_brokers_sasl_scram" {
  description = "MSK bootstrap servers, SASL/SCRAM over TLS (the chart's kafka.bootstrapServers)."
  value       = module.kafka.bootstrap_brokers_sasl_scram
}

output "kafka_bootstrap_brokers_sasl_iam" {
  description = "MSK bootstrap servers, SASL/IAM over TLS (clients with MSK's IAM login module)."
  value       = module.kafka.bootstrap_brokers_sasl_iam
}

output "kafka_scram_secret_name" {
  description = "Secrets Manager secret with the SCRAM credentials (becomes the Kubernetes Secret switchboard-kafka, key password)."
  value       = module.kafka.scram_secret_name
}

output "ecr_registry" {
  description = "Registry of the Switchboard images (the chart's image.registry)."
  value       = module.ecr.registry
}

output "ecr_repository_urls" {
  description = "Repository of each image, keyed by image name."
  value       = module.ecr.repository_urls
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role for the AWS Load Balancer Controller (its chart's serviceAccount annotation)."
  value       = module.iam.load_balancer_controller_role_arn
}

output "signaling_role_arn" {
  description = "IRSA role of the signaling pods."
  value       = module.iam.signaling_role_arn
}

output "state_role_arn" {
  description = "IRSA role of the state pods."
  value       = module.iam.state_role_arn
}

output "github_actions_role_arn" {
  description = "Role the image workflow assumes (aws-actions/configure-aws-credentials role-to-assume)."
  value       = module.iam.github_actions_role_arn
}

output "github_actions_plan_role_arn" {
  description = "Read-only role the Terraform workflow's plan job assumes on pull requests (AWS_TERRAFORM_PLAN_ROLE_ARN); null when terraform_plan_role_enabled is false."
  value       = module.iam.terraform_plan_role_arn
}

output "media_node_selector" {
  description = "Label of the media nodes (the chart's kms.nodeSelector)."
  value       = module.cluster.media_node_selector
}

output "media_tolerations" {
  description = "Toleration of the media nodes' taint (the chart's kms.tolerations)."
  value       = module.cluster.media_tolerations
}
