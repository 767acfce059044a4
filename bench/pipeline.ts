// bench/pipeline: readings/s from HTTP through Kafka and the processor into PostgreSQL, with
// `gridops run --target=...` processes on the real engines of scripts/services; against, in the
// same run, the raw speed of COPYing the same rows into the same (partitioned, indexed) table.
// Also the ingest (producer) rate against Kafka's own kafka-producer-perf-test from the same jars
// (both baselines: pipeline-baselines.ts).
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGridops, waitReady, type GridopsProcess } from '../test/support/gridops-process.ts';
import { pgSchema } from '../test/support/engines.ts';
import { generateFleet, writeTopology } from '../src/simulator/index.ts';
import { encodeReading } from '../src/adapters/bus/reading-codec.ts';
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
import { BENCH_KEY, benchProducer, need, realColumnEnv } from './engines.ts';
import {
  FLEET_SEED,
  makeRows,
  postAll,
  rowReading,
  toBodies,
  untilDrained,
  valueMode,
  warmUp,
  warmupCount,
} from './batches.ts';
import { cpuFields, describeCpu, pidsMatching, startCpuAccount } from './cpu-account.ts';
import { copyBaseline, kafkaPerf, POSTGRES } from './pipeline-baselines.ts';

/** The broker's JVM (scripts/services/lib/kafka.sh runs kafka.Kafka). */
const KAFKA = /java .*kafka\.Kafka/;

/**
 * How many batches the processors committed (their batch-duration histogram's count), and how
 * many grid events they raised.
 */
async function processorCounts(
  procs: GridopsProcess[],
  key: string,
): Promise<{ batches: number; events: number }> {
  let batches = 0;
  let events = 0;
  for (const p of procs) {
    const text = await scrapeMetrics(p.url, key);
    const n = sampleValue(text, 'smartgrid_processor_batch_duration_seconds_count');
    if (!Number.isInteger(n)) throw new Error(`no batch count in the metrics of ${p.url}`);
    batches += n;
    events += sampleSum(text, 'smartgrid_processor_events_total');
  }
  return { batches, events };
}

/**
 * Seconds the processes' main threads spent in garbage collection since they started (their
 * GC-duration histograms; worker threads are not in it).
 */
async function gcSeconds(procs: GridopsProcess[], key: string): Promise<number> {
  let seconds = 0;
  for (const p of procs)
    seconds += sampleSum(await scrapeMetrics(p.url, key), 'smartgrid_nodejs_gc_duration_seconds_sum');
  return seconds;
}

export const pipelineBench: Bench = {
  name: 'pipeline',
  summary:
    'HTTP -> Kafka -> processor -> PostgreSQL vs COPY into the same table (--readings=1000000 --warmup=200000 --meters=5000 --ingest=1 --processors=1 --values=fleet|storm)',
  async run(args, log) {
    const brokers = need('GRIDOPS_KAFKA_BROKERS');
    const baseUrl = need('GRIDOPS_POSTGRES_URL');
    const meters = Number(args.meters ?? 5000);
    // A million, like bench/ingest, after a warm-up (see warmUp): a cold pipeline's first
    // 300,000 or so readings pay start-up costs a running one does not (JIT compilation in each
    // process and worker, every series' history loaded from PostgreSQL once, new partitions).
    // Measured without a warm-up: 300,000 readings 39-53k readings/s; 1,000,000 readings 59-62k
    // readings/s with about 10 % less CPU per reading.
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
    const rows = makeRows(topology, Math.ceil(total / meters), t0, values)
      .flat()
      .slice(0, total);
    const copy = await copyBaseline(baseUrl, rows, dir, log);
    log(`COPY ${copy.perS.toFixed(0)} rows/s, PostgreSQL CPU ${copy.postgresUs.toFixed(1)} us/row`);
    const sample = rows.slice(0, 1000).map((r) => encodeReading(rowReading(r, Date.now())));
    const recordSize = Math.round(sample.reduce((a, v) => a + v.length, 0) / sample.length);
    const perfBefore = await kafkaPerf(brokers, total, recordSize, log);
    log(
      `kafka-producer-perf-test ${perfBefore.toFixed(0)} records/s (both baselines measured again after the run)`,
    );

    const bodies = toBodies(rows, batchSize);
    const schema = await pgSchema(baseUrl);
    const topic = `gridops.bench.pipeline.${Date.now()}`;
    const key = BENCH_KEY;
    const env = realColumnEnv({ dataDir: join(dir, 'data'), brokers, topic, postgresUrl: schema.url });
    const procs: GridopsProcess[] = [];
    try {
      let run: Record<string, number>;
      const producer = await benchProducer(brokers, topic);
      try {
        const processors: GridopsProcess[] = [];
        for (let i = 0; i < Number(args.processors ?? 1); i++)
          processors.push(await startGridops(['run', '--target=processor'], env, 60_000));
        procs.push(...processors);
        const ingest: GridopsProcess[] = [];
        for (let i = 0; i < Number(args.ingest ?? 1); i++)
          ingest.push(await startGridops(['run', '--target=ingest'], env, 60_000));
        procs.push(...ingest);
        for (const p of procs) await waitReady(p);
        const lag = () => producer.lag(`${topic}.processor`);
        const urls = ingest.map((g) => g.url);
        await warmUp({ topology, count: warmup, t0, values, batchSize, urls, key, concurrency, lag, log });
        const countsBefore = await processorCounts(processors, key);
        const gcBefore = await gcSeconds(ingest, key);
        log(
          `posting ${bodies.length} batches of ${batchSize} with ${concurrency} clients to ${ingest.length} ingest replica(s)`,
        );
        const cpu = startCpuAccount([
          { name: 'processor', pids: () => processors.map((p) => p.proc.pid!), byThread: true },
          { name: 'ingest', pids: () => ingest.map((p) => p.proc.pid!), byThread: true },
          { name: 'postgres', pids: () => pidsMatching(POSTGRES) },
          { name: 'kafka', pids: () => pidsMatching(KAFKA) },
          { name: 'client', pids: () => [process.pid] },
        ]);
        const started = performance.now();
        const { ackSeconds, retries } = await postAll({
          bodies,
          batchSize,
          urls,
          key,
          concurrency,
          log,
        });
        await untilDrained(lag, 50);
        const processedSeconds = (performance.now() - started) / 1000;
        const cpuReport = cpu.stop(total);
        log(
          `acked in ${ackSeconds.toFixed(2)} s, processed in ${processedSeconds.toFixed(2)} s, ${retries} 503 retries`,
        );
        const readingsPerS = total / processedSeconds;
        const countsAfter = await processorCounts(processors, key);
        const counts = {
          batches: countsAfter.batches - countsBefore.batches,
          events: countsAfter.events - countsBefore.events,
        };
        const ingestGcUs = (1e6 * ((await gcSeconds(ingest, key)) - gcBefore)) / total;
        logProblems(procs, log);
        log(describeCpu(cpuReport));
        log(
          `processor batches: ${counts.batches}, ${(total / counts.batches).toFixed(0)} readings each on average; ${counts.events} grid events`,
        );
        log(`ingest event loop garbage collection: ${ingestGcUs.toFixed(2)} us per reading`);
        // Per target: each runs in its own pod, with its own memory limit (deploy/kubernetes).
        const peak = (list: GridopsProcess[]) => Math.max(...list.map((p) => peakRssMb(p.proc.pid!)));
        const rss = { processor: peak(processors), ingest: peak(ingest) };
        log(`peak RSS: processor ${rss.processor.toFixed(0)} MiB, ingest ${rss.ingest.toFixed(0)} MiB`);
        run = {
          readings: total,
          readings_per_s: readingsPerS,
          producer_per_s: total / ackSeconds,
          avg_batch: total / counts.batches,
          events: counts.events,
          ingest_gc_us: ingestGcUs,
          peak_rss_mb: Math.max(rss.processor, rss.ingest),
          peak_rss_processor_mb: rss.processor,
          peak_rss_ingest_mb: rss.ingest,
          ...cpuFields(cpuReport),
          copy_postgres_us: copy.postgresUs,
        };
      } finally {
        await producer.close();
        for (const p of procs) p.proc.kill('SIGTERM');
        for (const p of procs) await p.exited;
        await schema.drop();
      }
      // Both baselines again, with gridops stopped: the machine's speed during the run lies
      // between the two measurements (see bracketed).
      const copyAfter = (await copyBaseline(baseUrl, rows, dir, log)).perS;
      const perfAfter = await kafkaPerf(brokers, total, recordSize, log);
      log(describeBracket('COPY', copy.perS, copyAfter, 'rows/s'));
      log(describeBracket('kafka-producer-perf-test', perfBefore, perfAfter, 'records/s'));
      const copyPerS = bracketed(copy.perS, copyAfter);
      const perfPerS = bracketed(perfBefore, perfAfter);
      const { readings, readings_per_s, producer_per_s, ...rest } = run;
      return {
        readings: readings!,
        readings_per_s: readings_per_s!,
        copy_per_s: copyPerS.perS,
        ratio: readings_per_s! / copyPerS.perS,
        producer_per_s: producer_per_s!,
        kafka_perf_per_s: perfPerS.perS,
        producer_ratio: producer_per_s! / perfPerS.perS,
        ...rest,
        copy_before_per_s: copy.perS,
        copy_after_per_s: copyAfter,
        copy_drift: copyPerS.drift,
        kafka_perf_drift: perfPerS.drift,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
