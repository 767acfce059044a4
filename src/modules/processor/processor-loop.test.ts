import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessorLoop } from './processor-loop.ts';
import { ProcessorCore } from './processor-core.ts';
import { MemoryStore, oneTransformer } from './core-test-helpers.ts';
import { encodeReading } from '../../adapters/bus/reading-codec.ts';
import { Quality } from '../../domain/readings.ts';
import type { BusConsumer, ConsumedRecord } from '../../adapters/bus/bus.ts';

const T0 = Date.UTC(2026, 10, 26, 12);

/** One partition holding `records`; remembers every commit. */
function memoryConsumer(records: ConsumedRecord[]) {
  const commits: number[] = [];
  let next = 0;
  const consumer: BusConsumer = {
    async poll(max) {
      return records.filter((r) => r.offset >= next).slice(0, max);
    },
    async commit(offsets) {
      next = offsets.get(0) ?? next;
      commits.push(next);
    },
    async deadLetter() {},
    async lag() {
      return records.length - next;
    },
    async close() {},
  };
  return { consumer, commits };
}

test('a stop requested mid-batch ends the loop without writing or committing that batch', async () => {
  const meters = Array.from({ length: 3 }, (_, i) => `M${i}`);
  const records = Array.from({ length: 4500 }, (_, i): ConsumedRecord => {
    const value = encodeReading({
      kind: 'meter',
      meterId: meters[i % 3]!,
      obis: '1-0:1.8.0',
      intervalStart: T0 + Math.floor(i / 3) * 900_000,
      intervalSeconds: 900,
      value: 0.5,
      unit: 'kWh',
      quality: 0,
      receivedAt: T0 + 2_000 * 900_000,
    });
    return { partition: 0, offset: i, key: 'TX', value };
  });
  const { consumer, commits } = memoryConsumer(records);
  const store = new MemoryStore();
  let looks = 0;
  const errors: unknown[] = [];
  const loop = new ProcessorLoop(consumer, new ProcessorCore(oneTransformer(meters), store), {
    batchSize: 2000,
    // Looks: 1 the loop, 2-3 inside the first batch, 4 before its write, 5 the loop, 6-7 inside
    // the second batch: the stop is seen there, in the middle of it.
    stopRequested: () => ++looks >= 7,
    onError: (err) => errors.push(err),
  });
  loop.start();
  while (looks < 7) await new Promise((r) => setTimeout(r, 5));
  await loop.stop();
  assert.deepEqual(commits, [2000], 'only the first batch committed');
  assert.equal(store.batches.length, 1, 'only the first batch written');
  assert.deepEqual(errors, [], 'a requested stop is no error');
});

test('parked gap estimates are stored once the bus has been idle for parkedIdleMs, not before', async () => {
  const reading = (slot: number, offset: number): ConsumedRecord => ({
    partition: 0,
    offset,
    key: 'TX',
    value: encodeReading({
      kind: 'meter',
      meterId: 'M0',
      obis: '1-0:1.8.0',
      intervalStart: T0 + slot * 900_000,
      intervalSeconds: 900,
      value: 0.5,
      unit: 'kWh',
      quality: 0,
      receivedAt: T0 + 10 * 900_000,
    }),
  });
  const estimatedSlots = (store: MemoryStore) =>
    store.batches
      .flatMap((b) => b.meterReadings)
      .filter((r) => r.quality & Quality.ESTIMATED)
      .map((r) => (r.intervalStart - T0) / 900_000);
  for (const parkedIdleMs of [50, 60_000]) {
    // Slots 0 and 2 in one batch: slot 1 is a gap, parked; then the bus stays empty.
    const { consumer } = memoryConsumer([reading(0, 0), reading(2, 1)]);
    const store = new MemoryStore();
    const loop = new ProcessorLoop(consumer, new ProcessorCore(oneTransformer(['M0']), store), {
      batchSize: 100,
      idleMs: 5,
      parkedIdleMs,
    });
    loop.start();
    await new Promise((r) => setTimeout(r, 400));
    await loop.stop();
    if (parkedIdleMs === 50) assert.deepEqual(estimatedSlots(store), [1], 'stored after 50 ms idle');
    else assert.deepEqual(estimatedSlots(store), [], 'still parked within the idle bound');
  }
});

test('before each batch the loop tells the core which partitions the consumer owns, where it says', async () => {
  const kept: number[][] = [];
  const core = new ProcessorCore(oneTransformer(['M0']), new MemoryStore());
  core.keepPartitions = (owned) => void kept.push([...owned]);
  const record: ConsumedRecord = {
    partition: 0,
    offset: 0,
    key: 'TX',
    value: encodeReading({
      kind: 'meter',
      meterId: 'M0',
      obis: '1-0:1.8.0',
      intervalStart: T0,
      intervalSeconds: 900,
      value: 0.5,
      unit: 'kWh',
      quality: 0,
      receivedAt: T0,
    }),
  };
  const { consumer } = memoryConsumer([record]);
  await new ProcessorLoop(consumer, core, { batchSize: 10 }).drainOnce();
  assert.deepEqual(kept, [], 'a bus without moving partitions (no assignment()) is left alone');
  const { consumer: moving } = memoryConsumer([record]);
  moving.assignment = () => [0, 5];
  await new ProcessorLoop(moving, core, { batchSize: 10 }).drainOnce();
  assert.deepEqual(kept, [[0, 5]]);
});
