// Sloth's side of bench/slo-rules: the same SLOs as Sloth specs, Sloth built from the Go module
// proxy (`go install`), and its generated rules.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { toYaml } from '../src/mixin/compile.ts';
import { parseDuration } from '../src/mixin/durations.ts';
import { WINDOW_PLACEHOLDER, type SloModel } from '../src/mixin/openslo-model.ts';
import type { RuleFile } from '../src/mixin/rule-types.ts';

export const SLOTH_VERSION = 'v0.16.0';

/** Builds sloth into .bench/bin once (a few minutes on two cores) and returns its path. */
export function slothBinary(log: (line: string) => void): string {
  const bin = resolve('.bench/bin/sloth');
  if (existsSync(bin)) return bin;
  log(`building sloth ${SLOTH_VERSION} with go install (once; cached in .bench/bin)`);
  mkdirSync(resolve('.bench/bin'), { recursive: true });
  const r = spawnSync('go', ['install', `github.com/slok/sloth/cmd/sloth@${SLOTH_VERSION}`], {
    env: { ...process.env, GOBIN: resolve('.bench/bin') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !existsSync(bin)) throw new Error('go install of sloth failed (is Go installed?)');
  return bin;
}

const slothWindow = (q: string) => q.split(WINDOW_PLACEHOLDER).join('{{.window}}');

/** The SLI as Sloth expresses it: event queries, or a raw error ratio over the window. */
function slothSli(slo: SloModel): Record<string, unknown> {
  const { sli } = slo;
  if (sli.type === 'samples') {
    // Sloth has no per-evaluation occurrences; the closest is the average badness over the window.
    return { raw: { error_ratio_query: `avg_over_time((${sli.badSample})[{{.window}}:])` } };
  }
  const total = `sum(${slothWindow(sli.total)})`;
  const error = sli.bad
    ? `(sum(${slothWindow(sli.bad)}) or on() vector(0))`
    : `(${total} - (sum(${slothWindow(sli.good ?? '')}) or on() vector(0)))`;
  return { events: { error_query: error, total_query: total } };
}

export function slothAlertName(slo: SloModel): string {
  return `Sloth${slo.name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}`;
}

export function slothSpec(slo: SloModel): string {
  const pages = slo.tiers.some((t) => t.severity === 'page');
  const tickets = slo.tiers.some((t) => t.severity === 'ticket');
  return toYaml({
    version: 'prometheus/v1',
    service: slo.service,
    slos: [
      {
        name: slo.name,
        objective: Number((slo.objective * 100).toPrecision(12)),
        sli: slothSli(slo),
        alerting: {
          name: slothAlertName(slo),
          page_alert: pages ? {} : { disable: true },
          ticket_alert: tickets ? {} : { disable: true },
        },
      },
    ],
  });
}

/** Sloth's rules for one SLO (its period must be one Sloth knows: 28d or 30d). */
export function slothRules(sloth: string, slo: SloModel, dir: string): { file: string; rules: RuleFile } {
  const spec = join(dir, `${slo.name}.sloth.yaml`);
  const out = join(dir, `${slo.name}.sloth-rules.yaml`);
  writeFileSync(spec, slothSpec(slo));
  const days = Math.round(slo.periodMs / 86_400_000);
  execFileSync(sloth, ['generate', '-i', spec, '-o', out, `--default-slo-period=${days}d`], {
    stdio: 'pipe',
  });
  return { file: out, rules: parse(readFileSync(out, 'utf8')) as RuleFile };
}

/** The longest window Sloth's SLI recording rules read, the whole-period one left out. */
export function slothLongestWindowMs(rules: RuleFile, periodMs: number): number {
  const windows = rules.groups
    .flatMap((g) => g.rules)
    .flatMap((r) => ('record' in r && r.labels?.sloth_window ? [parseDuration(r.labels.sloth_window)] : []))
    .filter((ms): ms is number => ms !== undefined && ms < periodMs);
  return Math.max(0, ...windows);
}
