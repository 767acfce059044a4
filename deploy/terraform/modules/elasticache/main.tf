# Redis (ElastiCache) with TLS in transit (required, not preferred), AUTH token generated here and
# kept in Secrets Manager, encryption at rest with a customer-managed key, logs to encrypted log
# groups and, in prod, Multi-AZ automatic failover.

module "key" {
  source = "../kms"

  name                  = "${var.name}-redis"
  description           = "At-rest encryption, AUTH secret and logs of ${var.name} Redis"
  allow_cloudwatch_logs = true
  tags                  = var.tags
}

resource "random_password" "auth" {
  length  = 64
  special = true
  # Bumping auth_rotation_id generates a new token; ElastiCache accepts old and new during the
  # rotation (auth_token_update_strategy = ROTATE) while the clients re-read the secret.
  keepers = {
    rotation = var.auth_rotation_id
  }
  # AUTH tokens accept printable ASCII except '/', '"', '@' and spaces.
  override_special = "!&#$^<>-"
}

resource "aws_secretsmanager_secret" "auth" {
  #checkov:skip=CKV2_AWS_57:The AUTH token is rotated by Terraform (auth_rotation_id + ROTATE strategy), not by a Secrets Manager Lambda.
  name_prefix             = "${var.name}/redis-auth-"
  description             = "AUTH token and rediss:// URL of ${var.name} Redis (GRIDOPS_REDIS_URL)"
  kms_key_id              = module.key.key_arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "auth" {
  secret_id = aws_secretsmanager_secret.auth.id
  # url: what gridops reads (GRIDOPS_REDIS_URL, mounted as a file); the token is percent-encoded
  # there because its special characters (# & $ ...) mean something in a URL.
  secret_string = jsonencode({
    host     = aws_elasticache_replication_group.this.primary_endpoint_address
    port     = 6379
    tls      = true
    password = random_password.auth.result
    url      = "rediss://:${urlencode(random_password.auth.result)}@${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
  })
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Data subnets of ${var.name} Redis"
  subnet_ids  = var.subnet_ids
  tags        = var.tags
}

resource "aws_security_group" "this" {
  name        = "${var.name}-redis"
  description = "Redis ${var.name}: TLS ingress from the platform workloads only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-redis" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "redis" {
  for_each = toset(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "Redis over TLS from platform workloads"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = each.value
  tags                         = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is sizing.log_retention_days: 365 days in prod (a conventions guardrail), shorter in dev and staging to save cost.
  for_each = toset(["slow-log", "engine-log"])

  name              = "/aws/elasticache/${var.name}/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.key_arn
  tags              = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "gridops read-through cache (${var.name})"
  engine               = "redis"
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = 6379
  num_cache_clusters   = var.num_cache_clusters
  parameter_group_name = "default.redis7"

  automatic_failover_enabled = var.automatic_failover
  multi_az_enabled           = var.automatic_failover

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.this.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = module.key.key_arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  auth_token                 = random_password.auth.result
  auth_token_update_strategy = "ROTATE"

  snapshot_retention_limit   = var.snapshot_retention_days
  snapshot_window            = "01:00-02:00"
  maintenance_window         = "sun:04:30-sun:05:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  dynamic "log_delivery_configuration" {
    for_each = aws_cloudwatch_log_group.this

    content {
      destination      = log_delivery_configuration.value.name
      destination_type = "cloudwatch-logs"
      log_format       = "json"
      log_type         = log_delivery_configuration.key
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !var.automatic_failover || var.num_cache_clusters >= 2
      error_message = "automatic_failover needs at least one replica (num_cache_clusters >= 2)."
    }
  }
}
