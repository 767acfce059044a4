// bench/processor: the processor alone, on the embedded adapters, in this process: bus read,
// decode, VEE, anomaly scoring, rollups and the store write, with no HTTP or ingest competing
// for the two cores. It reports CPU per reading (every thread of this process, V8's GC and
// compiler helpers too), not wall time, against the store write alone of the same readings
// (decoded already, no VEE) measured before and after in the same run.
// So a change to the processor's per-reading work shows in figures that drift far less than
// bench/ingest's throughput (there the client, ingest and two workers share the cores).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { generateFleet } from '../src/simulator/index.ts';
import { buildTopology, busKey, type Topology } from '../src/domain/topology.ts';
import type { MeterReading } from '../src/domain/readings.ts';
import { encodeReading } from '../src/adapters/bus/reading-codec.ts';
import { LogAppender, openBus } from '../src/adapters/bus/sqlite-bus-log.ts';
import { toChunks } from '../src/adapters/bus/sqlite-bus-producer.ts';
import { SqliteBusConsumer } from '../src/adapters/bus/sqlite-bus.ts';
import { SqliteStoreWriter } from '../src/adapters/store/sqlite-store-writer.ts';
import { meterLocator } from '../src/modules/processor/meter-locator.ts';
import { ProcessorCore } from '../src/modules/processor/processor-core.ts';
import { ProcessorLoop } from '../src/modules/processor/processor-loop.ts';
import { CONFIG_SCHEMA } from '../src/app/config-schema.ts';
import { bracketed, describeBracket, type Bench } from './harness.ts';
import { FLEET_SEED, makeRows, rowReading, valueMode } from './batches.ts';

/** The product's defaults: the embedded bus's partitions and the processor's batch. */
const PARTITIONS = CONFIG_SCHEMA.busPartitions.default;
const BATCH = CONFIG_SCHEMA.processorBatch.default;
/** Records per bus append, as ingest's requests of 5,000 readings make them. */
const APPEND = 5000;

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** CPU and GC pause time (this thread's collections) of `fn`, in microseconds. */
async function measure(fn: () => Promise<void>): Promise<{ cpu: number; gc: number }> {
  let gc = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc += e.duration * 1000;
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = cpuUs();
  await fn();
  const cpu = cpuUs() - before;
  // GC entries are delivered asynchronously: let the last ones arrive.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { cpu, gc };
}

/** The store write alone: every reading in batches of `batch`, CPU microseconds per reading. */
async function storeOnly(
  dir: string,
  file: string,
  topology: Topology,
  readings: MeterReading[],
  batch: number,
) {
  const writer = new SqliteStoreWriter({ path: join(dir, file) }, meterLocator(topology));
  try {
    const { cpu } = await measure(async () => {
      for (let i = 0; i < readings.length; i += batch)
        await writer.writeBatch({
          meterReadings: readings.slice(i, i + batch),
          sensorReadings: [],
          unknown: [],
          events: [],
        });
    });
    return cpu / readings.length;
  } finally {
    await writer.close();
  }
}

export const processorBench: Bench = {
  name: 'processor',
  summary: `processor CPU per reading (bus -> VEE -> rollups -> store, one thread) vs the store write alone (--readings=500000 --meters=10000 --batch=${BATCH} --values=fleet|storm)`,
  async run(args, log) {
    const meters = Number(args.meters ?? 10_000);
    const total = Number(args.readings ?? 500_000);
    const batch = Number(args.batch ?? BATCH);
    const values = valueMode(args.values);
    const dir = mkdtempSync(join(tmpdir(), 'gridops-bench-'));
    try {
      const fleet = generateFleet({ meters, seed: FLEET_SEED });
      const topology = buildTopology(fleet);
      const receivedAt = Date.now();
      const readings = makeRows(fleet, Math.ceil(total / meters), Date.UTC(2026, 0, 1), values)
        .flat()
        .slice(0, total)
        .map((r) => rowReading(r, receivedAt));
      log(`store write alone: ${readings.length} readings in batches of ${batch}`);
      const before = await storeOnly(dir, 'store-before.db', topology, readings, batch);
      log(`store write alone ${before.toFixed(2)} us/reading (measured again after the processor)`);

      const busPath = join(dir, 'bus.db');
      const bus = openBus({ path: busPath });
      const appender = new LogAppender(bus);
      for (let i = 0; i < readings.length; i += APPEND) {
        const records = readings
          .slice(i, i + APPEND)
          .map((r) => ({ key: busKey(topology, r), value: encodeReading(r) }));
        appender.append(toChunks(records, PARTITIONS));
      }
      bus.close();
      log(`processing ${readings.length} readings from the bus in batches of up to ${batch}`);
      const consumer = new SqliteBusConsumer({ path: busPath, partitions: PARTITIONS, group: 'processor' });
      const store = new SqliteStoreWriter({ path: join(dir, 'store.db') }, meterLocator(topology));
      const loop = new ProcessorLoop(consumer, new ProcessorCore(topology, store), { batchSize: batch });
      let processed = 0;
      const started = performance.now();
      const { cpu, gc } = await measure(async () => {
        processed = await loop.drainOnce();
      });
      const seconds = (performance.now() - started) / 1000;
      await consumer.close();
      await store.close();
      if (processed !== readings.length)
        throw new Error(`processed ${processed} of ${readings.length} readings`);
      const processorUs = cpu / processed;
      log(
        `processor ${processorUs.toFixed(2)} us/reading of CPU (GC pauses ${(gc / processed).toFixed(2)}), ${(processed / seconds).toFixed(0)} readings/s on one thread`,
      );
      const after = await storeOnly(dir, 'store-after.db', topology, readings, batch);
      // As rates (readings per CPU second) like every other baseline: 'drift' > 0 is faster after.
      log(describeBracket('store write alone', 1e6 / before, 1e6 / after, 'readings per CPU second'));
      const storeRate = bracketed(1e6 / before, 1e6 / after);
      const storeUs = 1e6 / storeRate.perS;
      return {
        readings: processed,
        processor_us: processorUs,
        store_us: storeUs,
        ratio: storeUs / processorUs,
        overhead_us: processorUs - storeUs,
        gc_us: gc / processed,
        processed_per_s: processed / seconds,
        store_before_us: before,
        store_after_us: after,
        store_drift: storeRate.drift,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
