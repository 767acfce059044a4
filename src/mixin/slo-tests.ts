// Generated promtool tests for every SLO: a healthy run stays quiet and reports a full budget; an
// incident (20x the budget's error ratio, or a full outage for a gauge that is only in or out)
// after a healthy history fires each burn tier no later than its detection time (burn rate x
// budget x long window / error ratio) and none before it; a low-traffic outage is held back by
// the minimum-traffic guard.
import { formatDuration, MINUTE } from './durations.ts';
import type { BurnTier, SloModel } from './openslo-model.ts';
import { SLO_FIXTURES, type Phase } from './slo-fixtures.ts';
import { sloAlertName, sloRuleFile } from './slo-rules.ts';
import { isAlertRule, type AlertRule, type ExpAlert, type PromtoolTestCase } from './rule-types.ts';

/** Evaluation step of the generated tests: coarse enough to replay three days quickly. */
export const SLO_TEST_STEP = 5 * MINUTE;
const TRAFFIC = 1000;
/** The incident's error ratio in budgets: above the fastest tier's 14.4, so every tier fires. */
const INCIDENT_BURN = 20;

const num = (n: number) => String(Number(n.toPrecision(6)));
const minutes = (ms: number) => Math.ceil(ms / MINUTE);
const at = (ms: number) => formatDuration(Math.ceil(ms / SLO_TEST_STEP) * SLO_TEST_STEP);

/** When a full outage starting at 0 certainly fires the tier, and until when it certainly cannot. */
function detection(slo: SloModel, t: BurnTier, errorRatio: number): { quietUntil: number; firesBy: number } {
  const needed = (t.burnRate * (1 - slo.objective) * t.longMs) / errorRatio;
  // An event SLI's windows are exact sums of 1-minute rates, so the tier fires at the first
  // evaluation after `needed` (its short window needs a twelfth of that), then waits `for`: a
  // window that lags behind a raw rate over it fails here. A sample SLI's average over a closed
  // range also holds the sample just before the window: 5m more.
  const firstAfter = (Math.floor(needed / SLO_TEST_STEP) + 1) * SLO_TEST_STEP;
  return {
    firesBy: (slo.sli.type === 'events' ? firstAfter : needed + 5 * MINUTE + SLO_TEST_STEP) + (t.forMs ?? 0),
    quietUntil: needed,
  };
}

function expected(slo: SloModel, tiers: BurnTier[]): ExpAlert[] {
  const rules = sloRuleFile(slo)
    .groups.flatMap((g) => g.rules)
    .filter(isAlertRule);
  return tiers.map((t) => {
    const rule = rules.find((r) => r.labels.tier === t.name) as AlertRule;
    return {
      exp_labels: { ...rule.labels, slo: slo.name, service: slo.service },
      exp_annotations: rule.annotations,
    };
  });
}

const sel = (record: string, slo: SloModel) => `${record}{slo="${slo.name}",service="${slo.service}"}`;

/**
 * `lookbackMs`: the longest window the rules under test read (default: this SLO's longest tier
 * window). The healthy history before the incident covers it, so no window reaches back before
 * the first sample (a window over less data than its length reads a higher error ratio).
 */
export function sloTestCases(slo: SloModel, lookbackMs = 0): PromtoolTestCase[] {
  const fixture = SLO_FIXTURES[slo.name];
  if (!fixture) throw new Error(`SLO ${slo.name} has no test fixture in src/mixin/slo-fixtures.ts`);
  const alertname = sloAlertName(slo);
  const errorRatio = fixture.partial ? Math.min(1, INCIDENT_BURN * (1 - slo.objective)) : 1;
  const detect = (t: BurnTier) => detection(slo, t, errorRatio);
  // Whole test steps, so the outage starts exactly on an evaluation.
  const steps = (ms: number) => Math.ceil(ms / SLO_TEST_STEP) * minutes(SLO_TEST_STEP);
  const history = steps(Math.max(lookbackMs, ...slo.tiers.map((t) => t.longMs)) + 30 * MINUTE);
  const outage = minutes(Math.max(SLO_TEST_STEP, ...slo.tiers.map((t) => detect(t).firesBy))) + 30;
  const end = (history + outage) * MINUTE;
  const labels = `slo="${slo.name}",service="${slo.service}"`;
  const cases: PromtoolTestCase[] = [];

  const healthy: Phase[] = [{ minutes: history + outage, perMinute: TRAFFIC, errorRatio: 0 }];
  cases.push({
    name: `${slo.name}: healthy, no alert and the whole budget left`,
    interval: '1m',
    input_series: fixture.series(healthy),
    alert_rule_test: [{ eval_time: at(end), alertname, exp_alerts: [] }],
    promql_expr_test: [
      ['slo:objective:ratio', slo.objective],
      ['slo:error_budget:ratio', Number((1 - slo.objective).toPrecision(12))],
      ['slo:time_period:days', slo.periodMs / 86_400_000],
      ['slo:current_burn_rate:ratio', 0],
      ['slo:period_burn_rate:ratio', 0],
      ['slo:period_error_budget_remaining:ratio', 1],
    ].map(([record, value]) => ({
      expr: sel(record as string, slo),
      eval_time: at(end),
      exp_samples: [{ labels: `${record as string}{${labels}}`, value: value as number }],
    })),
  });

  const broken: Phase[] = [
    { minutes: history, perMinute: TRAFFIC, errorRatio: 0 },
    { minutes: outage, perMinute: TRAFFIC, errorRatio },
  ];
  const start = history * MINUTE;
  // Check at each tier's last surely-quiet step and first surely-firing step; at each, every tier
  // must be surely quiet or surely firing, or the check is left out.
  const times = slo.tiers.flatMap((t) => {
    const d = detect(t);
    return [Math.floor(d.quietUntil / SLO_TEST_STEP), Math.ceil(d.firesBy / SLO_TEST_STEP)];
  });
  const tests = [...new Set(times)]
    .filter((n) => n > 0)
    .sort((a, b) => a - b)
    .flatMap((n) => {
      const when = n * SLO_TEST_STEP;
      const state = slo.tiers.map((t) => {
        const d = detect(t);
        return d.firesBy <= when ? 'firing' : d.quietUntil >= when ? 'quiet' : 'unsure';
      });
      if (state.includes('unsure')) return [];
      const firing = slo.tiers.filter((_t, i) => state[i] === 'firing');
      return [{ eval_time: at(start + when), alertname, exp_alerts: expected(slo, firing) }];
    });
  cases.push({
    name: `${slo.name}: ${num(errorRatio * 100)}% errors after ${formatDuration(start)} fire each tier by its detection time`,
    interval: '1m',
    input_series: fixture.series(broken),
    alert_rule_test: tests,
    promql_expr_test: [
      {
        expr: `round(${sel('slo:current_burn_rate:ratio', slo)})`,
        eval_time: at(end),
        exp_samples: [{ labels: `{${labels}}`, value: Math.round(errorRatio / (1 - slo.objective)) }],
      },
    ],
  });

  if (slo.sli.type === 'events' && slo.minEvents > 0) {
    // A quiet night: too little traffic for any page tier's long window (the slowest page tier,
    // else the fastest tier) to hold minEvents events, so a full outage must not page.
    const held = slo.tiers.filter((t) => t.severity === 'page').at(-1) ?? slo.tiers[0];
    if (held) {
      // A power of two, so promtool's counter sums are exact (an inexact sum can read as a reset).
      const perMinute = 2 ** Math.floor(Math.log2(slo.minEvents / minutes(held.longMs) / 2));
      const quiet: Phase[] = broken.map((p) => ({ ...p, perMinute, errorRatio: p.errorRatio > 0 ? 1 : 0 }));
      const guarded = slo.tiers.filter((t) => perMinute * minutes(t.longMs) >= slo.minEvents);
      cases.push({
        name: `${slo.name}: outage at ${perMinute} events/min is held back where the long window has under ${slo.minEvents} events`,
        interval: '1m',
        input_series: fixture.series(quiet),
        alert_rule_test: [{ eval_time: at(end), alertname, exp_alerts: expected(slo, guarded) }],
      });
    }
  }
  return cases;
}
