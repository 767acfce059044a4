output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "nat_public_ips" {
  description = "Egress IPs of the environment."
  value       = module.network.nat_public_ips
}

output "eks" {
  description = "What kubeconfig and the Kubernetes overlays need: cluster name, endpoint, CA, IRSA role ARNs."
  value = {
    cluster_name              = module.eks.cluster_name
    endpoint                  = module.eks.cluster_endpoint
    certificate_authority     = module.eks.cluster_certificate_authority_data
    oidc_provider_arn         = module.eks.oidc_provider_arn
    gridops_irsa_role_arn     = module.eks.irsa_role_arns["gridops"]
    cluster_security_group_id = module.eks.cluster_security_group_id
  }
}

output "gridops_config" {
  description = "Connection settings for the gridops config (GRIDOPS_* variables / ConfigMap); secrets are referenced by ARN, never inlined."
  value = {
    store = {
      engine     = "postgres"
      host       = module.rds.address
      port       = module.rds.port
      database   = module.rds.database_name
      user       = "gridops_app"
      auth       = "iam"
      tls        = "verify-full"
      secret_arn = module.rds.master_user_secret_arn
    }
    cache = {
      engine     = "redis"
      host       = module.elasticache.primary_endpoint
      port       = module.elasticache.port
      tls        = true
      secret_arn = module.elasticache.auth_secret_arn
    }
    bus = {
      engine            = "kafka"
      bootstrap_brokers = module.msk.bootstrap_brokers_iam
      auth              = "aws-msk-iam"
      tls               = true
    }
    telemetry = {
      prometheus_remote_write_url = module.observability.prometheus_remote_write_url
      grafana_endpoint            = module.observability.grafana_endpoint
    }
  }
}

output "observability_helm_values" {
  description = "kube-prometheus-stack values (YAML) for the environment's overlay."
  value       = module.observability.helm_values_yaml
}
