variable "name" {
  description = "Name prefix of the network's resources, e.g. gridops-prod."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR."
  }
}

variable "availability_zone_ids" {
  description = "Zone IDs (e.g. euc1-az1) to spread the subnets over, one subnet of each tier per zone. IDs, unlike names, are the same in every account, and pinning them keeps the set from growing when AWS adds a zone."
  type        = list(string)

  validation {
    condition     = length(var.availability_zone_ids) >= 2 && length(var.availability_zone_ids) <= 3 && alltrue([for id in var.availability_zone_ids : can(regex("^[a-z]{2,5}[0-9]-az[0-9]+$", id))])
    error_message = "availability_zone_ids must list 2 or 3 zone IDs such as euc1-az1."
  }
}

variable "public_subnet_cidrs" {
  description = "One CIDR per zone for the public subnets (load balancers and NAT gateways only)."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "One CIDR per zone for the private subnets (EKS nodes and pods)."
  type        = list(string)
}

variable "data_subnet_cidrs" {
  description = "One CIDR per zone for the isolated data subnets (RDS, ElastiCache, MSK); they have no route to the internet."
  type        = list(string)
}

variable "nat_gateway_count" {
  description = "1 for a single shared NAT gateway (dev, staging) or one per zone (prod)."
  type        = number
  default     = 1

  validation {
    condition     = var.nat_gateway_count >= 1
    error_message = "nat_gateway_count must be at least 1: private subnets need egress for images and AWS APIs."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group, in days."
  type        = number
  default     = 365
}

variable "flow_log_traffic_type" {
  description = "Which traffic the flow logs record: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "eks_cluster_name" {
  description = "Name of the EKS cluster that uses the subnets; tags them for load balancer discovery."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
