variable "name" {
  description = "Replication group ID and prefix of its companions, e.g. gridops-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.name))
    error_message = "name must be a lowercase ElastiCache identifier of at most 40 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the cache."
  type        = string
}

variable "subnet_ids" {
  description = "Isolated data subnets, one per zone."
  type        = list(string)
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the Redis port."
  type        = list(string)
}

variable "engine_version" {
  description = "Redis OSS engine version."
  type        = string
  default     = "7.1"
}

variable "node_type" {
  description = "Cache node type, e.g. cache.t4g.small (dev) or cache.r7g.large (prod)."
  type        = string

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must be an ElastiCache node type such as cache.r7g.large."
  }
}

variable "num_cache_clusters" {
  description = "Nodes in the replication group: one primary plus replicas."
  type        = number
  default     = 1

  validation {
    condition     = var.num_cache_clusters >= 1 && var.num_cache_clusters <= 6
    error_message = "num_cache_clusters must be between 1 and 6."
  }
}

variable "automatic_failover" {
  description = "Promote a replica automatically when the primary fails, spread over zones (prod). Needs num_cache_clusters >= 2."
  type        = bool
  default     = false
}

variable "auth_rotation_id" {
  description = "Change this value (e.g. to the date) to rotate the Redis AUTH token."
  type        = string
  default     = "initial"
}

variable "snapshot_retention_days" {
  description = "Days of daily snapshots kept (0 disables them)."
  type        = number
  default     = 7
}

variable "log_retention_days" {
  description = "Retention of the slow and engine log groups, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
