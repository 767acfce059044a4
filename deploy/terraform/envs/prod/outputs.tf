output "eks" {
  description = "Cluster name, endpoint, CA and IRSA role ARNs for kubeconfig and the Kubernetes overlay."
  value       = module.platform.eks
}

output "gridops_config" {
  description = "GRIDOPS_* keys of the environment (env), the sources of the secret files (files, by ARN), endpoints and data-subnet CIDRs."
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
