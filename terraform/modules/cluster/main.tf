# EKS with three managed node groups. The media group's label and taint are the contract with the
# Helm chart: deploy/helm/switchboard/values.yaml schedules Kurento with kms.nodeSelector and
# kms.tolerations, and TerraformIT fails when the two disagree.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition

  # Kurento's DaemonSet selects these nodes (kms.nodeSelector) ...
  media_node_labels = {
    "switchboard.io/role" = "media"
  }
  # ... and tolerates this taint (kms.tolerations), which keeps every other pod off them.
  media_node_taint = {
    key    = "switchboard.io/media"
    value  = "true"
    effect = "NO_SCHEDULE"
  }
  # The Switchboard services (the chart's gateway/signaling/placement/state nodeSelector).
  service_node_labels = {
    "switchboard.io/role" = "signaling"
  }

  # The EKS API spells taint effects NO_SCHEDULE, Kubernetes NoSchedule.
  kubernetes_taint_effects = {
    NO_SCHEDULE        = "NoSchedule"
    NO_EXECUTE         = "NoExecute"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
  }

  node_iam_policies = {
    # Shell access through SSM Session Manager instead of SSH keys and an open port 22.
    AmazonSSMManagedInstanceCore = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
  }

  # Encrypted gp3 root volumes, sized per node group.
  root_volumes = {
    for name, group in var.node_groups : name => {
      xvda = {
        device_name = "/dev/xvda"
        ebs = {
          volume_size           = group.disk_size_gib
          volume_type           = "gp3"
          encrypted             = true
          delete_on_termination = true
        }
      }
    }
  }

  access_entries = {
    for arn in var.admin_principal_arns : arn => {
      principal_arn = arn
      policy_associations = {
        cluster_admin = {
          policy_arn = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = {
            type = "cluster"
          }
        }
      }
    }
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "21.15.1"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id     = var.vpc_id
  subnet_ids = var.private_subnet_ids

  endpoint_private_access      = true
  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.endpoint_public_access_cidrs

  # Access entries only (no aws-auth ConfigMap); admins are named, not whoever ran the first apply.
  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = false
  access_entries                           = local.access_entries

  # IRSA: the EBS CSI driver below, and the roles of modules/iam.
  enable_irsa = true

  cloudwatch_log_group_retention_in_days = var.cluster_log_retention_days

  addons = {
    vpc-cni = {
      before_compute = true
      # The chart's NetworkPolicies (networkPolicy.enabled) need the VPC CNI's policy agent.
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
      })
    }
    eks-pod-identity-agent = {
      before_compute = true
    }
    kube-proxy = {}
    coredns    = {}
    aws-ebs-csi-driver = {
      service_account_role_arn = aws_iam_role.ebs_csi_driver.arn
    }
  }

  eks_managed_node_groups = {
    system = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_groups.system.instance_types
      capacity_type  = var.node_groups.system.capacity_type
      min_size       = var.node_groups.system.min_size
      max_size       = var.node_groups.system.max_size
      desired_size   = var.node_groups.system.desired_size
      subnet_ids     = var.private_subnet_ids

      labels = {
        "switchboard.io/role" = "system"
      }

      block_device_mappings        = local.root_volumes.system
      iam_role_additional_policies = local.node_iam_policies
    }

    signaling = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_groups.signaling.instance_types
      capacity_type  = var.node_groups.signaling.capacity_type
      min_size       = var.node_groups.signaling.min_size
      max_size       = var.node_groups.signaling.max_size
      desired_size   = var.node_groups.signaling.desired_size
      subnet_ids     = var.private_subnet_ids

      labels = local.service_node_labels

      block_device_mappings        = local.root_volumes.signaling
      iam_role_additional_policies = local.node_iam_policies
    }

    media = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.node_groups.media.instance_types
      capacity_type  = var.node_groups.media.capacity_type
      min_size       = var.node_groups.media.min_size
      max_size       = var.node_groups.media.max_size
      desired_size   = var.node_groups.media.desired_size
      # Public subnets: each node gets a public address that Kurento announces to browsers.
      subnet_ids = var.public_subnet_ids

      labels = local.media_node_labels
      taints = {
        media = local.media_node_taint
      }

      # Added to the shared node security group: the WebRTC port range from the internet.
      vpc_security_group_ids = [aws_security_group.media.id]

      # One media node at a time, each after Kurento's drain (the chart's kms.updateStrategy).
      update_config = {
        max_unavailable = 1
      }

      block_device_mappings        = local.root_volumes.media
      iam_role_additional_policies = local.node_iam_policies
    }
  }

  tags = var.tags
}

################################################################################
# Media nodes: reachable from browsers on the WebRTC range, and nothing else from outside
################################################################################

resource "aws_security_group" "media" {
  name_prefix = "${var.name}-media-"
  description = "Media nodes: WebRTC ports (and TURN/TLS when enabled) from anywhere, Kurento's JSON-RPC port from the cluster's nodes"
  vpc_id      = var.vpc_id

  # No egress rules of its own: the shared node security group allows the nodes' egress (media
  # back to browsers, image pulls), and return traffic of allowed ingress is stateful.

  tags = merge(var.tags, { Name = "${var.name}-media" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "media_udp" {
  security_group_id = aws_security_group.media.id
  description       = "WebRTC media (Kurento's UDP port range) from browsers anywhere"
  ip_protocol       = "udp"
  from_port         = var.media_udp_port_min
  to_port           = var.media_udp_port_max
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "media_ice_tcp" {
  count = var.media_ice_tcp_enabled ? 1 : 0

  security_group_id = aws_security_group.media.id
  description       = "WebRTC over ICE-TCP (Kurento's port range) from browsers behind UDP-blocking firewalls"
  ip_protocol       = "tcp"
  from_port         = var.media_udp_port_min
  to_port           = var.media_udp_port_max
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "media_turn_tls" {
  count = var.media_turn_tls_enabled ? 1 : 0

  security_group_id = aws_security_group.media.id
  description       = "TURN over TLS on 443 (a TURN server on the media nodes) for clients that can only reach 443"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "kms_from_nodes" {
  security_group_id            = aws_security_group.media.id
  description                  = "Kurento's JSON-RPC WebSocket (host network) from signaling and placement pods"
  ip_protocol                  = "tcp"
  from_port                    = var.kms_port
  to_port                      = var.kms_port
  referenced_security_group_id = module.eks.node_security_group_id

  tags = var.tags
}

################################################################################
# EBS CSI driver (IRSA)
################################################################################

data "aws_iam_policy_document" "ebs_csi_driver_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [module.eks.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:sub"
      values   = ["system:serviceaccount:kube-system:ebs-csi-controller-sa"]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ebs_csi_driver" {
  name_prefix        = "${var.name}-ebs-csi-"
  description        = "EBS CSI driver of ${var.name} (IRSA)"
  assume_role_policy = data.aws_iam_policy_document.ebs_csi_driver_trust.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ebs_csi_driver" {
  role       = aws_iam_role.ebs_csi_driver.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}
