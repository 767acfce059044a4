output "cluster_arn" {
  description = "ARN of the MSK cluster (for IAM policies of producers and consumers)."
  value       = aws_msk_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the MSK cluster."
  value       = aws_msk_cluster.this.cluster_name
}

output "bootstrap_brokers_iam" {
  description = "Bootstrap brokers for IAM auth over TLS (port 9098); gridops has no IAM auth (it needs a token callback)."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "bootstrap_brokers_scram" {
  description = "Bootstrap brokers for SASL/SCRAM over TLS (port 9096); GRIDOPS_KAFKA_BROKERS."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_scram
}

output "scram_username" {
  description = "SASL/SCRAM user name of gridops (GRIDOPS_KAFKA_SASL_USERNAME)."
  value       = var.scram_username
}

output "scram_secret_arn" {
  description = "AmazonMSK_ Secrets Manager secret of the SASL/SCRAM login, associated with the cluster: JSON with username and password (GRIDOPS_KAFKA_SASL_PASSWORD_FILE gets password). The ARN only, never the value."
  value       = aws_secretsmanager_secret.scram.arn
}

output "security_group_id" {
  description = "Security group of the brokers."
  value       = aws_security_group.this.id
}

output "broker_count" {
  description = "Number of brokers."
  value       = aws_msk_cluster.this.number_of_broker_nodes
}
