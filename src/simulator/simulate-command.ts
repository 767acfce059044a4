// `gridops simulate`: the synthetic fleet as a CLI, sending to a running server (or printing
// NDJSON with --dry-run). The server can load the --topology-out file, or regenerate the same
// fleet from the same seed and meter count.
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import type { CommandContext, CommandSpec } from '../cli/command.ts';
import type { TopologyFile } from '../domain/topology.ts';
import type { FaultKind, FaultRecord } from './faults.ts';
import { generateFleet } from './fleet.ts';
import { createHttpSink, HttpSinkError, type HttpSink } from './http-sink.ts';
import { runSimulation, type Progress, type Sink } from './run-simulation.ts';
import { parseSimulateOptions } from './simulate-options.ts';
import type { WireItem } from './wire.ts';

/** Writes the topology JSON atomically (temp file + rename), so a server never reads half a file. */
export function writeTopology(path: string, topology: TopologyFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(topology, null, 2)}\n`);
  renameSync(tmp, path);
}

/** NDJSON to a stream, waiting for drain so a slow pipe throttles the simulator. */
export function ndjsonSink(out: NodeJS.WritableStream): Sink {
  return async (items: WireItem[]) => {
    let chunk = '';
    for (const item of items) chunk += `${JSON.stringify(item)}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
  };
}

export function formatProgress(p: Progress): string {
  const of = p.total !== undefined ? `/${p.total}` : '';
  return `simulate: ${p.phase} sent ${p.sent}${of} items, ${p.ratePerS} items/s, sim ${p.simTime}, ${p.elapsedS}s`;
}

function summarize(journal: FaultRecord[]): string {
  const counts = new Map<FaultKind, number>();
  for (const r of journal) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  return counts.size === 0 ? 'none' : [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

async function run(ctx: CommandContext): Promise<number> {
  const o = parseSimulateOptions(ctx.values, ctx.env);
  const topology = generateFleet({ meters: o.meters, seed: o.seed });
  if (o.topologyOut) {
    writeTopology(o.topologyOut, topology);
    ctx.stderr.write(`simulate: wrote topology of ${topology.meters.length} meters to ${o.topologyOut}\n`);
  }
  if (o.journalOut) writeFileSync(o.journalOut, '');
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let httpSink: HttpSink | undefined;
  let sink: Sink;
  if (o.dryRun) {
    sink = ndjsonSink(ctx.stdout);
  } else {
    httpSink = createHttpSink({
      url: o.url,
      apiKey: o.apiKey!,
      gzip: o.gzip,
      signal: controller.signal,
      onRetry: (r) => ctx.stderr.write(`simulate: retry ${r.attempt} in ${r.delayMs} ms (${r.reason})\n`),
    });
    sink = httpSink;
  }
  let lastLine = 0;
  try {
    const result = await runSimulation(
      {
        meters: o.meters,
        seed: o.seed,
        topology,
        backfillHours: o.backfillHours,
        speed: o.speed,
        durationS: o.durationS,
        batchSize: o.batchSize,
        faults: o.faults,
      },
      sink,
      {
        signal: controller.signal,
        onProgress: (p) => {
          // Live ticks can come many times a second at high speeds: one line a second is plenty.
          if (p.phase === 'live' && Date.now() - lastLine < 1000) return;
          lastLine = Date.now();
          ctx.stderr.write(`${formatProgress(p)}\n`);
        },
        onFault: o.journalOut ? (r) => appendFileSync(o.journalOut!, `${JSON.stringify(r)}\n`) : undefined,
      },
    );
    const retried = httpSink ? `, ${httpSink.stats.retriedBatches} retried` : '';
    ctx.stderr.write(
      `simulate: done (${result.stoppedBy}): ${result.sent} items in ${result.batches} batches${retried}; ` +
        `faults: ${summarize(result.journal)}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof HttpSinkError) {
      ctx.stderr.write(`simulate: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}

export const simulateCommand: CommandSpec = {
  name: 'simulate',
  summary: 'Run a seeded synthetic meter fleet against the ingest API',
  usage: 'gridops simulate [options]',
  options: {
    url: { type: 'string', description: 'Base URL of the ingest API', default: 'http://127.0.0.1:8080' },
    'api-key': { type: 'string', description: 'API key (default: env GRIDOPS_API_KEY)' },
    meters: { type: 'string', description: 'Meters in the fleet', default: '1000' },
    seed: {
      type: 'string',
      description: 'Seed: same seed and meters, same fleet and readings',
      default: '42',
    },
    'backfill-hours': {
      type: 'string',
      description: 'Hours of history sent first, as fast as accepted',
      default: '24',
    },
    speed: { type: 'string', description: 'Simulated seconds per real second in live mode', default: '1' },
    duration: {
      type: 'string',
      description: 'Seconds of live mode (0: backfill only; default: until Ctrl-C)',
    },
    'batch-size': { type: 'string', description: 'Items per POST', default: '5000' },
    faults: { type: 'string', description: 'Faults to inject: comma list, all or none', default: 'none' },
    'topology-out': { type: 'string', description: 'Write the fleet topology JSON to this file' },
    'journal-out': { type: 'string', description: 'Append each injected fault as NDJSON to this file' },
    gzip: { type: 'boolean', description: 'gzip request bodies', default: false },
    'dry-run': {
      type: 'boolean',
      description: 'Print items as NDJSON on stdout instead of sending',
      default: false,
    },
  },
  epilog: [
    'Faults: gaps, spikes, negative, duplicates, clock-skew, outage, theft, voltage-sag, frozen, overload.',
    'With --dry-run and no --duration only the backfill is printed.',
    'With --speed above 1, live timestamps run ahead of the wall clock.',
    'Example: gridops simulate --meters 5000 --speed 60 --faults all --topology-out data/topology.json',
  ].join('\n'),
  run,
};
