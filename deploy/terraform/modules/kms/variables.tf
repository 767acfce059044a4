variable "name" {
  description = "Name of the key; the alias is alias/<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{3,200}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name must be 3-200 characters of letters, digits, '/', '_' or '-' and must not start with aws/."
  }
}

variable "description" {
  description = "What the key protects."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion takes effect."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "allow_cloudwatch_logs" {
  description = "Let CloudWatch Logs in this region use the key for log groups of this account."
  type        = bool
  default     = false
}

variable "service_principals" {
  description = "Other AWS service principals (for example delivery.logs.amazonaws.com) allowed to use the key through this account."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to the key."
  type        = map(string)
  default     = {}
}
