# The dev environment: its sizes live here, pass the guardrails of modules/conventions, and
# feed modules/platform.

provider "aws" {
  region              = var.region
  allowed_account_ids = var.allowed_account_ids

  default_tags {
    tags = module.conventions.tags
  }
}

module "conventions" {
  source = "../../modules/conventions"

  environment = "dev"
  owner       = "grid-platform"
  cost_center = "GRID-1001"
  vpc_cidr    = "10.20.0.0/16"

  sizing = {
    az_count                  = 3
    nat_gateway_count         = 1
    eks_node_instance_types   = ["m7i.large"]
    eks_node_min_size         = 1
    eks_node_desired_size     = 2
    eks_node_max_size         = 4
    rds_instance_class        = "db.t4g.medium"
    rds_allocated_storage_gb  = 20
    rds_multi_az              = false
    rds_backup_retention_days = 7
    redis_node_type           = "cache.t4g.small"
    redis_num_cache_clusters  = 1
    redis_automatic_failover  = false
    kafka_instance_type       = "kafka.t3.small"
    kafka_broker_count        = 3
    kafka_volume_size_gb      = 20
    deletion_protection       = false
    log_retention_days        = 30
  }
}

module "platform" {
  source = "../../modules/platform"

  name                     = module.conventions.name_prefix
  tags                     = module.conventions.tags
  sizing                   = module.conventions.sizing
  availability_zone_ids    = var.availability_zone_ids
  vpc_cidr                 = "10.20.0.0/16"
  public_subnet_cidrs      = module.conventions.public_subnet_cidrs
  private_subnet_cidrs     = module.conventions.private_subnet_cidrs
  data_subnet_cidrs        = module.conventions.data_subnet_cidrs
  eks_admin_principal_arns = var.eks_admin_principal_arns
  gridops_namespace        = "gridops-dev" # the namespace of deploy/kubernetes/overlays/dev
  observability_mode       = "self-managed"
}
