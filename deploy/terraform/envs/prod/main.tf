# The prod environment: its sizes live here, pass the guardrails of modules/conventions, and
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

  environment = "prod"
  owner       = "grid-platform"
  cost_center = "GRID-1001"
  vpc_cidr    = "10.40.0.0/16"

  sizing = {
    az_count                  = 3
    nat_gateway_count         = 3
    eks_node_instance_types   = ["m7i.xlarge"]
    eks_node_min_size         = 3
    eks_node_desired_size     = 3
    eks_node_max_size         = 9
    rds_instance_class        = "db.r7g.large"
    rds_allocated_storage_gb  = 200
    rds_multi_az              = true
    rds_backup_retention_days = 30
    redis_node_type           = "cache.r7g.large"
    redis_num_cache_clusters  = 3
    redis_automatic_failover  = true
    kafka_instance_type       = "kafka.m7g.large"
    kafka_broker_count        = 6
    kafka_volume_size_gb      = 500
    deletion_protection       = true
    log_retention_days        = 365
  }
}

module "platform" {
  source = "../../modules/platform"

  name                     = module.conventions.name_prefix
  tags                     = module.conventions.tags
  sizing                   = module.conventions.sizing
  availability_zone_ids    = var.availability_zone_ids
  vpc_cidr                 = "10.40.0.0/16"
  public_subnet_cidrs      = module.conventions.public_subnet_cidrs
  private_subnet_cidrs     = module.conventions.private_subnet_cidrs
  data_subnet_cidrs        = module.conventions.data_subnet_cidrs
  eks_admin_principal_arns = var.eks_admin_principal_arns
  gridops_namespace        = "gridops-prod" # the namespace of deploy/kubernetes/overlays/prod
  observability_mode       = "managed"
}
