locals {
  name_prefix = "${var.project}-${var.environment}"
  is_prod     = var.environment == "prod"

  standard_tags = {
    Project     = var.project
    Environment = var.environment
    Owner       = var.owner
    CostCenter  = var.cost_center
    ManagedBy   = "terraform"
    Repository  = "gridops/deploy/terraform"
  }

  # Standard keys win over extra_tags so that cost and ownership reports stay trustworthy.
  tags = merge(var.extra_tags, local.standard_tags)

  # Address plan for a /16 (scaled for /17 and /18): per zone a small public subnet for load
  # balancers and NAT gateways, a large private subnet for EKS nodes and pods (the VPC CNI gives
  # every pod a VPC address), and a small isolated data subnet for RDS, ElastiCache and MSK.
  vpc_prefix   = tonumber(split("/", var.vpc_cidr)[1])
  small_bits   = 24 - local.vpc_prefix
  zone_indexes = range(var.sizing.az_count)

  public_subnet_cidrs  = [for i in local.zone_indexes : cidrsubnet(var.vpc_cidr, local.small_bits, i)]
  data_subnet_cidrs    = [for i in local.zone_indexes : cidrsubnet(var.vpc_cidr, local.small_bits, 8 + i)]
  private_subnet_cidrs = [for i in local.zone_indexes : cidrsubnet(var.vpc_cidr, 4, 1 + i)]

  # Production guardrails, checked by the precondition on output "sizing".
  prod_violations = compact([
    var.sizing.az_count == 3 ? "" : "prod must span 3 availability zones",
    var.sizing.nat_gateway_count == var.sizing.az_count ? "" : "prod needs one NAT gateway per availability zone",
    var.sizing.rds_multi_az ? "" : "prod needs a Multi-AZ RDS instance",
    var.sizing.deletion_protection ? "" : "prod needs deletion protection",
    var.sizing.redis_automatic_failover ? "" : "prod needs ElastiCache automatic failover",
    var.sizing.rds_backup_retention_days >= 14 ? "" : "prod keeps RDS backups for at least 14 days",
    var.sizing.eks_node_min_size >= 2 ? "" : "prod runs at least 2 EKS nodes",
    var.sizing.log_retention_days >= 365 ? "" : "prod keeps logs for at least 365 days",
  ])
}
