output "load_balancer_controller_role_arn" {
  description = "Role of the AWS Load Balancer Controller: its chart's serviceAccount.annotations.\"eks.amazonaws.com/role-arn\"."
  value       = aws_iam_role.service_account["aws-load-balancer-controller"].arn
}

output "signaling_role_arn" {
  description = "Role of the signaling pods (MSK SASL/IAM producer)."
  value       = aws_iam_role.service_account["signaling"].arn
}

output "state_role_arn" {
  description = "Role of the state pods (MSK SASL/IAM consumer, topic creation)."
  value       = aws_iam_role.service_account["state"].arn
}

output "signaling_service_account" {
  description = "ServiceAccount the signaling role trusts (the chart's signaling.serviceAccount.name)."
  value       = var.signaling_service_account
}

output "state_service_account" {
  description = "ServiceAccount the state role trusts (the chart's state.serviceAccount.name)."
  value       = var.state_service_account
}

output "github_actions_role_arn" {
  description = "Role GitHub Actions assumes to push images (aws-actions/configure-aws-credentials role-to-assume)."
  value       = aws_iam_role.github_actions.arn
}

output "terraform_plan_role_arn" {
  description = "Role the Terraform workflow's plan job assumes on pull requests (the repository variable AWS_TERRAFORM_PLAN_ROLE_ARN); null when terraform_plan_role_enabled is false."
  value       = one(aws_iam_role.terraform_plan[*].arn)
}
