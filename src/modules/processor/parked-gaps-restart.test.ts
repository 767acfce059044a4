// A processor that dies with a gap parked (parked-gaps.ts) has committed the batch that found
// it: the bus does not bring it again. The next processor to meet the series (after a restart,
// or the one that took over its partitions) finds the hole in the stored history and estimates
// it. On the real embedded store, since the history read is what this rests on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessorCore } from './processor-core.ts';
import { oneTransformer } from './core-test-helpers.ts';
import { meterLocator } from './meter-locator.ts';
import { Quality, type Reading } from '../../domain/readings.ts';
import { encodeReading } from '../../adapters/bus/reading-codec.ts';
import type { ConsumedRecord } from '../../adapters/bus/bus.ts';
import { SqliteStoreReader } from '../../adapters/store/sqlite-store-reader.ts';
import { SqliteStoreWriter } from '../../adapters/store/sqlite-store-writer.ts';

const T0 = Date.UTC(2026, 10, 26, 12);
const Q = 900_000;
const topology = oneTransformer(['M1', 'M2']);

let offset = 0;
const rec = (meterId: string, slot: number, value: number): ConsumedRecord => {
  const r: Reading = {
    kind: 'meter',
    meterId,
    obis: '1-0:1.8.0',
    intervalStart: T0 + slot * Q,
    intervalSeconds: 900,
    value,
    unit: 'kWh',
    quality: 0,
    receivedAt: T0 + 100 * Q,
  };
  return { partition: 0, offset: offset++, key: meterId, value: encodeReading(r) };
};

async function withStore(fn: (path: string, reader: SqliteStoreReader) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-parked-'));
  const path = join(dir, 'store.db');
  new SqliteStoreWriter({ path }, meterLocator(topology)); // creates the schema
  const reader = new SqliteStoreReader({ path });
  try {
    await fn(path, reader);
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const slots = async (reader: SqliteStoreReader, meterId: string) =>
  (await reader.readings({ meterId, from: T0, to: T0 + 100 * Q, limit: 100 })).map((r) => [
    (r.intervalStart - T0) / Q,
    Number(r.value.toFixed(6)),
    r.quality & Quality.ESTIMATED ? 'est' : 'real',
  ]);

test('a gap parked when its processor died is estimated by the next one to meet the series', async () => {
  await withStore(async (path, reader) => {
    const dead = new ProcessorCore(topology, new SqliteStoreWriter({ path }, meterLocator(topology)));
    await dead.process([rec('M1', 0, 0.2), rec('M1', 1, 0.2), rec('M1', 4, 0.8), rec('M2', 0, 0.5)]);
    assert.ok(dead.hasParked(), 'the gap 2-3 waits for the next batch');
    // SIGKILL: the parked estimates are gone with the process; nothing of them was stored.
    assert.deepEqual(await slots(reader, 'M1'), [
      [0, 0.2, 'real'],
      [1, 0.2, 'real'],
      [4, 0.8, 'real'],
    ]);

    const next = new ProcessorCore(topology, new SqliteStoreWriter({ path }, meterLocator(topology)));
    const first = await next.process([rec('M1', 5, 0.8), rec('M2', 1, 0.6)]);
    assert.ok(next.hasParked(), 'parked again: a late reading may still come');
    assert.equal(first.stats.holes, 1, 'one series had a hole');
    assert.equal(first.stats.vee.gap, undefined, 'counted when released, as any gap');
    const second = await next.process([rec('M2', 2, 0.7)]);
    assert.deepEqual(second.stats.vee, { gap: 1, estimated: 2 });
    assert.deepEqual(await slots(reader, 'M1'), [
      [0, 0.2, 'real'],
      [1, 0.2, 'real'],
      [2, 0.4, 'est'],
      [3, 0.6, 'est'],
      [4, 0.8, 'real'],
      [5, 0.8, 'real'],
    ]);
    const db = new DatabaseSync(path, { readOnly: true });
    const customers = db
      .prepare('SELECT DISTINCT customer_id AS c FROM meter_readings WHERE quality & ?')
      .all(Quality.ESTIMATED);
    db.close();
    assert.deepEqual(
      customers.map((r) => r.c),
      ['C-M1'],
      "the estimates carry the meter's customer id from the topology",
    );
    assert.deepEqual(await slots(reader, 'M2'), [
      [0, 0.5, 'real'],
      [1, 0.6, 'real'],
      [2, 0.7, 'real'],
    ]);
  });
});

test('a late reading in the batch that finds the hole takes its slot; a failed batch finds it again', async () => {
  await withStore(async (path, reader) => {
    const dead = new ProcessorCore(topology, new SqliteStoreWriter({ path }, meterLocator(topology)));
    await dead.process([rec('M1', 0, 0.2), rec('M1', 3, 0.8)]);

    let fail = true;
    const writer = new SqliteStoreWriter({ path }, meterLocator(topology));
    const flaky = new Proxy(writer, {
      get(target, key) {
        const v = Reflect.get(target, key) as unknown;
        if (key === 'writeBatch' && fail)
          return async () => {
            fail = false;
            throw new Error('store down');
          };
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const next = new ProcessorCore(topology, flaky);
    const batch = [rec('M1', 2, 0.6), rec('M1', 4, 0.8)];
    await assert.rejects(next.process(batch), /store down/);
    assert.equal(next.hasParked(), false, 'the failed batch left nothing parked');
    await next.process(batch);
    assert.ok(await next.flushParked(), 'slot 1 parked again on the retry');
    assert.deepEqual(await slots(reader, 'M1'), [
      [0, 0.2, 'real'],
      [1, 0.4, 'est'],
      [2, 0.6, 'real'],
      [3, 0.8, 'real'],
      [4, 0.8, 'real'],
    ]);
  });
});
