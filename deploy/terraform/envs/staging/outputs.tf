output "eks" {
  description = "Cluster name, endpoint, CA and IRSA role ARNs for kubeconfig and the Kubernetes overlay."
  value       = module.platform.eks
}

output "gridops_config" {
  description = "Store, cache, bus and telemetry settings for the gridops configuration (secrets by ARN)."
  value       = module.platform.gridops_config
}

output "observability_helm_values" {
  description = "kube-prometheus-stack values for the overlay."
  value       = module.platform.observability_helm_values
}

output "nat_public_ips" {
  description = "Egress IPs of the environment."
  value       = module.platform.nat_public_ips
}
