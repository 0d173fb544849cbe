output "vpc_id" {
  description = "ID of the VPC."
  value       = module.vpc.vpc_id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR of the VPC."
  value       = module.vpc.vpc_cidr_block
}

output "azs" {
  description = "The three availability zones the subnets are in."
  value       = local.azs
}

output "private_subnet_ids" {
  description = "Private subnets, one per zone: system and signaling nodes, ElastiCache, MSK."
  value       = module.vpc.private_subnets
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone: media nodes (public addresses on launch) and internet-facing load balancers."
  value       = module.vpc.public_subnets
}

output "public_subnet_cidrs" {
  description = "CIDRs of the public subnets: where the media nodes' addresses come from (the chart's networkPolicy.mediaNodeCIDRs)."
  value       = module.vpc.public_subnets_cidr_blocks
}

output "nat_public_ips" {
  description = "Public addresses of the NAT gateways: what third parties see as the cluster's egress address."
  value       = module.vpc.nat_public_ips
}
