// Logic of one processor batch, with an in-memory store (the SQLite store has its own tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessorCore, StopRequested } from './processor-core.ts';
import { MemoryStore, oneTransformer } from './core-test-helpers.ts';
import { buildTopology } from '../../domain/topology.ts';
import { Quality, type Reading } from '../../domain/readings.ts';
import { encodeReading } from '../../adapters/bus/reading-codec.ts';
import type { ConsumedRecord } from '../../adapters/bus/bus.ts';
import type { StoreBatch } from '../../adapters/store/store.ts';

const T0 = Date.UTC(2026, 10, 26, 12);
const meters = Array.from({ length: 4 }, (_, i) => `MTR-${i}`);
const topology = oneTransformer(meters, [{ id: 'V1', type: 'voltage', transformer_id: 'TX', nominal: 230 }]);

let offset = 0;
function rec(r: Reading, partition = 0): ConsumedRecord {
  return {
    partition,
    offset: offset++,
    key: r.kind === 'meter' ? r.meterId : r.sensorId,
    value: encodeReading(r),
  };
}
const meter = (id: string, slot: number, quality = 0): Reading => ({
  kind: 'meter',
  meterId: id,
  obis: '1-0:1.8.0',
  intervalStart: T0 + slot * 900_000,
  intervalSeconds: 900,
  value: 0.5,
  unit: 'kWh',
  quality,
  receivedAt: T0 + 400 * 900_000,
});
const volt = (minute: number, value: number): Reading => ({
  kind: 'sensor',
  sensorId: 'V1',
  sensorType: 'voltage',
  ts: T0 + minute * 60_000,
  value,
  unit: 'V',
  receivedAt: T0 + 1e9,
});

test('an outage and its restoration in one batch still raise one outage (last-gasp cluster)', async () => {
  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  const records = [
    ...meters.map((m) => rec(meter(m, 0))),
    ...meters.slice(0, 3).map((m) => rec(meter(m, 1, Quality.LAST_GASP))),
    ...meters.map((m) => rec(meter(m, 8))), // power back two hours later
  ];
  await core.process(records);
  const outages = store.events.filter((e) => e.type === 'outage');
  assert.equal(outages.length, 1);
  assert.equal(outages[0]?.subjectId, 'TX');
  assert.equal(outages[0]?.start, T0 + 2 * 900_000);
});

test('a partition lagging behind another does not make its meters look silent', async () => {
  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  // Partition 1 (meters 1-3, enough for an outage) is read up to slot 1, partition 0 up to slot 12.
  const records = [
    ...[0].flatMap((m) => Array.from({ length: 13 }, (_, s) => rec(meter(meters[m]!, s), 0))),
    ...[1, 2, 3].flatMap((m) => [0, 1].map((s) => rec(meter(meters[m]!, s), 1))),
  ];
  await core.process(records);
  assert.deepEqual(
    store.events.filter((e) => e.type === 'outage'),
    [],
  );
});

test('one anomaly event per episode of consecutive anomalous samples, none for a lone outlier', async () => {
  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  const samples = [
    ...Array.from({ length: 30 }, (_, i) => volt(i, 230 + (i % 3) * 0.5)),
    volt(30, 150), // lone outlier
    volt(31, 230),
    volt(32, 150), // a run of four
    volt(33, 151),
    volt(34, 150),
    volt(35, 152),
    volt(36, 230),
  ];
  await core.process(samples.map((s) => rec(s)));
  const anomalies = store.events.filter((e) => e.type === 'anomaly');
  assert.deepEqual(
    anomalies.map((e) => e.start),
    [T0 + 33 * 60_000],
  );
});

test('undecodable records are dead-lettered with the reason, the rest is processed', async () => {
  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  const bad: ConsumedRecord = { partition: 0, offset: 999, key: 'x', value: '{"kind":"meter"}' };
  const { stats, dead } = await core.process([bad, rec(meter('MTR-0', 0))]);
  assert.equal(dead.length, 1);
  assert.match(dead[0]!.reason, /undecodable: not a reading record/);
  assert.equal(stats.meters, 1);
});

/**
 * Once armed, fails the next write (a store outage), either before it starts or from inside
 * its transaction, where the events it derives are made; then stores like MemoryStore.
 */
class FlakyStore extends MemoryStore {
  private readonly failing: 'writeBatch' | 'deriveEvents';
  armed = false;
  constructor(failing: 'writeBatch' | 'deriveEvents') {
    super();
    this.failing = failing;
  }
  override async writeBatch(b: StoreBatch) {
    if (!this.armed) return super.writeBatch(b);
    this.armed = false;
    if (this.failing === 'writeBatch') throw new Error('store unavailable');
    return super.writeBatch({
      ...b,
      deriveEvents: () => {
        throw new Error('store unavailable');
      },
    });
  }
}

for (const failing of ['writeBatch', 'deriveEvents'] as const) {
  test(`a batch redelivered after a failed ${failing} is judged as it was the first time`, async () => {
    const batches = [
      meters.map((m) => rec(meter(m, 0))),
      // A gap (slot 1 missing), parked, and voltage samples that feed the anomaly windows.
      [...meters.map((m) => rec(meter(m, 2))), ...[0, 1, 2].map((i) => rec(volt(i, 230)))],
      // The batch that releases the gap's estimates; it fails once.
      [...meters.map((m) => rec(meter(m, 3))), ...[3, 4].map((i) => rec(volt(i, 231)))],
    ];
    const reference = new MemoryStore();
    const refCore = new ProcessorCore(topology, reference);
    for (const b of batches) await refCore.process(b);

    const store = new FlakyStore(failing);
    const core = new ProcessorCore(topology, store);
    await core.process(batches[0]!);
    await core.process(batches[1]!);
    store.armed = true;
    await assert.rejects(core.process(batches[2]!), /store unavailable/);
    const { stats } = await core.process(batches[2]!); // the bus delivers it again
    assert.equal(stats.vee.duplicate, undefined);
    assert.equal(stats.vee.estimated, meters.length);
    assert.equal(stats.vee.gap, meters.length);
    const stored = store.batches.at(-1)!.meterReadings;
    assert.deepEqual(stored, reference.batches.at(-1)!.meterReadings);
    assert.ok(stored.every((r) => (r.quality & Quality.DUPLICATE) === 0));
  });
}

test('within a batch a series is judged in time order: readings crossed on the wire are no gap', async () => {
  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  await core.process([rec(meter('MTR-0', 0))]);
  const { stats } = await core.process([rec(meter('MTR-0', 2)), rec(meter('MTR-0', 1))]);
  assert.equal(stats.vee.gap, undefined);
  assert.equal(stats.vee.estimated, undefined);
  const stored = store.batches.at(-1)!.meterReadings;
  assert.deepEqual(
    stored.map((r) => r.intervalStart),
    [T0 + 900_000, T0 + 2 * 900_000],
  );
  assert.ok(stored.every((r) => (r.quality & Quality.ESTIMATED) === 0));
});

test('a gap waits one batch: a late reading of the next batch fills it, no estimate, no gap', async () => {
  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  await core.process([rec(meter('MTR-0', 0))]);
  const crossed = await core.process([rec(meter('MTR-0', 2))]);
  assert.equal(crossed.stats.vee.gap, undefined, 'not yet a gap: slot 1 may still be on the wire');
  assert.equal(crossed.stats.vee.estimated, undefined);
  const { stats } = await core.process([rec(meter('MTR-0', 1)), rec(meter('MTR-0', 3))]);
  assert.equal(stats.vee.gap, undefined);
  assert.equal(stats.vee.estimated, undefined);
  const all = store.batches.flatMap((b) => b.meterReadings);
  assert.deepEqual(
    all.map((r) => (r.intervalStart - T0) / 900_000),
    [0, 2, 1, 3],
  );
  assert.ok(all.every((r) => (r.quality & Quality.ESTIMATED) === 0));
  assert.ok(!store.batches.at(-1)!.late!.has(all[2]!), 'a slot seen missing is no late write');
});

test('a gap still missing after the next batch is estimated then, once, as a late write', async () => {
  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  await core.process([rec(meter('MTR-0', 0)), rec(meter('MTR-1', 0))]);
  await core.process([rec(meter('MTR-0', 3)), rec(meter('MTR-1', 1))]); // MTR-0: slots 1, 2 missing
  // Slot 2 arrives late; slot 1 never does. MTR-0 itself sends nothing else in this batch.
  const { stats } = await core.process([rec(meter('MTR-0', 2)), rec(meter('MTR-1', 2))]);
  assert.equal(stats.vee.gap, 1);
  assert.equal(stats.vee.estimated, 1);
  const last = store.batches.at(-1)!;
  const estimates = last.meterReadings.filter((r) => r.quality & Quality.ESTIMATED);
  assert.deepEqual(
    estimates.map((r) => [r.meterId, (r.intervalStart - T0) / 900_000]),
    [['MTR-0', 1]],
  );
  assert.ok(last.late!.has(estimates[0]!));
  const after = await core.process([rec(meter('MTR-0', 4))]);
  assert.equal(after.stats.vee.estimated, undefined, 'released once');
});

test('at a stop the parked gaps are stored at once, as late writes; a failed flush keeps them parked', async () => {
  const store = new FlakyStore('writeBatch');
  const core = new ProcessorCore(topology, store);
  assert.equal(await core.flushParked(), undefined, 'nothing parked: no write');
  assert.equal(store.batches.length, 0);
  await core.process([rec(meter('MTR-0', 0)), rec(meter('MTR-1', 0))]);
  await core.process([rec(meter('MTR-0', 3)), rec(meter('MTR-1', 2))]); // slots 1-2 and 1 parked
  store.armed = true;
  await assert.rejects(core.flushParked(), /store unavailable/);
  const stats = await core.flushParked();
  assert.deepEqual(stats?.vee, { gap: 2, estimated: 3 });
  const flushed = store.batches.at(-1)!;
  assert.deepEqual(
    flushed.meterReadings.map((r) => [r.meterId, (r.intervalStart - T0) / 900_000]),
    [
      ['MTR-0', 1],
      ['MTR-0', 2],
      ['MTR-1', 1],
    ],
  );
  assert.ok(flushed.meterReadings.every((r) => r.quality & Quality.ESTIMATED && flushed.late!.has(r)));
  assert.equal(await core.flushParked(), undefined, 'flushed once');
  const next = await core.process([rec(meter('MTR-0', 4))]);
  assert.equal(next.stats.vee.estimated, undefined, 'not released again by the next batch');
});

test('a stop seen mid-batch drops the batch before its store write, state undone', async () => {
  const first = meters.map((m) => rec(meter(m, 0)));
  // Over STOP_CHECK_EVERY readings, so the flag is looked at inside the batch as well.
  const second = Array.from({ length: 600 }, (_, i) => meters.map((m) => rec(meter(m, 2 + i)))).flat();
  const reference = new MemoryStore();
  const refCore = new ProcessorCore(topology, reference);
  await refCore.process(first);
  await refCore.process(second);

  const store = new MemoryStore();
  const core = new ProcessorCore(topology, store);
  await core.process(first);
  let looks = 0;
  const stopAfter = (n: number) => () => ++looks > n;
  await assert.rejects(core.process(second, stopAfter(1)), StopRequested); // mid-batch
  assert.ok(looks >= 2, 'looked at again within the batch');
  looks = 0;
  await assert.rejects(core.process(second, stopAfter(3)), StopRequested); // just before the write
  assert.equal(store.batches.length, 1, 'nothing written after the first batch');
  await core.process(second); // delivered again after a restart
  assert.deepEqual(store.batches.at(-1)!.meterReadings, reference.batches.at(-1)!.meterReadings);
});

test('a partition moved to another processor is forgotten: outages on the rest still found, none made up for it', async () => {
  // TX-A and TX-C on partition 0, TX-B on partition 1, four meters each.
  const ids = (tx: string) => [0, 1, 2, 3].map((i) => `${tx}-${i}`);
  const grid = buildTopology({
    substations: [{ id: 'SUB' }],
    feeders: [{ id: 'FDR', substation_id: 'SUB' }],
    transformers: ['A', 'B', 'C'].map((t) => ({ id: `TX-${t}`, feeder_id: 'FDR', kva: 100 })),
    meters: ['A', 'B', 'C'].flatMap((t) =>
      ids(t).map((id) => ({
        id,
        customer_id: `C-${id}`,
        transformer_id: `TX-${t}`,
        class: 'household' as const,
      })),
    ),
    sensors: [],
  });
  const store = new MemoryStore();
  const core = new ProcessorCore(grid, store);
  const partitionOf = (id: string) => (id.startsWith('B') ? 1 : 0);
  await core.process(['A', 'B', 'C'].flatMap(ids).map((m) => rec(meter(m, 0), partitionOf(m))));
  core.keepPartitions([0]); // partition 1 went to another processor in a rebalance
  // TX-A falls silent; TX-C goes on reporting for two hours, moving partition 0's time on.
  for (let slot = 1; slot <= 8; slot++) await core.process(ids('C').map((m) => rec(meter(m, slot), 0)));
  const outages = store.events.filter((e) => e.type === 'outage').map((e) => e.subjectId);
  assert.deepEqual([...new Set(outages)], ['TX-A']);
});
