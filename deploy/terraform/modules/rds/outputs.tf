output "endpoint" {
  description = "host:port of the primary."
  value       = aws_db_instance.this.endpoint
}

output "address" {
  description = "Hostname of the primary."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the initial database."
  value       = aws_db_instance.this.db_name
}

output "app_username" {
  description = "PostgreSQL role of the application."
  value       = var.app_username
}

output "app_secret_arn" {
  description = "Secrets Manager secret of the application login: username, password, host, port, dbname and url (GRIDOPS_POSTGRES_URL)."
  value       = aws_secretsmanager_secret.app.arn
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the master credentials (managed and rotated by RDS)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}

output "kms_key_arn" {
  description = "KMS key encrypting the database."
  value       = module.key.key_arn
}
