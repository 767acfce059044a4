variable "name" {
  description = "Cluster name, e.g. gridops-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,63}$", var.name))
    error_message = "name must start with a letter and contain only letters, digits and hyphens (max 64)."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "client_subnet_ids" {
  description = "One data subnet per availability zone; MSK puts broker_count / length(client_subnet_ids) brokers in each."
  type        = list(string)

  validation {
    condition     = length(var.client_subnet_ids) == 2 || length(var.client_subnet_ids) == 3
    error_message = "MSK needs client subnets in exactly 2 or 3 availability zones."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to reach the brokers (SASL/SCRAM over TLS and IAM over TLS)."
  type        = list(string)
}

variable "kafka_version" {
  description = "Apache Kafka version of the brokers."
  type        = string
  default     = "3.8.x"
}

variable "broker_count" {
  description = "Total number of brokers; must be a multiple of the number of client subnets (zones)."
  type        = number

  validation {
    condition     = var.broker_count >= 2 && floor(var.broker_count) == var.broker_count
    error_message = "broker_count must be a whole number of at least 2."
  }
}

variable "instance_type" {
  description = "Broker instance type, e.g. kafka.t3.small (dev) or kafka.m7g.large (prod)."
  type        = string

  validation {
    condition     = startswith(var.instance_type, "kafka.")
    error_message = "instance_type must be an MSK broker type such as kafka.m7g.large."
  }
}

variable "volume_size_gb" {
  description = "EBS storage per broker, in GiB."
  type        = number
  default     = 100
}

variable "scram_username" {
  description = "SASL/SCRAM user name of gridops (GRIDOPS_KAFKA_SASL_USERNAME); its password is generated here and kept in an AmazonMSK_ secret."
  type        = string
  default     = "gridops"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_-]{0,63}$", var.scram_username))
    error_message = "scram_username must start with a letter and contain only letters, digits, '_' and '-' (max 64)."
  }
}

variable "scram_rotation_id" {
  description = "Change this value (e.g. to the date) to generate a new SASL/SCRAM password."
  type        = string
  default     = "initial"
}

variable "enhanced_monitoring" {
  description = "CloudWatch metric level: DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION."
  type        = string
  default     = "PER_TOPIC_PER_BROKER"

  validation {
    condition     = contains(["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"], var.enhanced_monitoring)
    error_message = "enhanced_monitoring must be DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION."
  }
}

variable "log_retention_days" {
  description = "Retention of the broker log group, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
