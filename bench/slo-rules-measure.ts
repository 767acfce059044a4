// Measurements for bench/slo-rules: what a rule set makes Prometheus read per evaluation cycle
// (series selected and samples read, for given input series), and when its alerts first fire in a
// promtool scenario (real promtool, parsed from its report of unexpected alerts).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { join, basename } from 'node:path';
import { formatDuration, parseDuration } from '../src/mixin/durations.ts';
import { toYaml } from '../src/mixin/compile.ts';
import { metricNames } from '../src/mixin/promql-names.ts';
import type { PromtoolTestCase, RuleFile, SeriesInput } from '../src/mixin/rule-types.ts';

interface Series {
  name: string;
  labels: Record<string, string>;
}

function parseSeries(text: string): Series {
  const m = /^([A-Za-z_:][\w:]*)\{(.*)\}$/.exec(text.trim()) ?? [text, text.trim(), ''];
  const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
  return { name: m[1] as string, labels };
}

function matches(s: Series, matchers: string): boolean {
  return [...matchers.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].every(([, l, op, v]) => {
    const have = s.labels[l as string] ?? '';
    const re = new RegExp(`^(?:${v})$`);
    return op === '=' ? have === v : op === '!=' ? have !== v : op === '=~' ? re.test(have) : !re.test(have);
  });
}

export interface Cost {
  recordingRules: number;
  /** Series selected per 30 s evaluation cycle (raw and recorded; slower groups pro rata). */
  series: number;
  /** Of those, raw series (what the program exports). */
  rawSeries: number;
  /** Samples read per cycle: series x window / interval (instant selectors read one). */
  samples: number;
}

/** The cost of one cycle of `rules` over `inputs`; every recorded series counts as one. */
export function cost(rules: RuleFile, inputs: SeriesInput[], intervalMs = 30_000): Cost {
  const raw = inputs.map((i) => parseSeries(i.series));
  const all = rules.groups.flatMap((g) => g.rules);
  const recorded = new Set(all.flatMap((r) => ('record' in r ? [r.record] : [])));
  const c: Cost = {
    recordingRules: all.filter((r) => 'record' in r).length,
    series: 0,
    rawSeries: 0,
    samples: 0,
  };
  // Per 30 s of wall time: a group evaluated every 5 minutes costs a tenth per cycle.
  const weighted = rules.groups.flatMap((g) =>
    g.rules.map((rule) => ({ rule, weight: intervalMs / (parseDuration(g.interval ?? '') ?? intervalMs) })),
  );
  for (const { rule, weight } of weighted) {
    for (const name of metricNames(rule.expr)) {
      const re = new RegExp(`(?<![\\w:])${name}(?![\\w:])(\\{[^}]*\\})?(\\[[^\\]]+\\])?`, 'g');
      for (const m of rule.expr.matchAll(re)) {
        const n = recorded.has(name)
          ? 1
          : raw.filter((s) => s.name === name && matches(s, m[1] ?? '')).length;
        const window = m[2]
          ? (parseDuration(m[2].slice(1, -1).split(':')[0] ?? '') ?? intervalMs)
          : intervalMs;
        c.series += n * weight;
        if (!recorded.has(name)) c.rawSeries += n * weight;
        c.samples += n * weight * Math.max(1, Math.round(window / intervalMs));
      }
    }
  }
  return c;
}

/** The groups of a rule file in file order (Sloth and ours list recordings before alerts). */
function groupOrder(ruleFile: string): string[] {
  return (parse(readFileSync(ruleFile, 'utf8')) as RuleFile).groups.map((g) => g.name);
}

export interface Firing {
  /** First evaluation (ms into the scenario) at which a page / ticket alert fired, if any. */
  page?: number;
  ticket?: number;
}

/**
 * Runs `testCase`'s input through promtool, expecting no alert `alertname` at every step of the
 * last `spanMs`; the failures promtool reports are the alerts that did fire, and when.
 */
export function firstFiring(
  ruleFile: string,
  testCase: PromtoolTestCase,
  alertname: string,
  stepMs: number,
  spanMs: number,
  dir: string,
): Firing {
  const end = Math.max(...(testCase.alert_rule_test ?? []).map((a) => parseDuration(a.eval_time) ?? 0));
  const checks = [];
  for (let t = Math.max(stepMs, end - spanMs); t <= end; t += stepMs) {
    checks.push({ eval_time: formatDuration(t), alertname, exp_alerts: [] });
  }
  const file = join(dir, `${basename(ruleFile, '.yaml')}-${alertname}-${checks.length}.test.yaml`);
  writeFileSync(
    file,
    toYaml({
      rule_files: [ruleFile],
      evaluation_interval: formatDuration(stepMs),
      // promtool evaluates the groups of a file in random order unless told: recording groups
      // listed first, so alerts read this evaluation's records, not the last one's (5 min old).
      group_eval_order: groupOrder(ruleFile),
      tests: [{ interval: testCase.interval, input_series: testCase.input_series, alert_rule_test: checks }],
    }),
  );
  const out = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  const text = `${out.stdout}${out.stderr}`;
  const blocks = text.split(/alertname: /).slice(1);
  // Quiet (exit 0) or failed only on alerts that fired: anything else (a rule file that does not
  // load, a bad expression) would otherwise read as "never fires" and pass as the same alerts.
  if (
    out.status !== 0 &&
    (blocks.length === 0 || /could not|error|parse/i.test(text.split(/alertname: /)[0] ?? ''))
  )
    throw new Error(`promtool test rules ${file} failed without alert results:\n${text.slice(0, 2000)}`);
  const firing: Firing = {};
  // Each failure block: "alertname: X, time: 3d1h, ... got:[ ... Labels:{...severity="critical"...} ]".
  for (const block of blocks) {
    const t = parseDuration(/time: (\S+?),/.exec(block)?.[1] ?? '');
    if (t === undefined) continue;
    for (const labels of block.matchAll(/Labels:\{([^}]*)\}/g)) {
      const l = labels[1] ?? '';
      const kind = /severity="critical"|sloth_severity="page"/.test(l) ? 'page' : 'ticket';
      firing[kind] = Math.min(firing[kind] ?? Infinity, t);
    }
  }
  return firing;
}
