// Drives a fleet into a sink: first a backfill of history as fast as the sink accepts, then
// live, one sensor tick per simulated minute and the meters' readings at every 15-minute
// boundary. Time is injectable (now, sleep) so tests run hours of simulated time instantly.
import { setImmediate as yieldToLoop, setTimeout as sleepMs } from 'node:timers/promises';
import { bucketStart } from '../domain/readings.ts';
import type { TopologyFile } from '../domain/topology.ts';
import type { FaultKind, FaultRecord } from './faults.ts';
import { FleetSimulator } from './fleet-simulator.ts';
import { generateFleet, type FleetOptions } from './fleet.ts';
import { INTERVAL_MS, type WireItem } from './wire.ts';

export type Sink = (items: WireItem[]) => Promise<void>;

export interface SimulationOptions extends FleetOptions {
  /** Simulate this grid instead of generating one (fleet layout options are then ignored). */
  topology?: TopologyFile;
  /** Hours of history sent before going live; default 24. */
  backfillHours?: number;
  /** Simulated seconds per real second in live mode; default 1. */
  speed?: number;
  /** Real milliseconds per simulated 15-minute interval; overrides `speed`. */
  intervalMs?: number;
  /** Wall-clock seconds of live mode; 0 = backfill only; default: until aborted. */
  durationS?: number;
  /** Items per sink call; default 5000. */
  batchSize?: number;
  faults?: readonly FaultKind[];
  faultRates?: Partial<Record<FaultKind, number>>;
  /** Fault records kept in the result's journal (hooks.onFault sees every one); default 100 000. */
  journalLimit?: number;
  /** Wall clock, epoch ms; default Date.now. */
  now?: () => number;
  /** Waits `ms` (rejecting or resolving early on abort); default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Simulated "now" at the start (epoch ms); default the wall clock. Backfill ends at the
   * 15-minute boundary before it and live continues from there. With speed > 1 simulated time
   * runs ahead of the wall clock; starting in the past (now - durationS * speed * 1000) keeps
   * a bounded demo from sending future timestamps.
   */
  startMs?: number;
}

export interface Progress {
  phase: 'backfill' | 'live';
  /** Items the sink accepted so far (both phases). */
  sent: number;
  /** Backfill only: the expected item count (faults make the real one differ slightly). */
  total?: number;
  /** Items per second in the current phase. */
  ratePerS: number;
  /** Seconds since the run started. */
  elapsedS: number;
  /** Simulated time reached, ISO-8601. */
  simTime: string;
}

export interface SimulationHooks {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  onFault?: (record: FaultRecord) => void;
}

export interface SimulationResult {
  topology: TopologyFile;
  journal: FaultRecord[];
  sent: number;
  batches: number;
  stoppedBy: 'duration' | 'abort';
}

const PROGRESS_EVERY_MS = 2000;

function check(name: string, value: number | undefined, ok: (v: number) => boolean, what: string): void {
  if (value !== undefined && !(Number.isFinite(value) && ok(value))) {
    throw new RangeError(`${name} must be ${what}`);
  }
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepMs(ms, undefined, { signal }).catch(() => undefined);
}

export async function runSimulation(
  opts: SimulationOptions,
  sink: Sink,
  hooks: SimulationHooks = {},
): Promise<SimulationResult> {
  check('backfillHours', opts.backfillHours, (v) => v >= 0, 'a number >= 0');
  check('speed', opts.speed, (v) => v > 0, 'a number > 0');
  check('intervalMs', opts.intervalMs, (v) => v > 0, 'a number > 0');
  check('durationS', opts.durationS, (v) => v >= 0, 'a number >= 0');
  check('batchSize', opts.batchSize, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const { signal, onProgress } = hooks;
  const batchSize = opts.batchSize ?? 5000;
  const speed = opts.intervalMs !== undefined ? INTERVAL_MS / opts.intervalMs : (opts.speed ?? 1);
  const topology = opts.topology ?? generateFleet(opts);
  const sim = new FleetSimulator(topology, {
    seed: opts.seed,
    faults: opts.faults ?? [],
    faultRates: opts.faultRates ?? {},
    onFault: hooks.onFault,
    journalLimit: opts.journalLimit,
  });
  // Simulated time runs `speed` times the wall clock from this anchor; at speed 1 it is the
  // wall clock, so the meters' reading for 12:00-12:15 goes out at 12:15 as real ones would.
  const wallStart = now();
  const simAnchor = opts.startMs ?? wallStart;
  const simStart = bucketStart(simAnchor, INTERVAL_MS);
  const runStarted = performance.now();
  let sent = 0;
  let batches = 0;
  let phaseSent = 0;
  let phaseStarted = runStarted;
  let simTime = simStart;

  const report = (phase: Progress['phase'], total?: number): void => {
    if (!onProgress) return;
    const t = performance.now();
    const p: Progress = {
      phase,
      sent,
      ratePerS: Math.round(phaseSent / Math.max(0.001, (t - phaseStarted) / 1000)),
      elapsedS: Math.round((t - runStarted) / 100) / 10,
      simTime: new Date(simTime).toISOString(),
    };
    if (total !== undefined) p.total = total;
    onProgress(p);
  };
  const send = async (items: WireItem[]): Promise<void> => {
    for (let i = 0; i < items.length && !signal?.aborted; i += batchSize) {
      const batch = items.slice(i, i + batchSize);
      try {
        await sink(batch);
      } catch (err) {
        if (signal?.aborted) return; // a sink cut short by the abort is a stop, not a failure
        throw err;
      }
      sent += batch.length;
      phaseSent += batch.length;
      batches++;
    }
  };

  // Backfill: history up to the boundary, in big batches.
  const firstIdx = simStart / INTERVAL_MS - Math.round((opts.backfillHours ?? 24) * 4);
  const endIdx = simStart / INTERVAL_MS;
  const total = (endIdx - firstIdx) * (topology.meters.length + topology.sensors.length);
  const timer = setInterval(() => report('backfill', total), PROGRESS_EVERY_MS).unref();
  try {
    let buffer: WireItem[] = [];
    let lastReport = performance.now();
    for (let idx = firstIdx; idx < endIdx && !signal?.aborted; idx++) {
      simTime = idx * INTERVAL_MS;
      for (const item of sim.backfillItems(idx, Math.max(simStart, now()))) buffer.push(item);
      if (buffer.length < batchSize) continue;
      const full = buffer.length - (buffer.length % batchSize);
      const ready = buffer.slice(0, full);
      buffer = buffer.slice(full);
      await send(ready);
      if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = performance.now();
        report('backfill', total);
      }
      // A sink that resolves at once must not starve the event loop (in-process demo).
      await yieldToLoop();
    }
    simTime = simStart;
    await send(buffer);
  } finally {
    clearInterval(timer);
  }
  if (endIdx > firstIdx) report('backfill', total);

  // Live: one tick per simulated minute; `due` maps simulated time back to the wall clock.
  // Ticks already due (the minutes since the boundary, or time the backfill took) go at once.
  let stoppedBy: SimulationResult['stoppedBy'] = 'duration';
  const liveEnd = opts.durationS === undefined ? Infinity : now() + opts.durationS * 1000;
  phaseSent = 0;
  phaseStarted = performance.now();
  for (let e = simStart; opts.durationS !== 0; e += 60_000) {
    if (signal?.aborted) break;
    const due = wallStart + (e - simAnchor) / speed;
    if (due > liveEnd) break;
    const wait = due - now();
    if (wait > 0) await sleep(wait, signal);
    if (signal?.aborted) break;
    simTime = e;
    const items: WireItem[] =
      e > simStart && e % INTERVAL_MS === 0 ? sim.meterItems(e / INTERVAL_MS - 1, Math.max(e, now())) : [];
    for (const item of sim.sensorItems(e)) items.push(item);
    await send(items);
    report('live');
  }
  if (signal?.aborted) stoppedBy = 'abort';
  return { topology, journal: sim.journal, sent, batches, stoppedBy };
}
