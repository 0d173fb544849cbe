output "bucket" {
  description = "The state bucket: backend.hcl's bucket."
  value       = aws_s3_bucket.state.id
}

output "region" {
  description = "The bucket's region: backend.hcl's region."
  value       = var.region
}
