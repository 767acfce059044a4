# Mock tests: need the hashicorp/aws provider binary (a mock wraps its schema), so they run through
# scripts/iac/provider-mirror, not in CI here (see docs/infrastructure.md).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { region = "eu-central-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name                       = "gridops-test"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-a", "subnet-b", "subnet-c"]
  allowed_security_group_ids = ["sg-0123456789abcdef0"]
  instance_class             = "db.r7g.large"
  multi_az                   = true
  deletion_protection        = true
  backup_retention_days      = 30
}

run "prod_like_instance_is_private_encrypted_and_resilient" {
  command = plan

  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.deletion_protection
    error_message = "Expected Multi-AZ with deletion protection."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted && !aws_db_instance.this.publicly_accessible
    error_message = "Expected encrypted storage and no public access."
  }

  assert {
    condition     = aws_db_instance.this.manage_master_user_password && aws_db_instance.this.backup_retention_period == 30
    error_message = "Expected a managed master secret and 30 days of backups."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.postgres) == 1
    error_message = "Expected exactly one ingress rule, from the allowed security group."
  }
}

run "postgres_15_is_refused" {
  command = plan

  variables {
    engine_version = "15.7"
  }

  expect_failures = [var.engine_version]
}
