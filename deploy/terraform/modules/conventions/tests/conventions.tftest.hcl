# Every run spells its sizing out in full: OpenTofu does not let run blocks read file-level
# variables, and the file must run under both `tofu test` and `terraform test`.

# Offline tests of the guardrails every environment goes through (no provider needed).
# Run: terraform test (or tofu test) in deploy/terraform/modules/conventions.

variables {
  environment = "prod"
  owner       = "grid-platform"
  cost_center = "GRID-1001"
  vpc_cidr    = "10.40.0.0/16"
  sizing = {
    az_count                  = 3
    nat_gateway_count         = 3
    eks_node_instance_types   = ["m7i.xlarge"]
    eks_node_min_size         = 3
    eks_node_desired_size     = 3
    eks_node_max_size         = 9
    rds_instance_class        = "db.r7g.large"
    rds_allocated_storage_gb  = 200
    rds_multi_az              = true
    rds_backup_retention_days = 30
    redis_node_type           = "cache.r7g.large"
    redis_num_cache_clusters  = 3
    redis_automatic_failover  = true
    kafka_instance_type       = "kafka.m7g.large"
    kafka_broker_count        = 6
    kafka_volume_size_gb      = 500
    deletion_protection       = true
    log_retention_days        = 365
  }
}

run "prod_sizing_passes_and_is_passed_on" {
  command = plan

  assert {
    condition     = output.sizing.kafka_broker_count % output.sizing.az_count == 0
    error_message = "Kafka broker count is not a multiple of the AZ count."
  }

  assert {
    condition     = output.sizing.rds_multi_az && output.sizing.deletion_protection
    error_message = "Prod must be Multi-AZ with deletion protection."
  }

  assert {
    condition     = output.is_prod && output.name_prefix == "gridops-prod"
    error_message = "Unexpected name prefix or prod flag."
  }
}

run "tags_are_complete_and_not_overridable" {
  command = plan

  variables {
    extra_tags = { Environment = "sneaky", Team = "grid" }
  }

  assert {
    condition = alltrue([for k in ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"] :
    contains(keys(output.tags), k)])
    error_message = "A standard tag is missing."
  }

  assert {
    condition     = output.tags["Environment"] == "prod" && output.tags["Team"] == "grid"
    error_message = "extra_tags must add tags but never override a standard one."
  }
}

run "subnet_plan_is_disjoint_and_inside_the_vpc" {
  command = plan

  assert {
    condition     = length(output.public_subnet_cidrs) == 3 && length(output.private_subnet_cidrs) == 3 && length(output.data_subnet_cidrs) == 3
    error_message = "Expected one subnet of each tier per AZ."
  }

  assert {
    condition     = length(distinct(concat(output.public_subnet_cidrs, output.private_subnet_cidrs, output.data_subnet_cidrs))) == 9
    error_message = "Subnet CIDRs must be distinct."
  }

  assert {
    condition     = output.public_subnet_cidrs[0] == "10.40.0.0/24" && output.data_subnet_cidrs[0] == "10.40.8.0/24" && output.private_subnet_cidrs[0] == "10.40.16.0/20"
    error_message = "Unexpected address plan."
  }

  # Public and data /24s sit in the first /20; the private /20s start after it, so no overlap.
  assert {
    condition     = alltrue([for c in output.private_subnet_cidrs : cidrhost(c, 0) != cidrhost("10.40.0.0/20", 0)])
    error_message = "A private subnet overlaps the public/data block."
  }
}

run "dev_may_share_one_nat_and_run_single_az_data" {
  command = plan

  variables {
    environment = "dev"
    sizing = {
      az_count                  = 3
      nat_gateway_count         = 1
      eks_node_instance_types   = ["m7i.xlarge"]
      eks_node_min_size         = 1
      eks_node_desired_size     = 2
      eks_node_max_size         = 9
      rds_instance_class        = "db.r7g.large"
      rds_allocated_storage_gb  = 200
      rds_multi_az              = false
      rds_backup_retention_days = 30
      redis_node_type           = "cache.r7g.large"
      redis_num_cache_clusters  = 1
      redis_automatic_failover  = false
      kafka_instance_type       = "kafka.m7g.large"
      kafka_broker_count        = 3
      kafka_volume_size_gb      = 500
      deletion_protection       = false
      log_retention_days        = 30
    }
  }

  assert {
    condition     = !output.is_prod && output.sizing.nat_gateway_count == 1
    error_message = "Dev should be allowed a single NAT gateway."
  }
}

run "broker_count_not_a_multiple_of_az_count_is_rejected" {
  command = plan

  variables {
    # The original deployment's bug: three brokers over two zones.
    sizing = {
      az_count                  = 2
      nat_gateway_count         = 2
      eks_node_instance_types   = ["m7i.xlarge"]
      eks_node_min_size         = 3
      eks_node_desired_size     = 3
      eks_node_max_size         = 9
      rds_instance_class        = "db.r7g.large"
      rds_allocated_storage_gb  = 200
      rds_multi_az              = true
      rds_backup_retention_days = 30
      redis_node_type           = "cache.r7g.large"
      redis_num_cache_clusters  = 3
      redis_automatic_failover  = true
      kafka_instance_type       = "kafka.m7g.large"
      kafka_broker_count        = 3
      kafka_volume_size_gb      = 500
      deletion_protection       = true
      log_retention_days        = 365
    }
  }

  expect_failures = [var.sizing]
}

run "prod_without_multi_az_is_rejected" {
  command = plan

  variables {
    sizing = {
      az_count                  = 3
      nat_gateway_count         = 3
      eks_node_instance_types   = ["m7i.xlarge"]
      eks_node_min_size         = 3
      eks_node_desired_size     = 3
      eks_node_max_size         = 9
      rds_instance_class        = "db.r7g.large"
      rds_allocated_storage_gb  = 200
      rds_multi_az              = false
      rds_backup_retention_days = 30
      redis_node_type           = "cache.r7g.large"
      redis_num_cache_clusters  = 3
      redis_automatic_failover  = true
      kafka_instance_type       = "kafka.m7g.large"
      kafka_broker_count        = 6
      kafka_volume_size_gb      = 500
      deletion_protection       = true
      log_retention_days        = 365
    }
  }

  expect_failures = [output.sizing]
}

run "prod_without_deletion_protection_is_rejected" {
  command = plan

  variables {
    sizing = {
      az_count                  = 3
      nat_gateway_count         = 3
      eks_node_instance_types   = ["m7i.xlarge"]
      eks_node_min_size         = 3
      eks_node_desired_size     = 3
      eks_node_max_size         = 9
      rds_instance_class        = "db.r7g.large"
      rds_allocated_storage_gb  = 200
      rds_multi_az              = true
      rds_backup_retention_days = 30
      redis_node_type           = "cache.r7g.large"
      redis_num_cache_clusters  = 3
      redis_automatic_failover  = true
      kafka_instance_type       = "kafka.m7g.large"
      kafka_broker_count        = 6
      kafka_volume_size_gb      = 500
      deletion_protection       = false
      log_retention_days        = 365
    }
  }

  expect_failures = [output.sizing]
}

run "prod_with_a_single_nat_gateway_is_rejected" {
  command = plan

  variables {
    sizing = {
      az_count                  = 3
      nat_gateway_count         = 1
      eks_node_instance_types   = ["m7i.xlarge"]
      eks_node_min_size         = 3
      eks_node_desired_size     = 3
      eks_node_max_size         = 9
      rds_instance_class        = "db.r7g.large"
      rds_allocated_storage_gb  = 200
      rds_multi_az              = true
      rds_backup_retention_days = 30
      redis_node_type           = "cache.r7g.large"
      redis_num_cache_clusters  = 3
      redis_automatic_failover  = true
      kafka_instance_type       = "kafka.m7g.large"
      kafka_broker_count        = 6
      kafka_volume_size_gb      = 500
      deletion_protection       = true
      log_retention_days        = 365
    }
  }

  expect_failures = [output.sizing]
}

run "failover_without_a_replica_is_rejected" {
  command = plan

  variables {
    environment = "staging"
    sizing = {
      az_count                  = 3
      nat_gateway_count         = 3
      eks_node_instance_types   = ["m7i.xlarge"]
      eks_node_min_size         = 3
      eks_node_desired_size     = 3
      eks_node_max_size         = 9
      rds_instance_class        = "db.r7g.large"
      rds_allocated_storage_gb  = 200
      rds_multi_az              = true
      rds_backup_retention_days = 30
      redis_node_type           = "cache.r7g.large"
      redis_num_cache_clusters  = 1
      redis_automatic_failover  = true
      kafka_instance_type       = "kafka.m7g.large"
      kafka_broker_count        = 6
      kafka_volume_size_gb      = 500
      deletion_protection       = true
      log_retention_days        = 365
    }
  }

  expect_failures = [var.sizing]
}

run "unknown_environment_is_rejected" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}

run "public_vpc_cidr_is_rejected" {
  command = plan

  variables {
    vpc_cidr = "8.8.0.0/16"
  }

  expect_failures = [var.vpc_cidr]
}
