# The VPC: three availability zones, each with a private subnet (system and signaling nodes, the
# pods, ElastiCache, MSK) and a public subnet (media nodes, whose public addresses browsers send
# WebRTC media to, and internet-facing load balancers).

data "aws_availability_zones" "available" {
  state = "available"

  # Regular zones only: Local and Wavelength zones lack ElastiCache and MSK.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  # Three zones: MSK's three brokers and ElastiCache's replicas each get their own.
  azs = slice(data.aws_availability_zones.available.names, 0, 3)

  # /19 private subnets (8k addresses each: the VPC CNI gives every pod a VPC address) from the
  # bottom of the range, /22 public subnets from its top quarter.
  private_subnets = [for i, _ in local.azs : cidrsubnet(var.cidr, 3, i)]
  public_subnets  = [for i, _ in local.azs : cidrsubnet(var.cidr, 6, 48 + i)]
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "6.6.1"

  name = var.name
  cidr = var.cidr
  azs  = local.azs

  private_subnets = local.private_subnets
  public_subnets  = local.public_subnets

  # Media nodes live in the public subnets and need their own public address: KMS announces it in
  # its ICE candidates and browsers send UDP straight to it (no NAT in the media path).
  map_public_ip_on_launch = true

  enable_nat_gateway     = true
  single_nat_gateway     = var.single_nat_gateway
  one_nat_gateway_per_az = !var.single_nat_gateway

  enable_dns_hostnames = true
  enable_dns_support   = true

  # Where the AWS Load Balancer Controller puts internet-facing and internal load balancers.
  public_subnet_tags = {
    "kubernetes.io/role/elb" = "1"
  }
  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = "1"
  }

  enable_flow_log                                 = var.flow_logs_enabled
  create_flow_log_cloudwatch_log_group            = var.flow_logs_enabled
  create_flow_log_cloudwatch_iam_role             = var.flow_logs_enabled
  flow_log_cloudwatch_log_group_retention_in_days = var.flow_logs_retention_days
  flow_log_max_aggregation_interval               = 60

  tags = var.tags
}
