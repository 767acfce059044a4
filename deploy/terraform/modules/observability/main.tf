# Observability backend: either Amazon Managed Prometheus + Managed Grafana (encrypted, logged,
# private to this account) or self-managed kube-prometheus-stack. Both ways the module outputs the
# Helm values the Kubernetes overlays feed to the chart, so the workloads do not change.

data "aws_region" "current" {}

locals {
  managed   = var.mode == "managed"
  oidc_host = replace(var.oidc_issuer_url, "https://", "")
}

module "key" {
  count  = local.managed ? 1 : 0
  source = "../kms"

  name                  = "${var.name}-observability"
  description           = "Managed Prometheus data and logs of ${var.name}"
  allow_cloudwatch_logs = true
  tags                  = var.tags
}

resource "aws_cloudwatch_log_group" "amp" {
  #checkov:skip=CKV_AWS_338:Retention is sizing.log_retention_days: 365 days in prod (a conventions guardrail), shorter in dev and staging to save cost.
  count = local.managed ? 1 : 0

  name              = "/aws/prometheus/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key[0].key_arn
  tags              = var.tags
}

resource "aws_prometheus_workspace" "this" {
  count = local.managed ? 1 : 0

  alias       = var.name
  kms_key_arn = module.key[0].key_arn

  logging_configuration {
    log_group_arn = "${aws_cloudwatch_log_group.amp[0].arn}:*"
  }

  tags = var.tags
}

# Prometheus in the cluster remote-writes through IRSA.
data "aws_iam_policy_document" "remote_write_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["system:serviceaccount:${var.prometheus_namespace}:${var.prometheus_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "remote_write" {
  count = local.managed ? 1 : 0

  statement {
    actions   = ["aps:RemoteWrite", "aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
    resources = [aws_prometheus_workspace.this[0].arn]
  }
}

resource "aws_iam_role" "remote_write" {
  count = local.managed ? 1 : 0

  name               = "${var.name}-irsa-prometheus"
  assume_role_policy = data.aws_iam_policy_document.remote_write_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "remote_write" {
  count = local.managed ? 1 : 0

  name   = "amp-remote-write"
  role   = aws_iam_role.remote_write[0].id
  policy = data.aws_iam_policy_document.remote_write[0].json
}

data "aws_iam_policy_document" "grafana_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["grafana.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "grafana_query" {
  count = local.managed ? 1 : 0

  statement {
    actions   = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata", "aps:DescribeWorkspace"]
    resources = [aws_prometheus_workspace.this[0].arn]
  }

  statement {
    actions   = ["aps:ListWorkspaces"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "grafana" {
  count = local.managed ? 1 : 0

  name               = "${var.name}-grafana"
  assume_role_policy = data.aws_iam_policy_document.grafana_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "grafana" {
  count = local.managed ? 1 : 0

  name   = "query-prometheus"
  role   = aws_iam_role.grafana[0].id
  policy = data.aws_iam_policy_document.grafana_query[0].json
}

resource "aws_grafana_workspace" "this" {
  count = local.managed ? 1 : 0

  name                     = var.name
  description              = "gridops dashboards (${var.name})"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  data_sources             = ["PROMETHEUS", "CLOUDWATCH"]
  role_arn                 = aws_iam_role.grafana[0].arn
  tags                     = var.tags
}

resource "aws_grafana_role_association" "admins" {
  count = local.managed && length(var.grafana_admin_group_ids) > 0 ? 1 : 0

  role         = "ADMIN"
  group_ids    = var.grafana_admin_group_ids
  workspace_id = aws_grafana_workspace.this[0].id
}

locals {
  remote_write_url = local.managed ? "${aws_prometheus_workspace.this[0].prometheus_endpoint}api/v1/remote_write" : null

  # Values for the kube-prometheus-stack chart, consumed by deploy/kubernetes overlays.
  helm_values = {
    prometheus = {
      serviceAccount = {
        annotations = local.managed ? { "eks.amazonaws.com/role-arn" = aws_iam_role.remote_write[0].arn } : {}
      }
      prometheusSpec = merge(
        {
          retention                               = local.managed ? "2d" : var.retention
          replicas                                = 2
          serviceMonitorSelectorNilUsesHelmValues = false
          ruleSelectorNilUsesHelmValues           = false
          storageSpec = {
            volumeClaimTemplate = {
              spec = {
                storageClassName = "gp3-encrypted"
                accessModes      = ["ReadWriteOnce"]
                resources        = { requests = { storage = local.managed ? "10Gi" : var.storage_size } }
              }
            }
          }
        },
        local.managed ? {
          remoteWrite = [{
            url   = local.remote_write_url
            sigv4 = { region = data.aws_region.current.region }
          }]
        } : {},
      )
    }
    grafana = {
      enabled = !local.managed
    }
  }
}
