// Prometheus rules for one SLO: 5-minute SLI rates read from the raw series, every longer window
// derived from those (so Prometheus never reads raw series over days), error-budget metadata, and
// multiwindow multi-burn-rate alerts with a tier label and a minimum-traffic guard.
import { formatDuration } from './durations.ts';
import { WINDOW_PLACEHOLDER, type BurnTier, type SloModel } from './openslo-model.ts';
import { runbookPath, type AlertRule, type RecordingRule, type RuleFile } from './rule-types.ts';

export const BASE_WINDOW = '5m';

/** `ingest-availability` -> `IngestAvailabilityBudgetBurn`. */
export function sloAlertName(slo: SloModel): string {
  return `${slo.name.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase())}BudgetBurn`;
}

/** Every window an SLO's rules need, shortest first (the base window included). */
export function sloWindows(slo: SloModel): string[] {
  const ms = new Set<number>([5 * 60_000, ...slo.tiers.flatMap((t) => [t.longMs, t.shortMs])]);
  return [...ms].sort((a, b) => a - b).map(formatDuration);
}

const num = (n: number) => String(Number(n.toPrecision(12)));

function sel(record: string, slo: SloModel): string {
  return `${record}{slo="${slo.name}"}`;
}

function baseRules(slo: SloModel): RecordingRule[] {
  const w = (q: string) => q.split(WINDOW_PLACEHOLDER).join(BASE_WINDOW);
  const { sli } = slo;
  if (sli.type === 'events') {
    // `or vector(0)`: a bad-request counter that never moved has no series, yet means zero errors.
    const bad = sli.bad
      ? `sum(${w(sli.bad)}) or on() vector(0)`
      : `sum(${w(sli.total)}) - (sum(${w(sli.good ?? '')}) or on() vector(0))`;
    return [
      { record: 'slo:sli_bad:rate5m', expr: bad },
      { record: 'slo:sli_total:rate5m', expr: `sum(${w(sli.total)})` },
    ];
  }
  // Samples: each evaluation is one occurrence, bad in proportion to the sample (0..1).
  return [
    { record: 'slo:sli_bad:sample', expr: sli.badSample },
    {
      record: 'slo:sli_bad:rate5m',
      expr: `avg_over_time(${sel('slo:sli_bad:sample', slo)}[${BASE_WINDOW}])`,
    },
    {
      record: 'slo:sli_total:rate5m',
      expr: `count_over_time(${sel('slo:sli_bad:sample', slo)}[${BASE_WINDOW}]) > bool 0`,
    },
  ];
}

function ratio(slo: SloModel, window: string): RecordingRule {
  const record = `slo:sli_error:ratio_rate${window}`;
  if (window === BASE_WINDOW)
    return { record, expr: `${sel('slo:sli_bad:rate5m', slo)} / ${sel('slo:sli_total:rate5m', slo)}` };
  // A sample SLI averages its per-evaluation badness directly: as cheap (one series) and without
  // the 2.5-minute lag that averaging 5-minute averages would add.
  if (slo.sli.type === 'samples')
    return { record, expr: `avg_over_time(${sel('slo:sli_bad:sample', slo)}[${window}])` };
  return {
    record,
    expr: `sum_over_time(${sel('slo:sli_bad:rate5m', slo)}[${window}])\n/ sum_over_time(${sel('slo:sli_total:rate5m', slo)}[${window}])`,
  };
}

function tierAlert(slo: SloModel, t: BurnTier): AlertRule {
  const budget = 1 - slo.objective;
  const long = formatDuration(t.longMs);
  const short = formatDuration(t.shortMs);
  const limit = `(${num(t.burnRate)} * ${num(budget)})`;
  const guard =
    slo.sli.type === 'events' && slo.minEvents > 0
      ? `\nand avg_over_time(${sel('slo:sli_total:rate5m', slo)}[${long}]) * ${t.longMs / 1000} >= ${slo.minEvents}`
      : '';
  const period = formatDuration(slo.periodMs);
  const alert = sloAlertName(slo);
  return {
    alert,
    expr: `${sel(`slo:sli_error:ratio_rate${long}`, slo)} > ${limit}\nand ${sel(`slo:sli_error:ratio_rate${short}`, slo)} > ${limit}${guard}`,
    ...(t.forMs ? { for: formatDuration(t.forMs) } : {}),
    labels: {
      severity: t.severity === 'page' ? 'critical' : 'warning',
      tier: t.name,
      long_window: long,
      short_window: short,
    },
    annotations: {
      summary: `${slo.displayName}: error budget burn rate above ${num(t.burnRate)}x`,
      description:
        `Over both the last ${long} and ${short}, more than ${num(t.burnRate * budget * 100)}% of ${slo.name} events were bad ` +
        `(objective ${num(slo.objective * 100)}% over ${period}). At ${num(t.burnRate)}x the whole ${period} budget lasts ` +
        `${formatDuration(slo.periodMs / t.burnRate)}.`,
      runbook_url: runbookPath(alert),
    },
  };
}

/** The rule file of one SLO: SLI rates, window ratios, budget metadata and burn-rate alerts. */
export function sloRuleFile(slo: SloModel): RuleFile {
  const labels = { slo: slo.name, service: slo.service };
  const withLabels = (r: RecordingRule): RecordingRule => ({ ...r, labels });
  const period = formatDuration(slo.periodMs);
  const budget = num(1 - slo.objective);
  const meta: RecordingRule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${num(slo.objective)})` },
    { record: 'slo:error_budget:ratio', expr: `vector(${budget})` },
    { record: 'slo:time_period:days', expr: `vector(${num(slo.periodMs / 86_400_000)})` },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `${sel('slo:sli_error:ratio_rate5m', slo)} / on(slo, service) ${sel('slo:error_budget:ratio', slo)}`,
    },
  ];
  return {
    groups: [
      {
        name: `slo-${slo.name}`,
        rules: [
          ...baseRules(slo).map(withLabels),
          ...sloWindows(slo).map((w) => withLabels(ratio(slo, w))),
          ...meta.map(withLabels),
          ...slo.tiers.map((t) => tierAlert(slo, t)),
        ],
      },
      {
        // The whole period reads weeks of samples; every 5 minutes is often enough for a budget.
        name: `slo-${slo.name}-period`,
        interval: '5m',
        rules: [
          ratio(slo, period),
          {
            record: 'slo:period_burn_rate:ratio',
            expr: `${sel(`slo:sli_error:ratio_rate${period}`, slo)} / on(slo, service) ${sel('slo:error_budget:ratio', slo)}`,
          },
          {
            record: 'slo:period_error_budget_remaining:ratio',
            expr: `1 - ${sel('slo:period_burn_rate:ratio', slo)}`,
          },
        ].map(withLabels),
      },
    ],
  };
}
