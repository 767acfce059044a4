output "state_bucket" {
  description = "Name of the state bucket, for `terraform init -backend-config=bucket=...` in each environment."
  value       = aws_s3_bucket.state.bucket
}

output "state_kms_key_arn" {
  description = "KMS key encrypting the state."
  value       = module.state_key.key_arn
}
