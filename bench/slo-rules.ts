// `npm run bench -- slo-rules`: the same OpenSLO SLOs compiled by `gridops slo generate` and by
// Sloth; counts the recording rules and the series (and samples) each makes Prometheus read per
// evaluation cycle, and checks with promtool that both alert in the same scenarios (healthy, an
// incident at 20x the error budget) and that ours is at least as fast: in every such scenario,
// our first page and first ticket come no later than Sloth's (same input series, same 5-minute
// evaluation interval, each file's groups evaluated in file order). The low-traffic scenario is
// reported apart: ours holds back the page there on purpose (minimum-traffic guard).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bench } from './harness.ts';
import { loadSlos } from '../src/mixin/compile.ts';
import { formatDuration } from '../src/mixin/durations.ts';
import { sloAlertName, sloRuleFile } from '../src/mixin/slo-rules.ts';
import { SLO_TEST_STEP, sloTestCases } from '../src/mixin/slo-tests.ts';
import type { SeriesInput } from '../src/mixin/rule-types.ts';
import { cost, firstFiring, type Firing } from './slo-rules-measure.ts';
import { slothAlertName, slothBinary, slothLongestWindowMs, slothRules } from './slo-rules-sloth.ts';

const SPAN_MS = 8 * 3_600_000;

/** The scenario's series as `instances` replicas would export them (same load split across them). */
function replicate(inputs: SeriesInput[], instances: number): SeriesInput[] {
  return Array.from({ length: instances }, (_v, k) =>
    inputs.map((i) => ({
      ...i,
      series: i.series.replace('instance="127.0.0.1:8080"', `instance="gridops-${k}"`),
    })),
  ).flat();
}

const show = (f: Firing) =>
  `page ${f.page === undefined ? '-' : formatDuration(f.page)}, ticket ${f.ticket === undefined ? '-' : formatDuration(f.ticket)}`;
const sameKinds = (a: Firing, b: Firing) =>
  (a.page === undefined) === (b.page === undefined) && (a.ticket === undefined) === (b.ticket === undefined);
const notSlower = (a: Firing, b: Firing) =>
  (a.page ?? Infinity) <= (b.page ?? Infinity) && (a.ticket ?? Infinity) <= (b.ticket ?? Infinity);

export const sloRulesBench: Bench = {
  name: 'slo-rules',
  summary: 'gridops slo generate vs Sloth: recording rules, series read per cycle, same alerts (promtool).',
  async run(args, log) {
    const instances = Number(args.instances ?? 4);
    const sloth = slothBinary(log);
    const dir = resolve('.bench/slo-rules');
    mkdirSync(dir, { recursive: true });
    const { slos, errors } = loadSlos('monitoring');
    if (errors.length > 0) throw new Error('the OpenSLO specs are invalid: run gridops slo validate');
    const totals = {
      oursRules: 0,
      slothRules: 0,
      oursSeries: 0,
      slothSeries: 0,
      oursRaw: 0,
      slothRaw: 0,
      oursSamples: 0,
      slothSamples: 0,
    };
    let same = true;
    let faster = true;
    let guardDiffers = 0;
    let compared = 0;
    for (const slo of slos) {
      const ours = { file: resolve(`monitoring/compiled/slo-${slo.name}.yaml`), rules: sloRuleFile(slo) };
      const theirs = slothRules(sloth, slo, dir);
      // The healthy history covers the longest window of either rule set (Sloth reads 3d for a
      // 28-day SLO where ours reads 2d19h12m): a window reaching back before the first sample
      // reads a higher error ratio and would fire early for want of data, not by design.
      const cases = sloTestCases(slo, slothLongestWindowMs(theirs.rules, slo.periodMs));
      const inputs = replicate(cases[1]?.input_series ?? [], instances);
      const a = cost(ours.rules, inputs);
      const b = cost(theirs.rules, inputs);
      totals.oursRules += a.recordingRules;
      totals.slothRules += b.recordingRules;
      totals.oursSeries += a.series;
      totals.slothSeries += b.series;
      totals.oursRaw += a.rawSeries;
      totals.slothRaw += b.rawSeries;
      totals.oursSamples += a.samples;
      totals.slothSamples += b.samples;
      const n = (x: number) => String(Math.round(x * 10) / 10);
      log(
        `${slo.name}: recording rules ${a.recordingRules} vs ${b.recordingRules}, series per 30 s ${n(a.series)} vs ${n(b.series)} ` +
          `(raw ${n(a.rawSeries)} vs ${n(b.rawSeries)}), samples ${Math.round(a.samples)} vs ${Math.round(b.samples)}`,
      );
      for (const [i, c] of cases.entries()) {
        const o = firstFiring(ours.file, c, sloAlertName(slo), SLO_TEST_STEP, SPAN_MS, dir);
        const s = firstFiring(theirs.file, c, slothAlertName(slo), SLO_TEST_STEP, SPAN_MS, dir);
        const lowTraffic = i === 2;
        const agree = sameKinds(o, s) && notSlower(o, s);
        if (lowTraffic && !agree) guardDiffers++;
        if (!lowTraffic) {
          compared++;
          same &&= sameKinds(o, s);
          faster &&= notSlower(o, s);
        }
        const note = lowTraffic
          ? ' (low traffic: ours is guarded)'
          : !sameKinds(o, s)
            ? ' <- DIFFERENT ALERTS'
            : !notSlower(o, s)
              ? ' <- OURS SLOWER'
              : '';
        log(`  ${c.name ?? `case ${i}`}\n    ours:  ${show(o)}\n    sloth: ${show(s)}${note}`);
      }
    }
    return {
      ours_series: totals.oursSeries,
      sloth_series: totals.slothSeries,
      same_alerts: String(same),
      ours_at_least_as_fast: String(faster),
      ours_rules: totals.oursRules,
      sloth_rules: totals.slothRules,
      ours_raw_series: totals.oursRaw,
      sloth_raw_series: totals.slothRaw,
      ours_samples: totals.oursSamples,
      sloth_samples: totals.slothSamples,
      scenarios_compared: compared,
      low_traffic_scenarios_held_back: guardDiffers,
      instances,
    };
  },
};
