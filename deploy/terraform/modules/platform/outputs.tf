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
  description = "The gridops configuration of the environment: GRIDOPS_* keys as `gridops run --help` names them, and where each secret file comes from (secrets by ARN, never inlined)."
  value = {
    # Non-secret keys, for the Kubernetes overlay's ConfigMap or an env file, as they are.
    env = {
      GRIDOPS_BUS = "kafka"
      # MSK's SASL/SCRAM-over-TLS listener (9096), with the login of the msk module (its password:
      # files.GRIDOPS_KAFKA_SASL_PASSWORD_FILE). The brokers' certificates chain to Amazon's public
      # CA, which Node.js trusts, so no GRIDOPS_KAFKA_CA_FILE. IAM (9098) is not supported by gridops.
      GRIDOPS_KAFKA_BROKERS                 = module.msk.bootstrap_brokers_scram
      GRIDOPS_KAFKA_TLS                     = "true"
      GRIDOPS_KAFKA_SASL_MECHANISM          = "scram-sha-512"
      GRIDOPS_KAFKA_SASL_USERNAME           = module.msk.scram_username
      GRIDOPS_KAFKA_TOPIC                   = "gridops.readings"
      GRIDOPS_KAFKA_REPLICATION             = tostring(min(3, var.sizing.kafka_broker_count))
      GRIDOPS_BUS_PARTITIONS                = "12"
      GRIDOPS_STORE                         = "postgres"
      GRIDOPS_POSTGRES_SSLMODE              = "verify-full"
      GRIDOPS_POSTGRES_POOL_MAX             = "10"
      GRIDOPS_POSTGRES_STATEMENT_TIMEOUT_MS = "30000"
      GRIDOPS_CACHE                         = "redis"
    }
    # Files that the deployment mounts and points these keys at, and what goes into each.
    files = {
      GRIDOPS_POSTGRES_URL_FILE = {
        secret_arn = module.rds.app_secret_arn
        json_key   = "url"
      }
      GRIDOPS_REDIS_URL_FILE = {
        secret_arn = module.elasticache.auth_secret_arn
        json_key   = "url"
      }
      GRIDOPS_KAFKA_SASL_PASSWORD_FILE = {
        secret_arn = module.msk.scram_secret_arn
        json_key   = "password"
      }
      GRIDOPS_POSTGRES_CA_FILE = {
        download = "https://truststore.pki.rds.amazonaws.com/${data.aws_region.current.region}/${data.aws_region.current.region}-bundle.pem"
      }
    }
    postgres = {
      host     = module.rds.address
      port     = module.rds.port
      database = module.rds.database_name
      user     = module.rds.app_username
    }
    redis = {
      host = module.elasticache.primary_endpoint
      port = module.elasticache.port
    }
    # For the egress NetworkPolicy of the overlay (allow-data-stores).
    data_subnet_cidrs = var.data_subnet_cidrs
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
