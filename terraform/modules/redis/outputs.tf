output "replication_group_id" {
  description = "ID of the ElastiCache replication group."
  value       = aws_elasticache_replication_group.this.id
}

output "primary_endpoint_address" {
  description = "DNS name of the primary: it follows a failover to the replica."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "reader_endpoint_address" {
  description = "DNS name spreading reads over the replicas."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "port" {
  description = "Port of the Redis protocol (TLS only)."
  value       = aws_elasticache_replication_group.this.port
}

output "url" {
  description = "rediss:// URL of the primary, without credentials (the chart's redis.url)."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${aws_elasticache_replication_group.this.port}"
}

output "auth_token_secret_arn" {
  description = "Secrets Manager secret holding the AUTH token (plain string)."
  value       = aws_secretsmanager_secret.auth_token.arn
}

output "auth_token_secret_name" {
  description = "Name of that secret, for aws secretsmanager get-secret-value --secret-id."
  value       = aws_secretsmanager_secret.auth_token.name
}

output "security_group_id" {
  description = "Security group of the replication group."
  value       = aws_security_group.this.id
}
