variable "name" {
  description = "Identifier of the DB instance and prefix of its companions, e.g. gridops-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.name))
    error_message = "name must be a lowercase RDS identifier (letters, digits, hyphens; max 63)."
  }
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Isolated data subnets, one per zone."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An RDS subnet group needs subnets in at least two zones."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups (the EKS cluster/node group) allowed to connect on the PostgreSQL port."
  type        = list(string)
}

variable "engine_version" {
  description = "PostgreSQL version; a major version pins minor upgrades to the maintenance window."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^16(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 16 (e.g. 16 or 16.9)."
  }
}

variable "instance_class" {
  description = "DB instance class, e.g. db.t4g.medium (dev) or db.r7g.large (prod)."
  type        = string

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS class such as db.r7g.large."
  }
}

variable "allocated_storage_gb" {
  description = "Initial gp3 storage, in GiB."
  type        = number
  default     = 50
}

variable "max_allocated_storage_gb" {
  description = "Upper bound for storage autoscaling, in GiB (0 disables autoscaling)."
  type        = number
  default     = 500
}

variable "multi_az" {
  description = "Run a synchronous standby in another zone (required in prod)."
  type        = bool
}

variable "deletion_protection" {
  description = "Refuse deletion of the instance (required in prod)."
  type        = bool
}

variable "backup_retention_days" {
  description = "Days of automated backups and point-in-time recovery (1-35)."
  type        = number

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be 1-35."
  }
}

variable "backup_window" {
  description = "Daily UTC window for automated backups."
  type        = string
  default     = "02:00-03:00"
}

variable "maintenance_window" {
  description = "Weekly UTC window for maintenance; must not overlap the backup window."
  type        = string
  default     = "sun:03:30-sun:04:30"
}

variable "database_name" {
  description = "Name of the initial database."
  type        = string
  default     = "gridops"
}

variable "master_username" {
  description = "Master user; its password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "gridops_admin"
}

variable "app_username" {
  description = "PostgreSQL role of the application (gridops); its password is generated here, kept in Secrets Manager."
  type        = string
  default     = "gridops_app"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.app_username))
    error_message = "app_username must be a lower-case PostgreSQL identifier (letters, digits, underscores)."
  }
}

variable "app_login_rotation_id" {
  description = "Change this value (e.g. to the date) to generate a new application password."
  type        = string
  default     = "initial"
}

variable "performance_insights_retention_days" {
  description = "Retention of Performance Insights data (7 is free; 31 x n months otherwise)."
  type        = number
  default     = 7
}

variable "monitoring_interval_seconds" {
  description = "Enhanced monitoring interval (0, 1, 5, 10, 15, 30 or 60)."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval_seconds)
    error_message = "monitoring_interval_seconds must be 0, 1, 5, 10, 15, 30 or 60."
  }
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL log groups, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
