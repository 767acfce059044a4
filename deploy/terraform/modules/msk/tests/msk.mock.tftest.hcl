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
  client_subnet_ids          = ["subnet-a", "subnet-b", "subnet-c"]
  allowed_security_group_ids = ["sg-0123456789abcdef0"]
  broker_count               = 6
  instance_type              = "kafka.m7g.large"
}

run "brokers_are_spread_evenly_and_encrypted" {
  command = plan

  assert {
    condition     = aws_msk_cluster.this.number_of_broker_nodes == 6
    error_message = "Expected 6 brokers."
  }

  assert {
    condition     = aws_msk_cluster.this.encryption_info[0].encryption_in_transit[0].client_broker == "TLS"
    error_message = "Client-broker traffic must be TLS."
  }

  assert {
    condition     = aws_msk_cluster.this.client_authentication[0].unauthenticated == false
    error_message = "Unauthenticated access must be off."
  }

  assert {
    condition     = aws_msk_cluster.this.broker_node_group_info[0].connectivity_info[0].public_access[0].type == "DISABLED"
    error_message = "Brokers must not be public."
  }
}

run "scram_is_on_with_an_msk_secret" {
  command = plan

  assert {
    condition     = aws_msk_cluster.this.client_authentication[0].sasl[0].scram == true
    error_message = "SASL/SCRAM (what gridops speaks, 9096) must be on."
  }

  assert {
    condition     = startswith(aws_secretsmanager_secret.scram.name_prefix, "AmazonMSK_")
    error_message = "MSK accepts only SCRAM secrets whose name starts with AmazonMSK_."
  }

  assert {
    condition     = output.scram_username == "gridops"
    error_message = "Expected the default SCRAM user gridops."
  }

  assert {
    condition     = length([for k, r in aws_vpc_security_group_ingress_rule.clients : r if r.from_port == 9096]) == 1
    error_message = "Expected one 9096 (SASL/SCRAM over TLS) ingress rule per allowed security group."
  }
}

run "three_brokers_on_two_zones_are_refused" {
  command = plan

  variables {
    client_subnet_ids = ["subnet-a", "subnet-b"]
    broker_count      = 3
  }

  expect_failures = [aws_msk_cluster.this]
}
