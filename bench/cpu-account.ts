// CPU time per reading, per component, over a benchmark's measured window (Linux /proc only).
// Throughput on this 2-core machine is bound by the CPU every part of the pipeline needs per
// reading (ingest, bus, processor, engines and the load client all share the two cores), so a
// benchmark that reports where that CPU goes says what a speed-up would have to remove.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';

/** A named set of processes to account, found again at each snapshot (engines fork backends). */
export type Component = { name: string; pids: () => number[]; byThread?: boolean };

const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds of a /proc stat line (the command name may hold spaces): utime + stime, and with
 * `children` also cutime + cstime, the children it has reaped. A PostgreSQL server forks a
 * backend per connection, and one that ends inside the window (psql's) is only counted there.
 */
export function statSeconds(stat: string, children = false): { comm: string; seconds: number } {
  const close = stat.lastIndexOf(')');
  const f = stat
    .slice(close + 2)
    .split(' ')
    .map(Number);
  const ticks = f[11]! + f[12]! + (children ? f[13]! + f[14]! : 0);
  return { comm: stat.slice(stat.indexOf('(') + 1, close), seconds: ticks / TICKS_PER_S };
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread ended between listing and reading
  }
}

function threadIds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // the process ended
  }
}

/**
 * Thread names Node.js gives its threads, grouped: the event loop, worker_threads, V8's helper
 * threads (parallel and concurrent GC, background compilation), libuv's pool (fs, zlib).
 */
export function threadGroup(comm: string): string {
  if (comm === 'MainThread') return 'main';
  if (comm === 'WorkerThread') return 'workers';
  if (comm.startsWith('V8')) return 'v8-helpers';
  if (comm.startsWith('libuv')) return 'libuv';
  return 'other';
}

/** CPU seconds used so far by each process (and, with byThread, by each thread group). */
function snapshot(components: readonly Component[]): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string, s: number) => out.set(k, (out.get(k) ?? 0) + s);
  for (const c of components) {
    for (const pid of c.pids()) {
      if (!c.byThread) {
        const stat = readOr(`/proc/${pid}/stat`);
        // Keyed by pid too, so a process that started inside the window counts from zero.
        if (stat) add(`${c.name}\0${pid}`, statSeconds(stat, true).seconds);
        continue;
      }
      for (const tid of threadIds(pid)) {
        const stat = readOr(`/proc/${pid}/task/${tid}/stat`);
        if (!stat) continue;
        const { comm, seconds } = statSeconds(stat);
        add(`${c.name}/${threadGroup(comm)}\0${pid}/${tid}`, seconds);
      }
    }
  }
  return out;
}

/** Pids whose command line matches `re` (for engines started outside the benchmark). */
export function pidsMatching(re: RegExp): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = readOr(`/proc/${name}/cmdline`);
    if (cmdline && re.test(cmdline.replaceAll('\0', ' '))) out.push(Number(name));
  }
  return out;
}

export interface CpuReport {
  /** CPU microseconds per reading by component (and thread group), largest first. */
  perReadingUs: [string, number][];
  totalUs: number;
  /** Share of all cores busy with the accounted components over the window. */
  busy: number;
}

/** Starts a window now; `stop(readings)` ends it and divides the CPU used by `readings`. */
export function startCpuAccount(components: readonly Component[]): { stop(readings: number): CpuReport } {
  const before = snapshot(components);
  const started = performance.now();
  return {
    stop(readings) {
      const seconds = (performance.now() - started) / 1000;
      const after = snapshot(components);
      const used = new Map<string, number>();
      for (const [key, s] of after) {
        const name = key.slice(0, key.indexOf('\0'));
        used.set(name, (used.get(name) ?? 0) + s - (before.get(key) ?? 0));
      }
      const perReadingUs = [...used]
        .map(([name, s]): [string, number] => [name, (s * 1e6) / readings])
        .filter(([, us]) => us > 0)
        .sort((a, b) => b[1] - a[1]);
      const total = [...used.values()].reduce((a, s) => a + s, 0);
      return {
        perReadingUs,
        totalUs: (total * 1e6) / readings,
        busy: total / (seconds * cpus().length),
      };
    },
  };
}

/** The report as one log line: `total 36.1 us/reading (92 % of 2 cores): processor 19.8, ...`. */
export function describeCpu(r: CpuReport): string {
  const parts = r.perReadingUs.map(([name, us]) => `${name} ${us.toFixed(1)}`);
  return `CPU ${r.totalUs.toFixed(1)} us/reading (${(100 * r.busy).toFixed(0)} % of ${cpus().length} cores): ${parts.join(', ')}`;
}

/** The report as RESULT fields: cpu_us_per_reading, cpu_busy, and cpu_<component>_us each. */
export function cpuFields(r: CpuReport): Record<string, number> {
  const fields: Record<string, number> = { cpu_us_per_reading: r.totalUs, cpu_busy: r.busy };
  for (const [name, us] of r.perReadingUs) fields[`cpu_${name.replace(/[^a-z0-9]+/gi, '_')}_us`] = us;
  return fields;
}
