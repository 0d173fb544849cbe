# One ECR repository per image: immutable tags (a tag is a commit SHA or a release, and what was
# tested is what runs), scanned on push, encrypted with KMS, and pruned by a lifecycle policy.

locals {
  repositories = {
    for name in var.repository_names : name => var.path_prefix == "" ? name : "${var.path_prefix}/${name}"
  }
}

resource "aws_ecr_repository" "this" {
  for_each = local.repositories

  name                 = each.value
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }

  tags = var.tags
}

locals {
  # Every repository URL starts with the account's registry host.
  registry_host = split("/", values(aws_ecr_repository.this)[0].repository_url)[0]
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after ${var.untagged_expiry_days} days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_expiry_days
        }
        action = { type = "expire" }
      },
      {
        # "any" must come last: ECR evaluates rules by priority.
        rulePriority = 2
        description  = "Keep the last ${var.keep_tagged_images} images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_tagged_images
        }
        action = { type = "expire" }
      },
    ]
  })
}
