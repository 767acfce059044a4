// bench/ingest: readings/s from HTTP batches to durable ack, and to processed rollups, through
// the real `gridops run` process on the embedded adapters; against the baseline of appending
// the same rows with node:sqlite into an unindexed table, 1,000 rows per transaction, measured
// before and after the run (the ratios use the mean of the two, see bracketed). The measured
// readings follow a warm-up (--warmup, see warmUp), so they measure a running pipeline.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startGridops, waitReady } from '../test/support/gridops-process.ts';
import { generateFleet, writeTopology } from '../src/simulator/index.ts';
import {
  bracketed,
  describeBracket,
  logProblems,
  peakRssMb,
  sampleSum,
  sampleValue,
  scrapeMetrics,
  type Bench,
} from './harness.ts';
import {
  FLEET_SEED,
  makeRows,
  postAll,
  toBodies,
  untilDrained,
  valueMode,
  warmUp,
  warmupCount,
  type Row,
} from './batches.ts';
import { cpuFields, describeCpu, startCpuAccount } from './cpu-account.ts';

function baseline(rows: Row[], dir: string, file: string): number {
  const db = new DatabaseSync(join(dir, file));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
  db.exec(
    'CREATE TABLE readings (meter_id TEXT, obis TEXT, interval_start INTEGER, interval_s INTEGER, value REAL, unit TEXT, quality INTEGER, received_at INTEGER)',
  );
  const insert = db.prepare('INSERT INTO readings VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  // Timestamps are parsed before the clock starts: the baseline is the storage write alone
  // (parsing inside the loop made it 4-30 % slower, and every ratio that much higher).
  const starts = rows.map((r) => Date.parse(r.interval_start));
  const started = performance.now();
  const now = Date.now();
  for (let i = 0; i < rows.length; i += 1000) {
    db.exec('BEGIN');
    for (let j = i; j < Math.min(i + 1000, rows.length); j++) {
      const r = rows[j]!;
      insert.run(r.meter_id, r.obis, starts[j]!, r.interval_s, r.value, r.unit, 0, now);
    }
    db.exec('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return rows.length / seconds;
}

/**
 * The ingest process's event-loop delay under the load (prom-client's gauges, since start): while
 * the loop is blocked, no request (a health probe, a scrape) is answered.
 */
async function eventLoopDelay(url: string, key: string): Promise<{ p99: number; max: number }> {
  const text = await scrapeMetrics(url, key);
  const ms = (name: string) => sampleValue(text, `smartgrid_nodejs_eventloop_lag_${name}_seconds`) * 1000;
  return { p99: ms('p99'), max: ms('max') };
}

export const ingestBench: Bench = {
  name: 'ingest',
  summary:
    'HTTP batches -> durable ack -> processed rollups, vs node:sqlite appends (--readings=1000000 --warmup=200000 --meters=10000 --batch=5000 --concurrency=4 --values=fleet|storm)',
  async run(args, log) {
    const meters = Number(args.meters ?? 10_000);
    const total = Number(args.readings ?? 1_000_000);
    const warmup = warmupCount(args.warmup);
    const batchSize = Number(args.batch ?? 5000);
    const concurrency = Number(args.concurrency ?? 4);
    const values = valueMode(args.values);
    const dir = mkdtempSync(join(tmpdir(), 'gridops-bench-'));
    mkdirSync(join(dir, 'data'));
    const topology = generateFleet({ meters, seed: FLEET_SEED });
    writeTopology(join(dir, 'data', 'topology.json'), topology);
    const t0 = Date.UTC(2026, 0, 1);
    const makeAll = () =>
      makeRows(topology, Math.ceil(total / meters), t0, values)
        .flat()
        .slice(0, total);
    const rows = makeAll();
    log(`measuring the baseline: ${rows.length} rows appended in transactions of 1000`);
    const baselineBefore = baseline(rows, dir, 'baseline-before.db');
    log(`baseline ${baselineBefore.toFixed(0)} rows/s (measured again after the run)`);

    const bodies = toBodies(rows, batchSize);
    rows.length = 0;
    const key = 'bench-key';
    const g = await startGridops(['run'], {
      GRIDOPS_DATA_DIR: join(dir, 'data'),
      GRIDOPS_API_KEYS: key,
      GRIDOPS_PORT: '0',
      GRIDOPS_LOG_LEVEL: 'warn',
    });
    await waitReady(g);
    const bus = new DatabaseSync(join(dir, 'data', 'bus.db'), { readOnly: true });
    const lagStmt =
      bus.prepare(`SELECT COALESCE(SUM(h.next_offset - COALESCE(o.next_offset, 0)), 0) AS lag FROM bus_head h
      LEFT JOIN bus_offsets o ON o.partition = h.partition AND o.grp = 'processor'`);
    const lag = () => (lagStmt.get() as { lag: number }).lag;
    try {
      await warmUp({
        topology,
        count: warmup,
        t0,
        values,
        batchSize,
        urls: [g.url],
        key,
        concurrency,
        lag,
        log,
      });
      // Also starts the event-loop delay gauges afresh (prom-client resets them at each scrape).
      const eventsBefore = sampleSum(await scrapeMetrics(g.url, key), 'smartgrid_processor_events_total');
      let run: Record<string, number>;
      try {
        log(
          `posting ${bodies.length} batches of ${batchSize} with ${concurrency} concurrent clients to ${g.url}`,
        );
        const cpu = startCpuAccount([
          { name: 'gridops', pids: () => [g.proc.pid!], byThread: true },
          { name: 'client', pids: () => [process.pid] },
        ]);
        const started = performance.now();
        const { ackSeconds, retries } = await postAll({
          bodies,
          batchSize,
          urls: [g.url],
          key,
          concurrency,
          log,
        });
        const acked = bodies.length * batchSize;
        const eventLoop = await eventLoopDelay(g.url, key);
        // What the processor still had to do when the last batch was acknowledged, and how fast it
        // did it with ingest idle: tells whether ingest or the processor bounds processed_per_s.
        const backlog = lag();
        const ackedAt = performance.now();
        await untilDrained(lag);
        const processedSeconds = (performance.now() - started) / 1000;
        const drainSeconds = (performance.now() - ackedAt) / 1000;
        const cpuReport = cpu.stop(Math.min(total, acked));
        const events =
          sampleSum(await scrapeMetrics(g.url, key), 'smartgrid_processor_events_total') - eventsBefore;
        const rss = peakRssMb(g.proc.pid!);
        logProblems([g], log);
        log(
          `acked in ${ackSeconds.toFixed(2)} s, processed in ${processedSeconds.toFixed(2)} s, ${retries} back-pressure retries`,
        );
        log(`${backlog} readings still to process at the last ack, done in ${drainSeconds.toFixed(2)} s`);
        log(describeCpu(cpuReport));
        log(`${events} grid events raised`);
        run = {
          readings: Math.min(total, acked),
          readings_per_s: Math.min(total, acked) / ackSeconds,
          processed_per_s: Math.min(total, acked) / processedSeconds,
          backlog_at_ack: backlog,
          drain_per_s: backlog > 0 ? backlog / drainSeconds : 0,
          event_loop_p99_ms: eventLoop.p99,
          event_loop_max_ms: eventLoop.max,
          peak_rss_mb: rss,
          events,
          ...cpuFields(cpuReport),
        };
      } finally {
        bus.close();
        g.proc.kill('SIGTERM');
        await g.exited;
      }
      // The same appends again, with gridops stopped: the machine's speed during the run lies
      // between the two (see bracketed).
      const baselineAfter = baseline(makeAll(), dir, 'baseline-after.db');
      log(describeBracket('baseline', baselineBefore, baselineAfter, 'rows/s'));
      const { perS, drift } = bracketed(baselineBefore, baselineAfter);
      const { readings, readings_per_s, processed_per_s, ...rest } = run;
      return {
        readings: readings!,
        readings_per_s: readings_per_s!,
        processed_per_s: processed_per_s!,
        baseline_per_s: perS,
        ratio: readings_per_s! / perS,
        processed_ratio: processed_per_s! / perS,
        ...rest,
        baseline_before_per_s: baselineBefore,
        baseline_after_per_s: baselineAfter,
        baseline_drift: drift,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
