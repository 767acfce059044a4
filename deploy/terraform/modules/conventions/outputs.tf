output "name_prefix" {
  description = "Prefix for resource names: <project>-<environment>."
  value       = local.name_prefix
}

output "tags" {
  description = "Standard tags for the provider's default_tags and for every module."
  value       = local.tags
}

output "is_prod" {
  description = "True for the production environment."
  value       = local.is_prod
}

output "public_subnet_cidrs" {
  description = "One public subnet CIDR per availability zone."
  value       = local.public_subnet_cidrs
}

output "private_subnet_cidrs" {
  description = "One private (workload) subnet CIDR per availability zone."
  value       = local.private_subnet_cidrs
}

output "data_subnet_cidrs" {
  description = "One isolated data subnet CIDR per availability zone (no route to the internet)."
  value       = local.data_subnet_cidrs
}

output "sizing" {
  description = "The environment's sizing, passed on only when the production guardrails hold."
  value       = var.sizing

  precondition {
    condition     = !local.is_prod || length(local.prod_violations) == 0
    error_message = "Production guardrails violated: ${join("; ", local.prod_violations)}."
  }
}
