# One environment of the platform: network, EKS, PostgreSQL, Redis, Kafka and observability, wired
# so that only the flows the architecture needs are open: the EKS workloads reach PostgreSQL (5432,
# TLS), Redis (6379, TLS) and Kafka (9096 SASL/SCRAM over TLS, what gridops uses; 9098 IAM over
# TLS); Prometheus scrapes the MSK exporters; nothing is reachable from the internet.

module "network" {
  source = "../network"

  # The zone count of the sizing and the zones given must agree.
  depends_on = [terraform_data.zone_count_check]

  name                    = var.name
  vpc_cidr                = var.vpc_cidr
  availability_zone_ids   = var.availability_zone_ids
  public_subnet_cidrs     = var.public_subnet_cidrs
  private_subnet_cidrs    = var.private_subnet_cidrs
  data_subnet_cidrs       = var.data_subnet_cidrs
  nat_gateway_count       = var.sizing.nat_gateway_count
  eks_cluster_name        = var.name
  flow_log_retention_days = var.sizing.log_retention_days
  tags                    = var.tags
}

module "eks" {
  source = "../eks"

  name                         = var.name
  kubernetes_version           = var.kubernetes_version
  vpc_id                       = module.network.vpc_id
  subnet_ids                   = module.network.private_subnet_ids
  endpoint_public_access       = length(var.eks_endpoint_public_access_cidrs) > 0
  endpoint_public_access_cidrs = var.eks_endpoint_public_access_cidrs
  admin_principal_arns         = var.eks_admin_principal_arns
  log_retention_days           = var.sizing.log_retention_days
  tags                         = var.tags

  node_groups = {
    general = {
      instance_types = var.sizing.eks_node_instance_types
      min_size       = var.sizing.eks_node_min_size
      desired_size   = var.sizing.eks_node_desired_size
      max_size       = var.sizing.eks_node_max_size
      labels         = { "gridops.io/pool" = "general" }
    }
  }

  irsa_roles = {
    gridops = {
      namespace       = var.gridops_namespace
      service_account = var.gridops_service_account
      policy_json     = data.aws_iam_policy_document.gridops.json
    }
  }
}

module "rds" {
  source = "../rds"

  name                       = var.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.data_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  instance_class             = var.sizing.rds_instance_class
  allocated_storage_gb       = var.sizing.rds_allocated_storage_gb
  max_allocated_storage_gb   = var.sizing.rds_allocated_storage_gb * 5
  multi_az                   = var.sizing.rds_multi_az
  deletion_protection        = var.sizing.deletion_protection
  backup_retention_days      = var.sizing.rds_backup_retention_days
  log_retention_days         = var.sizing.log_retention_days
  tags                       = var.tags
}

module "elasticache" {
  source = "../elasticache"

  name                       = var.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.data_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  node_type                  = var.sizing.redis_node_type
  num_cache_clusters         = var.sizing.redis_num_cache_clusters
  automatic_failover         = var.sizing.redis_automatic_failover
  log_retention_days         = var.sizing.log_retention_days
  tags                       = var.tags
}

module "msk" {
  source = "../msk"

  name                       = var.name
  vpc_id                     = module.network.vpc_id
  client_subnet_ids          = module.network.data_subnet_ids
  allowed_security_group_ids = [module.eks.cluster_security_group_id]
  instance_type              = var.sizing.kafka_instance_type
  broker_count               = var.sizing.kafka_broker_count
  volume_size_gb             = var.sizing.kafka_volume_size_gb
  log_retention_days         = var.sizing.log_retention_days
  tags                       = var.tags
}

module "observability" {
  source = "../observability"

  name               = var.name
  mode               = var.observability_mode
  oidc_provider_arn  = module.eks.oidc_provider_arn
  oidc_issuer_url    = module.eks.oidc_issuer_url
  log_retention_days = var.sizing.log_retention_days
  tags               = var.tags
}

resource "terraform_data" "zone_count_check" {
  input = length(var.availability_zone_ids)

  lifecycle {
    precondition {
      condition     = length(var.availability_zone_ids) == var.sizing.az_count
      error_message = "availability_zone_ids must list exactly sizing.az_count zones."
    }
  }
}

# What the gridops pods may do, through their IRSA role: connect to Kafka with IAM and use the
# gridops topics and groups (the processors' group is <topic>.processor), read the Redis AUTH
# secret, and log in to PostgreSQL with IAM auth. gridops itself uses none of it today: it has no
# IAM auth for Kafka or PostgreSQL, and it reads its PostgreSQL and Redis URLs and its Kafka SCRAM
# password from mounted files (docs/deploy.md, "Backends"). The role is the least that an IAM-auth
# path will need.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  msk_arn_parts = split("/", module.msk.cluster_arn)
  # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> topic/group ARNs of the same cluster.
  msk_prefix   = replace(local.msk_arn_parts[0], ":cluster", "")
  msk_suffix   = "${local.msk_arn_parts[1]}/${local.msk_arn_parts[2]}"
  rds_resource = "arn:${data.aws_partition.current.partition}:rds-db:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:dbuser:*/${module.rds.app_username}"
}

data "aws_iam_policy_document" "gridops" {
  statement {
    sid       = "KafkaCluster"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    resources = [module.msk.cluster_arn]
  }

  statement {
    sid = "KafkaTopics"
    actions = [
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
      "kafka-cluster:WriteDataIdempotently",
    ]
    resources = ["${local.msk_prefix}:topic/${local.msk_suffix}/gridops.*"]
  }

  statement {
    sid       = "KafkaGroups"
    actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = ["${local.msk_prefix}:group/${local.msk_suffix}/gridops.*"]
  }

  statement {
    sid       = "CacheSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [module.elasticache.auth_secret_arn]
  }

  statement {
    sid       = "PostgresIamAuth"
    actions   = ["rds-db:connect"]
    resources = [local.rds_resource]
  }
}
