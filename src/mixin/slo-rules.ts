// Prometheus rules for one SLO: the SLI read from the raw series over short windows only (1-minute
// rates as the fine base, 5-minute ratios for the fastest short window), every longer window a sum
// of the recorded 1-minute rates (so Prometheus never reads raw series over hours or days),
// error-budget metadata, and multiwindow multi-burn-rate alerts with a tier label and a
// minimum-traffic guard.
import { formatDuration } from './durations.ts';
import { WINDOW_PLACEHOLDER, type BurnTier, type SliModel, type SloModel } from './openslo-model.ts';
import { runbookPath, type AlertRule, type RecordingRule, type RuleFile } from './rule-types.ts';

/** The short window read from raw series directly (page-fast's short window, current burn rate). */
export const BASE_WINDOW = '5m';
/** The fine base every longer window of an event SLI is summed from. */
export const FINE_WINDOW = '1m';
/** How much shorter than the window the range over 1-minute rates is (see fineRange). */
const FINE_EDGE_MS = 45_000;

/** `ingest-availability` -> `IngestAvailabilityBudgetBurn`. */
export function sloAlertName(slo: SloModel): string {
  return `${slo.name.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase())}BudgetBurn`;
}

/** Every window an SLO's rules need, shortest first (the base window included). */
export function sloWindows(slo: SloModel): string[] {
  return windowsMs(slo).map(formatDuration);
}

function windowsMs(slo: SloModel): number[] {
  const ms = new Set<number>([5 * 60_000, ...slo.tiers.flatMap((t) => [t.longMs, t.shortMs])]);
  return [...ms].sort((a, b) => a - b);
}

const num = (n: number) => String(Number(n.toPrecision(12)));

function sel(record: string, slo: SloModel): string {
  return `${record}{slo="${slo.name}"}`;
}

/**
 * The range of recorded 1-minute rates that adds up to `windowMs`, as a raw `rate(...[window])`
 * (Sloth's way) would read it. A rate recorded at t covers the minute before t; at 30 s scrapes
 * that is the one increment between its two samples, and a raw rate over a window reads the
 * window less one scrape interval. The window less 45 s holds, at a 30 s evaluation interval, the
 * 119 rates of the same 119 increments (for 1h); at 1 m, the hour's 60 rates; in promtool's 5 m
 * steps, 12 sampled ones. No evaluation falls on its edge, so a closed (Prometheus 2) and a
 * left-open (Prometheus 3) range read the same samples.
 */
function fineRange(windowMs: number): string {
  return formatDuration(windowMs - FINE_EDGE_MS);
}

/** The SLI's bad and total events of one window, read from the raw series. */
function eventQueries(
  sli: Extract<SliModel, { type: 'events' }>,
  window: string,
): { bad: string; total: string } {
  const w = (q: string) => q.split(WINDOW_PLACEHOLDER).join(window);
  const total = `sum(${w(sli.total)})`;
  // `or vector(0)`: a bad-request counter that never moved has no series, yet means zero errors.
  const bad = sli.bad
    ? `sum(${w(sli.bad)}) or on() vector(0)`
    : `${total} - (sum(${w(sli.good ?? '')}) or on() vector(0))`;
  return { bad, total };
}

function baseRules(slo: SloModel): RecordingRule[] {
  if (slo.sli.type === 'events') {
    const fine = eventQueries(slo.sli, FINE_WINDOW);
    return [
      { record: `slo:sli_bad:rate${FINE_WINDOW}`, expr: fine.bad },
      { record: `slo:sli_total:rate${FINE_WINDOW}`, expr: fine.total },
    ];
  }
  // Samples: each evaluation is one occurrence, bad in proportion to the sample (0..1).
  return [
    { record: 'slo:sli_bad:sample', expr: slo.sli.badSample },
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

/** `range`: the range over the 1-minute rates; the period's budget needs no exact edge. */
function ratio(slo: SloModel, windowMs: number, range = fineRange(windowMs)): RecordingRule {
  const window = formatDuration(windowMs);
  const record = `slo:sli_error:ratio_rate${window}`;
  if (slo.sli.type === 'samples') {
    if (window === BASE_WINDOW)
      return { record, expr: `${sel('slo:sli_bad:rate5m', slo)} / ${sel('slo:sli_total:rate5m', slo)}` };
    // A sample SLI averages its per-evaluation badness directly: as cheap (one series) and without
    // the 2.5-minute lag that averaging 5-minute averages would add.
    return { record, expr: `avg_over_time(${sel('slo:sli_bad:sample', slo)}[${window}])` };
  }
  if (window === BASE_WINDOW) {
    // The fastest short window straight from the raw series, fresh at every evaluation.
    const q = eventQueries(slo.sli, BASE_WINDOW);
    return { record, expr: `(${q.bad})\n/\n${q.total}` };
  }
  // A sum of 1-minute rates over the window is the window's events (times a constant that the
  // ratio cancels): exact, unlike an average of overlapping 5-minute ratios, which lags 2.5 min.
  return {
    record,
    expr: `sum_over_time(${sel(`slo:sli_bad:rate${FINE_WINDOW}`, slo)}[${range}])\n/ sum_over_time(${sel(`slo:sli_total:rate${FINE_WINDOW}`, slo)}[${range}])`,
  };
}

function tierAlert(slo: SloModel, t: BurnTier): AlertRule {
  const budget = 1 - slo.objective;
  const long = formatDuration(t.longMs);
  const short = formatDuration(t.shortMs);
  const limit = `(${num(t.burnRate)} * ${num(budget)})`;
  const guard =
    slo.sli.type === 'events' && slo.minEvents > 0
      ? `\nand avg_over_time(${sel(`slo:sli_total:rate${FINE_WINDOW}`, slo)}[${fineRange(t.longMs)}]) * ${t.longMs / 1000} >= ${slo.minEvents}`
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
          ...windowsMs(slo).map((w) => withLabels(ratio(slo, w))),
          ...meta.map(withLabels),
          ...slo.tiers.map((t) => tierAlert(slo, t)),
        ],
      },
      {
        // The whole period reads weeks of samples; every 5 minutes is often enough for a budget.
        name: `slo-${slo.name}-period`,
        interval: '5m',
        rules: [
          ratio(slo, slo.periodMs, period),
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
