variable "name" {
  description = "Name prefix, e.g. gridops-prod."
  type        = string
}

variable "mode" {
  description = <<-EOT
    "managed": Amazon Managed Service for Prometheus + Amazon Managed Grafana, and Helm values for a
    Prometheus agent that remote-writes to it; "self-managed": no AWS resources, Helm values for a
    kube-prometheus-stack that keeps its data on encrypted EBS volumes in the cluster.
  EOT
  type        = string
  default     = "self-managed"

  validation {
    condition     = contains(["managed", "self-managed"], var.mode)
    error_message = "mode must be managed or self-managed."
  }
}

variable "oidc_provider_arn" {
  description = "IAM OIDC provider of the EKS cluster (for the Prometheus remote-write IRSA role)."
  type        = string
}

variable "oidc_issuer_url" {
  description = "OIDC issuer URL of the EKS cluster."
  type        = string
}

variable "prometheus_namespace" {
  description = "Namespace of the Prometheus service account."
  type        = string
  default     = "monitoring"
}

variable "prometheus_service_account" {
  description = "Service account of Prometheus (kube-prometheus-stack default name)."
  type        = string
  default     = "kube-prometheus-stack-prometheus"
}

variable "retention" {
  description = "Local Prometheus retention (self-managed), e.g. 15d."
  type        = string
  default     = "15d"
}

variable "storage_size" {
  description = "Persistent volume size of each self-managed Prometheus replica."
  type        = string
  default     = "50Gi"
}

variable "grafana_admin_group_ids" {
  description = "IAM Identity Center group IDs made Grafana admins (managed mode)."
  type        = list(string)
  default     = []
}

variable "log_retention_days" {
  description = "Retention of the managed Prometheus log group, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
