output "cluster_name" {
  description = "Name of the EKS cluster (aws eks update-kubeconfig --name ...)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = module.eks.cluster_certificate_authority_data
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = module.eks.cluster_version
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider, which IRSA roles trust."
  value       = module.eks.oidc_provider_arn
}

output "oidc_provider" {
  description = "The cluster's OIDC issuer without https://: the prefix of IRSA trust conditions (<issuer>:sub)."
  value       = module.eks.oidc_provider
}

output "node_security_group_id" {
  description = "Security group shared by every node (and every pod, with the VPC CNI): ElastiCache and MSK admit it."
  value       = module.eks.node_security_group_id
}

output "media_security_group_id" {
  description = "Security group of the media nodes: Kurento's WebRTC range from anywhere."
  value       = aws_security_group.media.id
}

output "media_node_selector" {
  description = "Labels of the media nodes, in the chart's kms.nodeSelector form."
  value       = local.media_node_labels
}

output "media_tolerations" {
  description = "Taint of the media nodes as Kubernetes tolerations, in the chart's kms.tolerations form."
  value = [{
    key      = local.media_node_taint.key
    operator = "Equal"
    value    = local.media_node_taint.value
    effect   = local.kubernetes_taint_effects[local.media_node_taint.effect]
  }]
}

output "service_node_selector" {
  description = "Labels of the signaling node group, for the Switchboard services' nodeSelector."
  value       = local.service_node_labels
}

output "media_udp_port_min" {
  description = "First port of the WebRTC range open on the media nodes (the chart's kms.minPort)."
  value       = var.media_udp_port_min
}

output "media_udp_port_max" {
  description = "Last port of the WebRTC range open on the media nodes (the chart's kms.maxPort)."
  value       = var.media_udp_port_max
}
