#!/usr/bin/env python3
"""Policy tests on the parsed HCL of deploy/terraform.

Offline and provider-free: every .tf file is parsed with python-hcl2 (the parser checkov ships) and
the properties that matter for this platform are asserted on the parsed blocks:

  encryption   every data store, log group, secret, key, volume and state bucket is encrypted
  public       nothing is reachable from the internet (RDS, subnets, MSK, security groups, S3, EKS)
  msk          the broker count is a multiple of the AZ count, in every environment and by construction;
               with SASL/SCRAM on, an AmazonMSK_ secret under a customer-managed key is associated
  prod         prod is Multi-AZ, has deletion protection, a NAT gateway per AZ, cache failover
  secrets      no literal secret anywhere; passwords come from RDS/Secrets Manager or random_password
  backend      every environment keeps state in S3, encrypted, with locking
  pins         required_version and a version constraint for every provider, in every module
  tags         environments set default_tags and every taggable resource in the modules sets tags
  docs         every variable has a description and a type, every output a description
  skips        every checkov skip in the code gives a reason

Usage: tf_policy.py DEPLOY_TERRAFORM_DIR   (exit 1 on any violation)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import hcl2  # from bc-python-hcl2, installed with checkov

ENVS = ("dev", "staging", "prod")

TAGGABLE = {
    "aws_vpc", "aws_subnet", "aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route_table",
    "aws_vpc_endpoint", "aws_flow_log", "aws_default_security_group", "aws_security_group",
    "aws_vpc_security_group_ingress_rule", "aws_kms_key", "aws_cloudwatch_log_group", "aws_iam_role",
    "aws_iam_openid_connect_provider", "aws_eks_cluster", "aws_eks_node_group", "aws_eks_addon",
    "aws_eks_access_entry", "aws_launch_template", "aws_db_instance", "aws_db_subnet_group",
    "aws_db_parameter_group", "aws_elasticache_replication_group", "aws_elasticache_subnet_group",
    "aws_msk_cluster", "aws_secretsmanager_secret", "aws_prometheus_workspace", "aws_grafana_workspace",
}

SECRET_KEYS = re.compile(
    r"^(password|master_password|auth_token|secret|secret_string|token|api_key|access_key|secret_key|private_key)$"
)


def normalize(node):
    """bc-python-hcl2 wraps every attribute value in a one-element list; unwrap those (blocks stay
    lists of dicts, and so do object-valued attributes: read both with Policy.first)."""
    if isinstance(node, dict):
        return {k: normalize(v) for k, v in node.items() if not str(k).startswith("__")}
    if isinstance(node, list):
        if len(node) == 1 and not isinstance(node[0], dict):
            return normalize(node[0])
        return [normalize(v) for v in node]
    return node


class Policy:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.violations: list[str] = []
        self.checked = 0
        self.dirs: dict[Path, dict[str, list]] = {}
        self.raw: dict[Path, str] = {}
        for tf in sorted(root.rglob("*.tf")):
            if ".terraform" in tf.parts:
                continue
            text = tf.read_text()
            self.raw[tf] = text
            try:
                parsed = hcl2.loads(text)
            except Exception as exc:  # a parse error is a violation, not a crash
                self.fail("parse", tf, f"cannot parse: {exc}")
                continue
            parsed = normalize(parsed)
            bucket = self.dirs.setdefault(tf.parent, {})
            for key, blocks in parsed.items():
                bucket.setdefault(key, []).extend((tf, b) for b in blocks)

    # -- helpers ---------------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def fail(self, rule: str, where: Path, message: str) -> None:
        self.violations.append(f"VIOLATION [{rule}] {self.rel(where)}: {message}")

    def check(self, rule: str, ok: bool, where: Path, message: str) -> None:
        self.checked += 1
        if not ok:
            self.fail(rule, where, message)

    def resources(self, rtype: str):
        for d, blocks in self.dirs.items():
            for tf, block in blocks.get("resource", []):
                for t, named in block.items():
                    if t == rtype:
                        for name, body in named.items():
                            yield tf, name, body

    def all_resources(self):
        for d, blocks in self.dirs.items():
            for tf, block in blocks.get("resource", []):
                for t, named in block.items():
                    for name, body in named.items():
                        yield tf, t, name, body

    def modules_in(self, d: Path):
        for tf, block in self.dirs.get(d, {}).get("module", []):
            for name, body in block.items():
                yield tf, name, body

    @staticmethod
    def first(body: dict, key: str, default=None):
        """hcl2 gives nested blocks as lists of dicts; return the first one (or the value)."""
        value = body.get(key, default)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
        return value

    @staticmethod
    def is_true(v) -> bool:
        return v is True

    @staticmethod
    def is_false(v) -> bool:
        return v is False

    @staticmethod
    def is_expr(v) -> bool:
        return isinstance(v, str) and v.startswith("${")

    def set_(self, v) -> bool:
        return v not in (None, "", [], {})

    # -- rules -----------------------------------------------------------------------------------
    def encryption(self) -> None:
        for tf, name, b in self.resources("aws_db_instance"):
            self.check("encryption", self.is_true(b.get("storage_encrypted")), tf,
                       f"aws_db_instance.{name}: storage_encrypted must be true")
            self.check("encryption", self.set_(b.get("kms_key_id")), tf,
                       f"aws_db_instance.{name}: kms_key_id (customer-managed key) must be set")
            if b.get("performance_insights_enabled") is True:
                self.check("encryption", self.set_(b.get("performance_insights_kms_key_id")), tf,
                           f"aws_db_instance.{name}: performance_insights_kms_key_id must be set")
        for tf, name, b in self.resources("aws_elasticache_replication_group"):
            self.check("encryption", self.is_true(b.get("at_rest_encryption_enabled")), tf,
                       f"aws_elasticache_replication_group.{name}: at_rest_encryption_enabled must be true")
            self.check("encryption", self.is_true(b.get("transit_encryption_enabled")), tf,
                       f"aws_elasticache_replication_group.{name}: transit_encryption_enabled must be true")
            self.check("encryption", b.get("transit_encryption_mode") == "required", tf,
                       f"aws_elasticache_replication_group.{name}: transit_encryption_mode must be \"required\"")
            self.check("encryption", self.set_(b.get("kms_key_id")), tf,
                       f"aws_elasticache_replication_group.{name}: kms_key_id must be set")
            self.check("encryption", self.is_expr(b.get("auth_token")), tf,
                       f"aws_elasticache_replication_group.{name}: auth_token (AUTH) must be set from a generated secret")
        for tf, name, b in self.resources("aws_msk_cluster"):
            enc = self.first(b, "encryption_info") or {}
            transit = self.first(enc, "encryption_in_transit") or {}
            self.check("encryption", transit.get("client_broker") == "TLS", tf,
                       f"aws_msk_cluster.{name}: encryption_in_transit.client_broker must be TLS")
            self.check("encryption", self.is_true(transit.get("in_cluster")), tf,
                       f"aws_msk_cluster.{name}: encryption_in_transit.in_cluster must be true")
            self.check("encryption", self.set_(enc.get("encryption_at_rest_kms_key_arn")), tf,
                       f"aws_msk_cluster.{name}: encryption_at_rest_kms_key_arn must be set")
            auth = self.first(b, "client_authentication") or {}
            sasl = self.first(auth, "sasl") or {}
            self.check("encryption", self.is_false(auth.get("unauthenticated")), tf,
                       f"aws_msk_cluster.{name}: client_authentication.unauthenticated must be false")
            self.check("encryption", self.is_true(sasl.get("iam")) or sasl.get("scram") is True, tf,
                       f"aws_msk_cluster.{name}: IAM or SASL/SCRAM authentication must be on")
        for tf, name, b in self.resources("aws_eks_cluster"):
            enc = self.first(b, "encryption_config") or {}
            prov = self.first(enc, "provider") or {}
            self.check("encryption", "secrets" in (enc.get("resources") or []) and self.set_(prov.get("key_arn")), tf,
                       f"aws_eks_cluster.{name}: Kubernetes secrets must be encrypted with a KMS key")
        for rtype, attr in (("aws_cloudwatch_log_group", "kms_key_id"), ("aws_secretsmanager_secret", "kms_key_id"),
                            ("aws_prometheus_workspace", "kms_key_arn")):
            for tf, name, b in self.resources(rtype):
                self.check("encryption", self.set_(b.get(attr)), tf, f"{rtype}.{name}: {attr} must be set")
        for tf, name, b in self.resources("aws_kms_key"):
            self.check("encryption", self.is_true(b.get("enable_key_rotation")), tf,
                       f"aws_kms_key.{name}: enable_key_rotation must be true")
            self.check("encryption", self.set_(b.get("policy")), tf, f"aws_kms_key.{name}: needs an explicit key policy")
        for tf, name, b in self.resources("aws_launch_template"):
            for bdm in b.get("block_device_mappings", []):
                ebs = self.first(bdm, "ebs") or {}
                self.check("encryption", self.is_true(ebs.get("encrypted")), tf,
                           f"aws_launch_template.{name}: EBS volumes must be encrypted")
            meta = self.first(b, "metadata_options") or {}
            self.check("encryption", meta.get("http_tokens") == "required", tf,
                       f"aws_launch_template.{name}: IMDSv2 (http_tokens = required) must be enforced")
        buckets = {(tf.parent, name) for tf, name, _ in self.resources("aws_s3_bucket")}
        sse = {}
        for tf, name, b in self.resources("aws_s3_bucket_server_side_encryption_configuration"):
            rule = self.first(b, "rule") or {}
            default = self.first(rule, "apply_server_side_encryption_by_default") or {}
            sse[(tf.parent, str(b.get("bucket", "")))] = default.get("sse_algorithm")
        for d, name in buckets:
            algos = [a for (dd, ref), a in sse.items() if dd == d and f"aws_s3_bucket.{name}." in ref]
            self.check("encryption", algos == ["aws:kms"], d / "main.tf",
                       f"aws_s3_bucket.{name}: needs server-side encryption with aws:kms")

    def public(self) -> None:
        for tf, name, b in self.resources("aws_db_instance"):
            self.check("public", self.is_false(b.get("publicly_accessible")), tf,
                       f"aws_db_instance.{name}: publicly_accessible must be false")
        for tf, name, b in self.resources("aws_subnet"):
            self.check("public", self.is_false(b.get("map_public_ip_on_launch")), tf,
                       f"aws_subnet.{name}: map_public_ip_on_launch must be false (no public IPs on instances)")
        for tf, name, b in self.resources("aws_msk_cluster"):
            info = self.first(b, "broker_node_group_info") or {}
            conn = self.first(info, "connectivity_info") or {}
            pub = self.first(conn, "public_access") or {}
            self.check("public", pub.get("type") == "DISABLED", tf,
                       f"aws_msk_cluster.{name}: public access must be DISABLED")
        world = {"0.0.0.0/0", "::/0"}
        for tf, name, b in self.resources("aws_vpc_security_group_ingress_rule"):
            self.check("public", b.get("cidr_ipv4") not in world and b.get("cidr_ipv6") not in world, tf,
                       f"aws_vpc_security_group_ingress_rule.{name}: ingress open to the world (public)")
            self.check("public", self.set_(b.get("referenced_security_group_id")) or self.set_(b.get("prefix_list_id")),
                       tf, f"aws_vpc_security_group_ingress_rule.{name}: ingress must come from a security group (only the flows the architecture needs)")
        for tf, name, b in self.resources("aws_security_group"):
            for rule in b.get("ingress", []):
                cidrs = set(rule.get("cidr_blocks") or []) | set(rule.get("ipv6_cidr_blocks") or [])
                self.check("public", not (cidrs & world), tf, f"aws_security_group.{name}: inline ingress open to the world (public)")
        for tf, name, b in self.resources("aws_security_group_rule"):
            cidrs = set(b.get("cidr_blocks") or []) | set(b.get("ipv6_cidr_blocks") or [])
            self.check("public", not (b.get("type") == "ingress" and cidrs & world), tf,
                       f"aws_security_group_rule.{name}: ingress open to the world (public)")
        for tf, name, b in self.resources("aws_s3_bucket_public_access_block"):
            keys = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
            self.check("public", all(b.get(k) is True for k in keys), tf,
                       f"aws_s3_bucket_public_access_block.{name}: all four public access blocks must be true")
        buckets = [(tf, name) for tf, name, _ in self.resources("aws_s3_bucket")]
        blocks = [str(b.get("bucket", "")) for _, _, b in self.resources("aws_s3_bucket_public_access_block")]
        for tf, name in buckets:
            self.check("public", any(f"aws_s3_bucket.{name}." in ref for ref in blocks), tf,
                       f"aws_s3_bucket.{name}: needs an aws_s3_bucket_public_access_block (public)")
        for tf, name, b in self.resources("aws_eks_cluster"):
            vpc = self.first(b, "vpc_config") or {}
            self.check("public", vpc.get("endpoint_public_access") is not True, tf,
                       f"aws_eks_cluster.{name}: the API endpoint must not be public unconditionally")
            self.check("public", self.is_true(vpc.get("endpoint_private_access")), tf,
                       f"aws_eks_cluster.{name}: the private API endpoint must be on")
        eks_vars = self.root / "modules" / "eks"
        for tf, block in self.dirs.get(eks_vars, {}).get("variable", []):
            for vname, body in block.items():
                if vname == "endpoint_public_access":
                    self.check("public", body.get("default") is False, tf,
                               "variable endpoint_public_access must default to false (public)")

    def env_sizing(self, env: str):
        d = self.root / "envs" / env
        for tf, name, body in self.modules_in(d):
            if name == "conventions":
                return tf, self.first(body, "sizing") or {}
        self.fail("msk", d, "environment does not call module \"conventions\" with its sizing")
        return d, {}

    def msk(self) -> None:
        for env in ENVS:
            tf, s = self.env_sizing(env)
            azs, brokers = s.get("az_count"), s.get("kafka_broker_count")
            ok = isinstance(azs, int) and isinstance(brokers, int) and brokers >= azs and brokers % azs == 0
            self.check("msk", ok, tf, f"{env}: kafka_broker_count={brokers} is not a multiple of az_count={azs}")
        # By construction: the brokers go into one data subnet per AZ, and the module refuses a count
        # that is not a multiple of the number of those subnets.
        for tf, name, b in self.resources("aws_msk_cluster"):
            pre = [p for lc in b.get("lifecycle", []) for p in lc.get("precondition", [])]
            self.check("msk", any("%" in str(p.get("condition")) and "broker_count" in str(p.get("condition")) for p in pre), tf,
                       f"aws_msk_cluster.{name}: needs a precondition that broker_count is a multiple of the zone count")
            info = self.first(b, "broker_node_group_info") or {}
            self.check("msk", "client_subnet_ids" in str(info.get("client_subnets")), tf,
                       f"aws_msk_cluster.{name}: client_subnets must be the per-AZ subnet list the precondition counts")
        # SASL/SCRAM on: MSK accepts logins only from associated secrets named AmazonMSK_* and
        # encrypted with a customer-managed key (apply fails late otherwise; validate cannot see it).
        for tf, name, b in self.resources("aws_msk_cluster"):
            sasl = self.first(self.first(b, "client_authentication") or {}, "sasl") or {}
            if sasl.get("scram") is False or not self.set_(sasl.get("scram")):
                continue
            d = tf.parent
            secrets = {n: sb for stf, n, sb in self.resources("aws_secretsmanager_secret") if stf.parent == d}
            assoc = [ab for atf, _, ab in self.resources("aws_msk_scram_secret_association") if atf.parent == d]
            assoc += [ab for atf, _, ab in self.resources("aws_msk_single_scram_secret_association") if atf.parent == d]
            refs = " ".join(str(ab.get("secret_arn_list", "")) + str(ab.get("secret_arn", "")) for ab in assoc)
            linked = [n for n in secrets if f"aws_secretsmanager_secret.{n}." in refs]
            self.check("msk", bool(assoc) and bool(linked), tf,
                       f"aws_msk_cluster.{name}: SASL/SCRAM is on but no aws_secretsmanager_secret of this module is associated (aws_msk_scram_secret_association)")
            for n in linked:
                sb = secrets[n]
                named = str(sb.get("name") or sb.get("name_prefix") or "")
                self.check("msk", named.startswith("AmazonMSK_"), tf,
                           f"aws_secretsmanager_secret.{n}: an MSK SCRAM secret's name must start with AmazonMSK_")
                self.check("msk", self.is_expr(sb.get("kms_key_id")), tf,
                           f"aws_secretsmanager_secret.{n}: an MSK SCRAM secret needs a customer-managed kms_key_id")
        for tf, name, b in self.resources("aws_subnet"):
            if name == "data":
                self.check("msk", b.get("count") == "${local.az_count}", tf,
                           "aws_subnet.data: one data subnet per AZ (count = local.az_count), so the MSK zone count is the AZ count")
        platform = self.root / "modules" / "platform"
        for tf, name, body in self.modules_in(platform):
            if name == "msk":
                self.check("msk", body.get("client_subnet_ids") == "${module.network.data_subnet_ids}"
                           and body.get("broker_count") == "${var.sizing.kafka_broker_count}", tf,
                           "module msk must get the per-AZ data subnets and the validated broker count")

    def prod(self) -> None:
        tf, s = self.env_sizing("prod")
        self.check("prod", s.get("rds_multi_az") is True, tf, "prod: RDS must be Multi-AZ (rds_multi_az = true)")
        self.check("prod", s.get("deletion_protection") is True, tf, "prod: deletion protection must be on")
        self.check("prod", s.get("nat_gateway_count") == s.get("az_count") == 3, tf,
                   "prod: one NAT gateway per AZ over 3 AZs")
        self.check("prod", s.get("redis_automatic_failover") is True and (s.get("redis_num_cache_clusters") or 0) >= 2, tf,
                   "prod: ElastiCache automatic failover with a replica")
        self.check("prod", (s.get("rds_backup_retention_days") or 0) >= 14, tf, "prod: at least 14 days of RDS backups / PITR")
        # The values reach the resources unchanged.
        for env in ENVS:
            d = self.root / "envs" / env
            for mtf, name, body in self.modules_in(d):
                if name == "platform":
                    self.check("prod", body.get("sizing") == "${module.conventions.sizing}", mtf,
                               f"{env}: module platform must take the validated module.conventions.sizing")
        platform = self.root / "modules" / "platform"
        for mtf, name, body in self.modules_in(platform):
            if name == "rds":
                self.check("prod", body.get("multi_az") == "${var.sizing.rds_multi_az}", mtf, "module rds: Multi-AZ must come from sizing")
                self.check("prod", body.get("deletion_protection") == "${var.sizing.deletion_protection}", mtf,
                           "module rds: deletion protection must come from sizing")
            if name == "elasticache":
                self.check("prod", body.get("automatic_failover") == "${var.sizing.redis_automatic_failover}", mtf,
                           "module elasticache: failover must come from sizing")
            if name == "network":
                self.check("prod", body.get("nat_gateway_count") == "${var.sizing.nat_gateway_count}", mtf,
                           "module network: NAT count must come from sizing")
        for rtf, name, b in self.resources("aws_db_instance"):
            self.check("prod", b.get("multi_az") == "${var.multi_az}", rtf, f"aws_db_instance.{name}: multi_az must be var.multi_az (Multi-AZ)")
            self.check("prod", b.get("deletion_protection") == "${var.deletion_protection}", rtf,
                       f"aws_db_instance.{name}: deletion protection must be var.deletion_protection")
            self.check("prod", b.get("skip_final_snapshot") is False, rtf, f"aws_db_instance.{name}: a final snapshot must be taken")
            self.check("prod", b.get("backup_retention_period") not in (None, 0), rtf,
                       f"aws_db_instance.{name}: backups (and so PITR) must be on")

    def secrets(self) -> None:
        def walk(node, path, tf):
            if isinstance(node, dict):
                for k, v in node.items():
                    if SECRET_KEYS.match(str(k)) and isinstance(v, str) and not v.startswith("${"):
                        self.fail("secrets", tf, f"literal secret in {'.'.join(path + [k])}")
                    self.checked += 1
                    walk(v, path + [str(k)], tf)
            elif isinstance(node, list):
                for item in node:
                    walk(item, path, tf)

        for tf, rtype, name, body in self.all_resources():
            walk(body, [rtype, name], tf)
        for d, blocks in self.dirs.items():
            for tf, block in blocks.get("module", []):
                walk(block, ["module"], tf)
            for tf, block in blocks.get("variable", []):
                for vname, body in block.items():
                    if re.search(r"password|secret|token|api_key", vname):
                        self.check("secrets", "default" not in body and body.get("sensitive") is True, tf,
                                   f"variable {vname}: secret inputs need sensitive = true and no default")
        for tf, name, b in self.resources("aws_db_instance"):
            self.check("secrets", "password" not in b and b.get("manage_master_user_password") is True, tf,
                       f"aws_db_instance.{name}: the master password must be managed by RDS in Secrets Manager (secret)")
        for tf, text in self.raw.items():
            self.check("secrets", not re.search(r"AKIA[0-9A-Z]{16}", text), tf, "looks like an AWS access key id (secret)")

    def backend(self) -> None:
        for env in ENVS:
            d = self.root / "envs" / env
            backends = [b for tf, t in self.dirs.get(d, {}).get("terraform", []) for b in t.get("backend", [])]
            s3 = [b["s3"] for b in backends if "s3" in b]
            where = d / "versions.tf"
            self.check("backend", len(s3) == 1, where, f"{env}: needs exactly one S3 backend")
            for b in s3:
                self.check("backend", b.get("encrypt") is True, where, f"{env}: S3 backend must set encrypt = true")
                self.check("backend", b.get("use_lockfile") is True or self.set_(b.get("dynamodb_table")), where,
                           f"{env}: S3 backend must lock state (use_lockfile = true)")
                self.check("backend", env in str(b.get("key", "")), where, f"{env}: state key must name the environment")

    def pins(self) -> None:
        for d, blocks in self.dirs.items():
            if not (blocks.get("resource") or blocks.get("module") or blocks.get("output")):
                continue
            terraform = [t for _, t in blocks.get("terraform", [])]
            where = d / "versions.tf"
            self.check("pins", any(self.set_(t.get("required_version")) for t in terraform), where,
                       "terraform.required_version must be set")
            used = {t.split("_")[0] for _, t, _, _ in ((tf, t, n, b) for tf, bl in blocks.get("resource", []) for t, nb in bl.items() for n, b in nb.items())}
            used |= {t.split("_")[0] for _, bl in blocks.get("data", []) for t in bl}
            required = {}
            for t in terraform:
                for rp in t.get("required_providers", []):
                    required.update(rp)
            for provider in used - {"terraform"}:
                spec = self.first(required, provider) or {}
                self.check("pins", isinstance(spec, dict) and self.set_(spec.get("version")) and self.set_(spec.get("source")),
                           where, f"provider {provider} needs a source and a version constraint")

    def tags(self) -> None:
        for env in ENVS:
            d = self.root / "envs" / env
            providers = [p for _, p in self.dirs.get(d, {}).get("provider", [])]
            aws = [p["aws"] for p in providers if "aws" in p]
            self.check("tags", any(a.get("default_tags") for a in aws), d / "main.tf", f"{env}: provider aws needs default_tags")
            self.check("tags", any(self.set_(a.get("allowed_account_ids")) for a in aws), d / "main.tf",
                       f"{env}: provider aws needs allowed_account_ids")
        for tf, rtype, name, b in self.all_resources():
            if rtype in TAGGABLE and "modules" in tf.parts:
                self.check("tags", "tags" in b, tf, f"{rtype}.{name}: must set tags")

    def docs(self) -> None:
        for d, blocks in self.dirs.items():
            for tf, block in blocks.get("variable", []):
                for name, body in block.items():
                    self.check("docs", self.set_(body.get("description")), tf, f"variable {name} needs a description")
                    self.check("docs", self.set_(body.get("type")), tf, f"variable {name} needs a type")
            for tf, block in blocks.get("output", []):
                for name, body in block.items():
                    self.check("docs", self.set_(body.get("description")), tf, f"output {name} needs a description")
        for tf, name, b in self.resources("aws_cloudwatch_log_group"):
            self.check("docs", self.set_(b.get("retention_in_days")), tf, f"aws_cloudwatch_log_group.{name}: needs retention_in_days")

    def skips(self) -> None:
        for tf, text in self.raw.items():
            for m in re.finditer(r"checkov:skip=([A-Z0-9_]+)(:?)(.*)", text):
                self.check("skips", m.group(2) == ":" and len(m.group(3).strip()) >= 20, tf,
                           f"checkov skip {m.group(1)} must give a reason (checkov:skip=ID:reason)")

    def run(self) -> int:
        for rule in (self.encryption, self.public, self.msk, self.prod, self.secrets, self.backend, self.pins,
                     self.tags, self.docs, self.skips):
            rule()
        for v in self.violations:
            print(v)
        files = len(self.raw)
        print(f"tf_policy: {files} files, {self.checked} assertions, {len(self.violations)} violations")
        return 1 if self.violations else 0


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    root = Path(sys.argv[1]).resolve()
    return Policy(root).run()


if __name__ == "__main__":
    sys.exit(main())
