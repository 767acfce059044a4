variable "project" {
  description = "Short project name, used as the first part of every resource name."
  type        = string
  default     = "gridops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.project))
    error_message = "project must be 2-20 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment. Production guardrails apply to \"prod\"."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "owner" {
  description = "Team that owns the resources (the Owner tag); used for paging and cost reports."
  type        = string

  validation {
    condition     = length(trimspace(var.owner)) > 0
    error_message = "owner must not be empty."
  }
}

variable "cost_center" {
  description = "Cost centre the resources are billed to (the CostCenter tag)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{2,32}$", var.cost_center))
    error_message = "cost_center must be 2-32 characters of letters, digits and hyphens."
  }
}

variable "extra_tags" {
  description = "Additional tags merged into the standard tag set. They cannot override the standard keys."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC, a /16 to /18 from the private ranges."
  type        = string

  validation {
    condition = (
      can(cidrhost(var.vpc_cidr, 0)) &&
      tonumber(split("/", var.vpc_cidr)[1]) >= 16 &&
      tonumber(split("/", var.vpc_cidr)[1]) <= 18 &&
      can(regex("^(10\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|192\\.168\\.)", var.vpc_cidr))
    )
    error_message = "vpc_cidr must be a valid RFC 1918 CIDR with a prefix length between /16 and /18."
  }
}

variable "sizing" {
  description = <<-EOT
    Sizes and resilience switches of one environment. Every module of the environment is fed from
    the validated copy of this object (output "sizing"), so a value that breaks a rule below stops
    the plan before any resource is touched.
  EOT
  type = object({
    az_count                  = number
    nat_gateway_count         = number
    eks_node_instance_types   = list(string)
    eks_node_min_size         = number
    eks_node_desired_size     = number
    eks_node_max_size         = number
    rds_instance_class        = string
    rds_allocated_storage_gb  = number
    rds_multi_az              = bool
    rds_backup_retention_days = number
    redis_node_type           = string
    redis_num_cache_clusters  = number
    redis_automatic_failover  = bool
    kafka_instance_type       = string
    kafka_broker_count        = number
    kafka_volume_size_gb      = number
    deletion_protection       = bool
    log_retention_days        = number
  })

  validation {
    condition     = contains([2, 3], var.sizing.az_count)
    error_message = "sizing.az_count must be 2 or 3 (Amazon MSK spreads brokers over 2 or 3 zones)."
  }

  validation {
    condition     = var.sizing.nat_gateway_count == 1 || var.sizing.nat_gateway_count == var.sizing.az_count
    error_message = "sizing.nat_gateway_count must be 1 (shared) or equal to az_count (one per zone)."
  }

  validation {
    condition = (
      var.sizing.kafka_broker_count >= var.sizing.az_count &&
      var.sizing.kafka_broker_count % var.sizing.az_count == 0
    )
    error_message = "sizing.kafka_broker_count must be a positive multiple of az_count: MSK places the same number of brokers in every zone."
  }

  validation {
    condition     = !var.sizing.redis_automatic_failover || var.sizing.redis_num_cache_clusters >= 2
    error_message = "sizing.redis_automatic_failover needs at least 2 cache clusters (a primary and a replica)."
  }

  validation {
    condition     = var.sizing.redis_num_cache_clusters >= 1 && var.sizing.redis_num_cache_clusters <= 6
    error_message = "sizing.redis_num_cache_clusters must be between 1 and 6."
  }

  validation {
    condition = (
      var.sizing.eks_node_min_size >= 1 &&
      var.sizing.eks_node_min_size <= var.sizing.eks_node_desired_size &&
      var.sizing.eks_node_desired_size <= var.sizing.eks_node_max_size
    )
    error_message = "sizing must satisfy 1 <= eks_node_min_size <= eks_node_desired_size <= eks_node_max_size."
  }

  validation {
    condition     = length(var.sizing.eks_node_instance_types) > 0
    error_message = "sizing.eks_node_instance_types must list at least one instance type."
  }

  validation {
    condition     = var.sizing.rds_backup_retention_days >= 1 && var.sizing.rds_backup_retention_days <= 35
    error_message = "sizing.rds_backup_retention_days must be 1-35: backups and point-in-time recovery are never off."
  }

  validation {
    condition     = var.sizing.rds_allocated_storage_gb >= 20
    error_message = "sizing.rds_allocated_storage_gb must be at least 20 GiB (the gp3 minimum)."
  }

  validation {
    condition     = var.sizing.kafka_volume_size_gb >= 10
    error_message = "sizing.kafka_volume_size_gb must be at least 10 GiB."
  }

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.sizing.log_retention_days)
    error_message = "sizing.log_retention_days must be a retention that CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}
