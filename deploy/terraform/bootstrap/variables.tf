variable "region" {
  description = "Region of the state bucket."
  type        = string
  default     = "eu-central-1"
}

variable "allowed_account_ids" {
  description = "AWS account this bootstrap may be applied to."
  type        = list(string)

  validation {
    condition     = length(var.allowed_account_ids) > 0 && alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "allowed_account_ids must list 12-digit AWS account IDs."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days old state versions are kept before expiry."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 30
    error_message = "Keep old state versions for at least 30 days."
  }
}
