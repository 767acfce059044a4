// What the ingest benchmarks send and how: interval-major batches of meter readings (as a
// head-end system delivers them), posted by concurrent clients that retry 503s.
import { Agent, request } from 'node:http';
import type { TopologyFile } from '../src/domain/topology.ts';
import type { Reading } from '../src/domain/readings.ts';
import { roundTo } from '../src/domain/decimals.ts';
import { buildFleetModel } from '../src/simulator/fleet-model.ts';
import { baseKwh, intervalShape } from '../src/simulator/meter-values.ts';

/** The seed of every benchmark's fleet (topology and values). */
export const FLEET_SEED = 3;

export interface Row {
  meter_id: string;
  obis: string;
  interval_start: string;
  interval_s: number;
  value: number;
  unit: string;
}

/**
 * What the readings' values look like:
 * - `fleet` (the default): each meter's consumption from the simulator's load model, so a
 *   transformer's quarter-hours stay within its rating as in a real network, and the processor
 *   meets the steady state: few grid events;
 * - `storm`: 0.05-2.04 kWh a quarter-hour for every meter, about four times a household's
 *   demand, which overloads nine transformer quarter-hours in ten (an event for every 22
 *   readings or so): the processor's and store's cost of an event storm.
 */
export type ValueMode = 'fleet' | 'storm';

export function valueMode(arg: string | undefined): ValueMode {
  const mode = arg ?? 'fleet';
  if (mode !== 'fleet' && mode !== 'storm') throw new Error(`--values must be fleet or storm, got "${mode}"`);
  return mode;
}

/** Interval-major rows: every meter's reading of the first interval, then of the next... */
export function makeRows(topology: TopologyFile, intervals: number, t0: number, mode: ValueMode): Row[][] {
  const model = buildFleetModel(topology, FLEET_SEED);
  const perInterval: Row[][] = [];
  for (let i = 0; i < intervals; i++) {
    const start = new Date(t0 + i * 900_000).toISOString();
    const idx = Math.floor(t0 / 900_000) + i;
    const shape = intervalShape(idx);
    perInterval.push(
      model.meterIds.map((m, k) => ({
        meter_id: m,
        obis: '1-0:1.8.0',
        interval_start: start,
        interval_s: 900,
        // Watt-hours: a register's resolution.
        value:
          mode === 'fleet'
            ? roundTo(baseKwh(model, k, idx, shape), 3)
            : ((k * 31 + i * 17) % 200) / 100 + 0.05,
        unit: 'kWh',
      })),
    );
  }
  return perInterval;
}

/** A row as the reading ingest makes of it (received at `receivedAt`). */
export function rowReading(r: Row, receivedAt: number): Reading & { kind: 'meter' } {
  return {
    kind: 'meter',
    meterId: r.meter_id,
    obis: r.obis,
    intervalStart: Date.parse(r.interval_start),
    intervalSeconds: r.interval_s,
    value: r.value,
    unit: r.unit,
    quality: 0,
    receivedAt,
  };
}

/** One POST over a kept-alive connection; resolves to the status and the answer's text. */
function post(agent: Agent, url: URL, body: Buffer, key: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Posts every body (round-robin over `urls`), retrying 503s; resolves when all were acked.
 * The client shares the machine's two cores with what it measures, so it is kept light: the
 * bodies are encoded once, up front, and sent with node:http over kept-alive connections
 * (fetch() with a string body cost about 2.6 us of CPU per reading in bench/pipeline).
 */
export async function postAll(opts: {
  bodies: string[];
  batchSize: number;
  urls: string[];
  key: string;
  concurrency: number;
  log: (line: string) => void;
}): Promise<{ ackSeconds: number; retries: number }> {
  const encoded = opts.bodies.map((b) => Buffer.from(b));
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const started = performance.now();
  let next = 0;
  let sent = 0;
  let retries = 0;
  const client = async (c: number) => {
    const url = new URL('/v1/readings', opts.urls[c % opts.urls.length]!);
    while (next < encoded.length) {
      const body = encoded[next++]!;
      for (;;) {
        const res = await post(agent, url, body, opts.key);
        if (res.status === 202) break;
        if (res.status !== 503) throw new Error(`ingest answered ${res.status}: ${res.text.slice(0, 300)}`);
        retries++;
        await new Promise((r) => setTimeout(r, 100));
      }
      sent += opts.batchSize;
      if (sent % (opts.batchSize * 40) === 0)
        opts.log(`acked ${sent} readings, ${(sent / ((performance.now() - started) / 1000)).toFixed(0)}/s`);
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, (_, c) => client(c)));
  } finally {
    agent.destroy();
  }
  return { ackSeconds: (performance.now() - started) / 1000, retries };
}

/** The rows as request bodies of `batchSize` readings each (JSON arrays). */
export function toBodies(rows: readonly Row[], batchSize: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < rows.length; i += batchSize) bodies.push(JSON.stringify(rows.slice(i, i + batchSize)));
  return bodies;
}

/** Resolves once `lag` says every posted reading was processed, looking every `everyMs`. */
export async function untilDrained(lag: () => number | Promise<number>, everyMs = 20): Promise<void> {
  while ((await lag()) > 0) await new Promise((r) => setTimeout(r, everyMs));
}

/** Readings a run posts before the measured ones unless told otherwise (--warmup=N). */
export const DEFAULT_WARMUP = 200_000;

export function warmupCount(arg: string | undefined): number {
  const n = Number(arg ?? DEFAULT_WARMUP);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--warmup must be a count of readings (0 for none), got "${arg}"`);
  return n;
}

/**
 * Posts `count` readings of the intervals just before t0 and waits until `lag` says they were
 * processed; nothing of it is measured. A pipeline that has been running has its code compiled
 * by V8 (in every process and worker), its series known and their history read, which a cold
 * start pays for in its first readings: in bench/ingest a warm-up of 200,000 took the V8 helper
 * threads from 0.65-0.93 to 0.24-0.26 us of CPU per reading (3 pairs).
 */
export async function warmUp(opts: {
  topology: TopologyFile;
  count: number;
  t0: number;
  values: ValueMode;
  batchSize: number;
  urls: string[];
  key: string;
  concurrency: number;
  lag: () => number | Promise<number>;
  log: (line: string) => void;
}): Promise<void> {
  if (opts.count === 0) return;
  const intervals = Math.ceil(opts.count / opts.topology.meters.length);
  const rows = makeRows(opts.topology, intervals, opts.t0 - intervals * 900_000, opts.values)
    .flat()
    .slice(0, opts.count);
  const bodies = toBodies(rows, opts.batchSize);
  const started = performance.now();
  opts.log(`warm-up: ${rows.length} readings of the ${intervals} intervals before the measured ones`);
  await postAll({ ...opts, bodies, log: () => {} });
  await untilDrained(opts.lag);
  opts.log(`warm-up processed in ${((performance.now() - started) / 1000).toFixed(2)} s (not measured)`);
}
