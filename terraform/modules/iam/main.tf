# IAM for what runs on the cluster (IRSA: a ServiceAccount's pods assume a role through the
# cluster's OIDC provider) and for CI (GitHub Actions assumes a role through GitHub's OIDC
# provider): no long-lived keys anywhere.

data "aws_partition" "current" {}

locals {
  github_oidc_host = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = (var.create_github_oidc_provider
    ? aws_iam_openid_connect_provider.github[0].arn
    : data.aws_iam_openid_connect_provider.github[0].arn
  )

  # Roles assumed by pods, keyed by what runs there.
  service_account_roles = {
    aws-load-balancer-controller = {
      namespace       = var.load_balancer_controller_namespace
      service_account = var.load_balancer_controller_service_account
      description     = "AWS Load Balancer Controller: the gateway's ALB / NLB"
    }
    signaling = {
      namespace       = var.app_namespace
      service_account = var.signaling_service_account
      description     = "Switchboard signaling: produces presence events to MSK (SASL/IAM)"
    }
    state = {
      namespace       = var.app_namespace
      service_account = var.state_service_account
      description     = "Switchboard state: creates and consumes the presence topics on MSK (SASL/IAM)"
    }
  }

  presence_topics_arn = "${var.msk_topic_arn_prefix}${var.presence_topic_pattern}"

  terraform_state_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.terraform_state_bucket}"
}

################################################################################
# IRSA roles
################################################################################

data "aws_iam_policy_document" "service_account_trust" {
  for_each = local.service_account_roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "service_account" {
  for_each = local.service_account_roles

  name               = "${var.name}-${each.key}"
  description        = each.value.description
  assume_role_policy = data.aws_iam_policy_document.service_account_trust[each.key].json

  tags = var.tags
}

# The controller's published policy (docs/install/iam_policy.json of
# kubernetes-sigs/aws-load-balancer-controller v2.14), kept here as a file: update it with the
# controller, never fetch it at plan time.
resource "aws_iam_policy" "load_balancer_controller" {
  name        = "${var.name}-aws-load-balancer-controller"
  description = "AWS Load Balancer Controller of ${var.name}"
  policy      = file("${path.module}/policies/aws-load-balancer-controller.json")

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "load_balancer_controller" {
  role       = aws_iam_role.service_account["aws-load-balancer-controller"].name
  policy_arn = aws_iam_policy.load_balancer_controller.arn
}

# Signaling only produces presence events (idempotent producer).
data "aws_iam_policy_document" "signaling_kafka" {
  statement {
    sid       = "Connect"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid       = "ProducePresence"
    actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]
    resources = [local.presence_topics_arn]
  }
}

resource "aws_iam_role_policy" "signaling_kafka" {
  name   = "kafka"
  role   = aws_iam_role.service_account["signaling"].id
  policy = data.aws_iam_policy_document.signaling_kafka.json
}

# State creates the presence topics, consumes them in its group, and produces to the dead-letter topic.
data "aws_iam_policy_document" "state_kafka" {
  statement {
    sid       = "Connect"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:WriteDataIdempotently"]
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid = "PresenceTopics"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
    ]
    resources = [local.presence_topics_arn]
  }

  statement {
    sid       = "ConsumerGroup"
    actions   = ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"]
    resources = ["${var.msk_group_arn_prefix}${var.state_consumer_group}"]
  }
}

resource "aws_iam_role_policy" "state_kafka" {
  name   = "kafka"
  role   = aws_iam_role.service_account["state"].id
  policy = data.aws_iam_policy_document.state_kafka.json
}

################################################################################
# GitHub Actions: the OIDC provider, and a role that pushes images to ECR
################################################################################

# AWS trusts GitHub's certificate through its own CA library: no thumbprint to pin.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 0 : 1

  url = "https://${local.github_oidc_host}"
}

data "aws_iam_policy_document" "github_actions_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "${local.github_oidc_host}:sub"
      values   = [for subject in var.github_subjects : "repo:${var.github_repository}:${subject}"]
    }
  }
}

resource "aws_iam_role" "github_actions" {
  name               = "${var.name}-github-actions"
  description        = "GitHub Actions of ${var.github_repository}: push Switchboard images to ECR"
  assume_role_policy = data.aws_iam_policy_document.github_actions_trust.json

  tags = var.tags
}

data "aws_iam_policy_document" "github_actions_ecr" {
  statement {
    sid       = "Login"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:DescribeRepositories",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = var.ecr_repository_arns
  }
}

resource "aws_iam_role_policy" "github_actions_ecr" {
  name   = "ecr-push"
  role   = aws_iam_role.github_actions.id
  policy = data.aws_iam_policy_document.github_actions_ecr.json
}

################################################################################
# GitHub Actions: terraform plan on pull requests
################################################################################

# The Terraform workflow's plan job (AWS_TERRAFORM_PLAN_ROLE_ARN): pull_request runs of the
# repository only, never a branch or tag, so nothing it can do may write. It reads the account
# (ReadOnlyAccess, for the refresh) and the state; it plans with -lock=false, so it needs no
# PutObject/DeleteObject for the lock file. The bucket is encrypted with the aws/s3 key, whose key
# policy already lets the account's principals decrypt through S3.
data "aws_iam_policy_document" "terraform_plan_trust" {
  count = var.terraform_plan_role_enabled ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${var.github_repository}:pull_request"]
    }
  }
}

resource "aws_iam_role" "terraform_plan" {
  count = var.terraform_plan_role_enabled ? 1 : 0

  name               = "${var.name}-terraform-plan"
  description        = "GitHub Actions of ${var.github_repository}: terraform plan on pull requests, read-only"
  assume_role_policy = data.aws_iam_policy_document.terraform_plan_trust[0].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "terraform_plan_read_only" {
  count = var.terraform_plan_role_enabled ? 1 : 0

  role       = aws_iam_role.terraform_plan[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "terraform_plan_state" {
  count = var.terraform_plan_role_enabled ? 1 : 0

  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [local.terraform_state_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = ["${local.terraform_state_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "terraform_plan_state" {
  count = var.terraform_plan_role_enabled ? 1 : 0

  name   = "terraform-state-read"
  role   = aws_iam_role.terraform_plan[0].id
  policy = data.aws_iam_policy_document.terraform_plan_state[0].json
}
