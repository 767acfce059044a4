output "mode" {
  description = "Observability mode in use."
  value       = var.mode
}

output "prometheus_remote_write_url" {
  description = "Remote-write URL of the managed Prometheus workspace (null when self-managed)."
  value       = local.remote_write_url
}

output "grafana_endpoint" {
  description = "URL of the managed Grafana workspace (null when self-managed)."
  value       = local.managed ? aws_grafana_workspace.this[0].endpoint : null
}

output "helm_values_yaml" {
  description = "kube-prometheus-stack values for the environment, as YAML."
  value       = yamlencode(local.helm_values)
}
