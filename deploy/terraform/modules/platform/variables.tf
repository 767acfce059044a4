variable "name" {
  description = "Name prefix from the conventions module, e.g. gridops-prod."
  type        = string
}

variable "tags" {
  description = "Standard tags from the conventions module."
  type        = map(string)
}

variable "availability_zone_ids" {
  description = "Zone IDs of the environment; as many as sizing.az_count."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC."
  type        = string
}

variable "public_subnet_cidrs" {
  description = "Public subnet CIDRs, one per zone (from the conventions module)."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "Private subnet CIDRs, one per zone (from the conventions module)."
  type        = list(string)
}

variable "data_subnet_cidrs" {
  description = "Data subnet CIDRs, one per zone (from the conventions module)."
  type        = list(string)
}

variable "sizing" {
  description = "Validated sizing from the conventions module (output \"sizing\"), so guardrails cannot be bypassed."
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
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the EKS cluster."
  type        = string
  default     = "1.33"
}

variable "eks_admin_principal_arns" {
  description = "IAM principals granted cluster-admin on EKS."
  type        = list(string)
  default     = []
}

variable "eks_endpoint_public_access_cidrs" {
  description = "If non-empty, the EKS API endpoint is also public but only for these CIDRs."
  type        = list(string)
  default     = []
}

variable "observability_mode" {
  description = "managed (AMP + AMG) or self-managed (kube-prometheus-stack in the cluster)."
  type        = string
  default     = "self-managed"
}

variable "gridops_namespace" {
  description = "Kubernetes namespace of the gridops workloads."
  type        = string
  default     = "gridops"
}

variable "gridops_service_account" {
  description = "Service account of the gridops workloads (annotated with the IRSA role)."
  type        = string
  default     = "gridops"
}
