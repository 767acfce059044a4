variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-central-1"
}

variable "availability_zone_ids" {
  description = "Zone IDs of the environment (IDs are the same in every account; these are eu-central-1's)."
  type        = list(string)
  default     = ["euc1-az1", "euc1-az2", "euc1-az3"]
}

variable "allowed_account_ids" {
  description = "AWS account(s) this environment may be applied to; a guard against the wrong credentials."
  type        = list(string)

  validation {
    condition     = length(var.allowed_account_ids) > 0 && alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "allowed_account_ids must list 12-digit AWS account IDs."
  }
}

variable "eks_admin_principal_arns" {
  description = "IAM roles granted cluster-admin on the EKS cluster (e.g. the platform team's SSO role)."
  type        = list(string)
  default     = []
}
