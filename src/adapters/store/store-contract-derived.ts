// Part of the store contract (store-contract.ts), run inside its describe for each store: events
// the processor derives from a write's result (overloads, duplicate conflicts) are made and
// stored inside that write's transaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GridEvent } from '../../domain/events.ts';
import type { StoreReader, StoreWriteResult, StoreWriter } from './store.ts';
import { T0, batch, outage, reading } from './store-fixtures.ts';

const DAY = 86_400_000;

/** One event per transformer quarter-hour the write touched, carrying its total. */
function totalEvents(result: StoreWriteResult): GridEvent[] {
  return result.transformerTotals.map((t) => ({
    id: `total:${t.transformerId}:${t.bucket}`,
    type: 'transformer_overload',
    subjectKind: 'transformer',
    subjectId: t.transformerId,
    start: t.bucket,
    end: t.bucket + 900_000,
    severity: 'warning',
    value: t.energyKwh,
    detail: 'total',
  }));
}

export function derivedEventsContract(
  setup: () => Promise<{ writer: StoreWriter; reader: StoreReader }>,
): void {
  test('events derived from a write see its totals and conflicts and are stored with it', async () => {
    const { writer, reader } = await setup();
    await writer.writeBatch(batch([reading('MTR-1', 0, 1.5)]));
    const seen: StoreWriteResult[] = [];
    const res = await writer.writeBatch({
      ...batch([reading('MTR-1', 0, 9), reading('MTR-2', 0, 4), reading('MTR-3', 1, 2)]),
      deriveEvents: (r) => {
        seen.push(structuredClone(r));
        return totalEvents(r);
      },
    });
    assert.equal(seen.length, 1);
    // The hook runs once the readings and rollups are written: MTR-1's resend is a conflict,
    // and TX-1's total holds both the stored 1.5 and the new 4.
    assert.deepEqual(
      seen[0]!.conflicts.map((c) => [c.meterId, c.storedValue, c.rejectedValue]),
      [['MTR-1', 1.5, 9]],
    );
    assert.deepEqual(
      res.derivedEvents.map((e) => [e.subjectId, e.start - T0, e.value]),
      [
        ['TX-1', 0, 5.5],
        ['TX-2', 900_000, 2],
      ],
    );
    const stored = await reader.events({
      from: T0,
      to: T0 + DAY,
      types: ['transformer_overload'],
      limit: 10,
    });
    assert.deepEqual(
      stored.map((e) => e.id),
      res.derivedEvents.map((e) => e.id),
    );
    assert.equal((await reader.stats()).events, 2);
  });

  test('a derivation that fails leaves nothing of the batch stored; the retry stores it all', async () => {
    const { writer, reader } = await setup();
    const b = batch([reading('MTR-4', 0, 3)], [outage(4)]);
    await assert.rejects(
      writer.writeBatch({
        ...b,
        deriveEvents: () => {
          throw new Error('derivation failed');
        },
      }),
      /derivation failed/,
    );
    const before = await reader.stats();
    assert.deepEqual([before.meterReadings, before.events], [0, 0]);
    const rollups = await reader.rollups({
      level: 'transformer',
      id: 'TX-3',
      resolution: '15m',
      from: T0,
      to: T0 + DAY,
    });
    assert.deepEqual(rollups, []);
    // Redelivered, the batch is new to the store: inserted, not a replay.
    const res = await writer.writeBatch({ ...b, deriveEvents: totalEvents });
    assert.deepEqual([res.inserted, res.unchanged, res.derivedEvents.length], [1, 0, 1]);
    const after = await reader.stats();
    assert.deepEqual([after.meterReadings, after.events], [1, 2]);
  });
}
