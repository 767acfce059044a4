# Amazon MSK: brokers spread evenly over the zones (the count is checked to be a multiple of the
# zone count), TLS between clients and brokers and inside the cluster, SASL/SCRAM (what gridops
# speaks; its credentials generated here, in an AmazonMSK_ secret) and IAM authentication with
# unauthenticated access off, encryption at rest with a customer-managed key, no public access,
# broker logs to an encrypted log group and the Prometheus JMX / node exporters open for the
# platform's Prometheus.

locals {
  zone_count         = length(var.client_subnet_ids)
  replication_factor = min(3, var.broker_count)
}

module "key" {
  source = "../kms"

  name                  = "${var.name}-msk"
  description           = "At-rest encryption, broker logs and SCRAM secret of ${var.name} MSK"
  allow_cloudwatch_logs = true
  tags                  = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-msk"
  description = "MSK ${var.name}: TLS client ingress from the platform workloads only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-msk" })

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  # 9098: IAM over TLS; 9096: SASL/SCRAM over TLS; 11001-11002: Prometheus JMX and node exporters.
  broker_ports = { iam = 9098, scram = 9096, jmx-exporter = 11001, node-exporter = 11002 }
  ingress = merge([for sg in var.allowed_security_group_ids : {
    for name, port in local.broker_ports : "${name}|${sg}" => { port = port, sg = sg, name = name }
  }]...)
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = local.ingress

  security_group_id            = aws_security_group.this.id
  description                  = "MSK ${each.value.name} from platform workloads"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.sg
  tags                         = var.tags
}

resource "aws_cloudwatch_log_group" "brokers" {
  #checkov:skip=CKV_AWS_338:Retention is sizing.log_retention_days: 365 days in prod (a conventions guardrail), shorter in dev and staging to save cost.
  name              = "/aws/msk/${var.name}/brokers"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.key_arn
  tags              = var.tags
}

resource "aws_msk_configuration" "this" {
  name           = "${var.name}-config"
  description    = "gridops broker defaults: no topic auto-creation, replicated and durable writes"
  kafka_versions = [var.kafka_version]

  server_properties = <<-PROPERTIES
    auto.create.topics.enable=false
    default.replication.factor=${local.replication_factor}
    min.insync.replicas=${max(1, local.replication_factor - 1)}
    num.partitions=12
    unclean.leader.election.enable=false
    log.retention.hours=168
  PROPERTIES

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.broker_count
  enhanced_monitoring    = var.enhanced_monitoring

  broker_node_group_info {
    instance_type   = var.instance_type
    client_subnets  = var.client_subnet_ids
    security_groups = [aws_security_group.this.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.volume_size_gb
      }
    }

    connectivity_info {
      public_access {
        type = "DISABLED"
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = module.key.key_arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  client_authentication {
    unauthenticated = false

    sasl {
      iam   = true
      scram = true
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers.name
      }
    }
  }

  open_monitoring {
    prometheus {
      jmx_exporter {
        enabled_in_broker = true
      }

      node_exporter {
        enabled_in_broker = true
      }
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.broker_count % local.zone_count == 0
      error_message = "broker_count (${var.broker_count}) must be a multiple of the number of client subnets/zones (${local.zone_count})."
    }
  }
}

# The SASL/SCRAM login of gridops (GRIDOPS_KAFKA_SASL_USERNAME / GRIDOPS_KAFKA_SASL_PASSWORD_FILE):
# a password generated here, kept in Secrets Manager as MSK requires it (the name starts with
# AmazonMSK_, the secret is encrypted with a customer-managed key, the value is JSON with username
# and password) and associated with the cluster, which then accepts it on 9096. The Kubernetes
# Secret gridops-kafka (key password) is made from this secret (docs/deploy.md, "Backends").
resource "random_password" "scram" {
  length = 48
  # Letters and digits only: the password is copied into a Kubernetes Secret and a file by hand.
  special = false
  # Bumping scram_rotation_id generates a new password; MSK picks up the new secret value within
  # minutes, then update the Kubernetes Secret and restart ingest and processor.
  keepers = {
    rotation = var.scram_rotation_id
  }
}

resource "aws_secretsmanager_secret" "scram" {
  #checkov:skip=CKV2_AWS_57:The SCRAM password is rotated by Terraform (scram_rotation_id), not by a Secrets Manager Lambda.
  # MSK accepts only secrets named AmazonMSK_* and encrypted with a customer-managed key.
  name_prefix             = "AmazonMSK_${var.name}-${var.scram_username}-"
  description             = "SASL/SCRAM login ${var.scram_username} of ${var.name} MSK (GRIDOPS_KAFKA_SASL_PASSWORD)"
  kms_key_id              = module.key.key_arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "scram" {
  secret_id = aws_secretsmanager_secret.scram.id
  secret_string = jsonencode({
    username = var.scram_username
    password = random_password.scram.result
  })
}

# MSK attaches this policy itself when the secret is associated; declaring it keeps plans clean.
data "aws_iam_policy_document" "scram" {
  #checkov:skip=CKV_AWS_108:A resource policy of this one secret letting the MSK service read it, which SASL/SCRAM needs; it is the policy MSK itself attaches on association.
  statement {
    sid       = "AWSKafkaResourcePolicy"
    actions   = ["secretsmanager:getSecretValue"]
    resources = [aws_secretsmanager_secret.scram.arn]

    principals {
      type        = "Service"
      identifiers = ["kafka.amazonaws.com"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "scram" {
  secret_arn = aws_secretsmanager_secret.scram.arn
  policy     = data.aws_iam_policy_document.scram.json
}

# Exclusive: any other secret associated with the cluster by hand is removed on the next apply.
resource "aws_msk_scram_secret_association" "this" {
  cluster_arn     = aws_msk_cluster.this.arn
  secret_arn_list = [aws_secretsmanager_secret.scram.arn]

  depends_on = [aws_secretsmanager_secret_version.scram, aws_secretsmanager_secret_policy.scram]
}
