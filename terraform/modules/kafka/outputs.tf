output "cluster_arn" {
  description = "ARN of the MSK cluster (IAM policies' kafka-cluster:Connect resource)."
  value       = aws_msk_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the MSK cluster."
  value       = aws_msk_cluster.this.cluster_name
}

output "topic_arn_prefix" {
  description = "Prefix of this cluster's topic ARNs (arn:...:topic/<cluster>/<uuid>/), for IAM policies."
  value       = "${replace(aws_msk_cluster.this.arn, ":cluster/", ":topic/")}/"
}

output "group_arn_prefix" {
  description = "Prefix of this cluster's consumer group ARNs (arn:...:group/<cluster>/<uuid>/), for IAM policies."
  value       = "${replace(aws_msk_cluster.this.arn, ":cluster/", ":group/")}/"
}

output "bootstrap_brokers_sasl_iam" {
  description = "Bootstrap servers for SASL/IAM over TLS (port 9098)."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "bootstrap_brokers_sasl_scram" {
  description = "Bootstrap servers for SASL/SCRAM over TLS (port 9096; empty unless scram_enabled): the chart's kafka.bootstrapServers."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_scram
}

output "scram_username" {
  description = "SASL/SCRAM user of the Switchboard services."
  value       = var.scram_username
}

output "scram_secret_arn" {
  description = "Secrets Manager secret with the SCRAM credentials (JSON: username, password); null unless scram_enabled."
  value       = one(aws_secretsmanager_secret.scram[*].arn)
}

output "scram_secret_name" {
  description = "Name of that secret, for aws secretsmanager get-secret-value --secret-id; null unless scram_enabled."
  value       = one(aws_secretsmanager_secret.scram[*].name)
}

output "security_group_id" {
  description = "Security group of the brokers."
  value       = aws_security_group.this.id
}
