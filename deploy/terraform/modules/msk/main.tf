# Amazon MSK: brokers spread evenly over the zones (the count is checked to be a multiple of the
# zone count), TLS between clients and brokers and inside the cluster, IAM (optionally also
# SASL/SCRAM) authentication with unauthenticated access off, encryption at rest with a
# customer-managed key, no public access, broker logs to an encrypted log group and the Prometheus
# JMX / node exporters open for the platform's Prometheus.

locals {
  zone_count         = length(var.client_subnet_ids)
  replication_factor = min(3, var.broker_count)
}

module "key" {
  source = "../kms"

  name                  = "${var.name}-msk"
  description           = "At-rest encryption and broker logs of ${var.name} MSK"
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
  broker_ports = merge(
    { iam = 9098, jmx-exporter = 11001, node-exporter = 11002 },
    var.scram_enabled ? { scram = 9096 } : {},
  )
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
      scram = var.scram_enabled
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
