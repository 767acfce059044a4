// The shapes the mixin compiles: alert specs written in TypeScript (each with the promtool cases
// that prove it), and the Prometheus rule and promtool test files they become.

export type Severity = 'critical' | 'warning' | 'info' | 'none';

/** One input series of a promtool test, in promtool's expanding notation (`0+10x30`). */
export interface SeriesInput {
  series: string;
  values: string;
}

export interface AlertCase {
  /** Evaluation time of the assertion, e.g. `10m`. */
  at: string;
  series: SeriesInput[];
  /** Labels the alert must carry beyond severity and service (e.g. job, instance). */
  labels?: Record<string, string>;
  /** The rendered summary/description when their templates use $value or $labels. */
  summary?: string;
  description?: string;
}

export interface AlertSpec {
  alert: string;
  expr: string;
  for?: string;
  severity: Severity;
  labels?: Record<string, string>;
  /** Go templates, as Prometheus renders them. */
  summary: string;
  description: string;
  /**
   * Proof that it fires (with the expected labels and annotations) and that it stays quiet;
   * only the always-firing Watchdog has no quiet case.
   */
  test: { fires: AlertCase; quiet?: Omit<AlertCase, 'labels' | 'summary' | 'description'> };
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertRule | RecordingRule;

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

export interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations?: Record<string, string>;
}

export interface PromtoolTestCase {
  name?: string;
  interval: string;
  input_series: SeriesInput[];
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts: ExpAlert[] }[];
  promql_expr_test?: {
    expr: string;
    eval_time: string;
    exp_samples: { labels: string; value: number }[];
  }[];
}

export interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: PromtoolTestCase[];
}

export function isAlertRule(rule: Rule): rule is AlertRule {
  return 'alert' in rule;
}

/** Where every alert's runbook lives, relative to the repository root. */
export function runbookPath(alert: string): string {
  return `monitoring/runbooks/${alert}.md`;
}
