# MSK: the presence events (signaling → state). TLS between clients and brokers and among brokers,
# SASL authentication only (IAM, and SCRAM for the Switchboard images), encrypted at rest with a
# key of ours, one broker per zone, reachable from the EKS nodes only.

locals {
  # Client ports: 9096 SASL/SCRAM over TLS, 9098 SASL/IAM over TLS.
  client_ports = merge(
    { sasl_iam = 9098 },
    var.scram_enabled ? { sasl_scram = 9096 } : {},
  )
}

resource "aws_kms_key" "this" {
  description             = "MSK ${var.name}: broker storage and the SCRAM secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-kafka"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-kafka-"
  description = "MSK ${var.name}: Kafka over TLS from the EKS nodes only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-kafka" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_nodes" {
  for_each = local.client_ports

  security_group_id            = aws_security_group.this.id
  description                  = "Kafka ${each.key} from the EKS nodes and pods"
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  referenced_security_group_id = var.allowed_security_group_id

  tags = var.tags
}

resource "aws_msk_configuration" "this" {
  # The version in the name lets a new configuration be made before the old one goes (an upgrade).
  name           = "${var.name}-${replace(var.kafka_version, ".", "-")}"
  description    = "Switchboard's broker settings"
  kafka_versions = [var.kafka_version]

  # Topics are made on purpose (the state service creates its own), replicated to every zone and
  # acknowledged by two of them, so that losing a zone loses no presence event.
  server_properties = <<-EOT
    auto.create.topics.enable=false
    default.replication.factor=3
    min.insync.replicas=2
    num.partitions=12
    unclean.leader.election.enable=false
  EOT

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "brokers" {
  name              = "/aws/msk/${var.name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = length(var.subnet_ids) * var.brokers_per_zone

  broker_node_group_info {
    instance_type   = var.broker_instance_type
    client_subnets  = var.subnet_ids
    security_groups = [aws_security_group.this.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.broker_volume_size_gib
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  client_authentication {
    unauthenticated = false

    sasl {
      iam   = true
      scram = var.scram_enabled
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = aws_kms_key.this.arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  enhanced_monitoring = "PER_BROKER"

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers.name
      }
    }
  }

  tags = var.tags
}

################################################################################
# SASL/SCRAM credentials of the Switchboard services
################################################################################

resource "random_password" "scram" {
  count = var.scram_enabled ? 1 : 0

  length  = 48
  special = false
}

# MSK reads SCRAM credentials from secrets named AmazonMSK_*, encrypted with a customer managed key.
resource "aws_secretsmanager_secret" "scram" {
  count = var.scram_enabled ? 1 : 0

  name                    = "AmazonMSK_${var.name}_${var.scram_username}"
  description             = "SASL/SCRAM credentials of the Switchboard services on MSK ${var.name} (the chart's kafka.sasl)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.secret_recovery_window_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "scram" {
  count = var.scram_enabled ? 1 : 0

  secret_id = aws_secretsmanager_secret.scram[0].id
  secret_string = jsonencode({
    username = var.scram_username
    password = random_password.scram[0].result
  })
}

data "aws_iam_policy_document" "scram_secret" {
  count = var.scram_enabled ? 1 : 0

  statement {
    sid       = "AWSKafkaResourcePolicy"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.scram[0].arn]

    principals {
      type        = "Service"
      identifiers = ["kafka.amazonaws.com"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "scram" {
  count = var.scram_enabled ? 1 : 0

  secret_arn = aws_secretsmanager_secret.scram[0].arn
  policy     = data.aws_iam_policy_document.scram_secret[0].json
}

resource "aws_msk_scram_secret_association" "this" {
  count = var.scram_enabled ? 1 : 0

  cluster_arn     = aws_msk_cluster.this.arn
  secret_arn_list = [aws_secretsmanager_secret.scram[0].arn]

  depends_on = [aws_secretsmanager_secret_version.scram]
}
