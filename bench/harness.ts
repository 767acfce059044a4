// The project's benchmark harness: every benchmark measures its own baseline in the same run,
// reports ratios, and ends with one machine-readable line `RESULT <name> key=value ...`.
import { readFileSync } from 'node:fs';
import type { GridopsProcess } from '../test/support/gridops-process.ts';

export interface Bench {
  name: string;
  summary: string;
  run(args: Record<string, string>, log: (line: string) => void): Promise<Record<string, number | string>>;
}

export function resultLine(name: string, fields: Record<string, number | string>): string {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`);
  return `RESULT ${name} ${parts.join(' ')}`;
}

/**
 * One result from several runs of a benchmark: the median of each numeric field (of an even
 * count, the mean of the middle two), and the first run's value of any other. On a shared
 * 2-core machine one run can be off by 20 % either way, so a figure worth quoting is a median.
 */
export function medianFields(
  runs: readonly Record<string, number | string>[],
): Record<string, number | string> {
  if (runs.length === 0) throw new Error('no runs to summarise');
  const out: Record<string, number | string> = {};
  for (const key of Object.keys(runs[0]!)) {
    const values = runs.map((r) => r[key]);
    if (!values.every((v) => typeof v === 'number')) {
      out[key] = runs[0]![key]!;
      continue;
    }
    const sorted = (values as number[]).sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    out[key] = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
  return out;
}

/**
 * A baseline measured before and after the run it is set against: the machine's speed drifts
 * (the same COPY has ranged 160-250k rows/s from one minute to the next here), so a ratio to
 * one measurement taken before the run can be off by that much. `perS` is the mean of the
 * two; `drift` is how much the second differs from the first (0.1: 10 % faster after).
 */
export function bracketed(before: number, after: number): { perS: number; drift: number } {
  return { perS: (before + after) / 2, drift: after / before - 1 };
}

/** The log line of a bracketed baseline. */
export function describeBracket(what: string, before: number, after: number, unit: string): string {
  const { perS, drift } = bracketed(before, after);
  const pct = `${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)} %`;
  return `${what} ${before.toFixed(0)} ${unit} before the run, ${after.toFixed(0)} after (${pct}): ratios use the mean, ${perS.toFixed(0)}`;
}

function round(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

/** Peak resident set size (VmHWM) of a process, in MB; Linux only. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${a}; use --key=value`);
    out[m[1]!] = m[2] ?? 'true';
  }
  return out;
}

/** The text of a gridops process's /metrics (every non-health endpoint needs the API key). */
export async function scrapeMetrics(url: string, key: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  return res.text();
}

/** The value of the first sample of `metric` (any labels) in /metrics text; NaN when absent. */
export function sampleValue(text: string, metric: string): number {
  const m = new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** The sum of every sample of a metric, whatever its labels (0 when it has none yet). */
export function sampleSum(text: string, metric: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** Prints what the processes logged at warn level or worse, so a slow run explains itself. */
export function logProblems(procs: GridopsProcess[], log: (l: string) => void): void {
  for (const p of procs) {
    const problems = p
      .stdout()
      .split('\n')
      .filter((l) => /"level":"(warn|error|fatal)"/.test(l));
    if (problems.length === 0) continue;
    log(`${p.url} logged ${problems.length} warnings or errors; the first ones:`);
    for (const l of problems.slice(0, 5)) log(`  ${l.slice(0, 400)}`);
  }
}
