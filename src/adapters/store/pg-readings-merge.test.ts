// The key order the PostgreSQL writer inserts in (no database needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { byReadingKey, sortByReadingKey } from './pg-readings-merge.ts';
import type { MeterReading } from '../../domain/readings.ts';

test('sortByReadingKey equals a stable sort by (meter, channel, start)', () => {
  const reading = fc.record({
    meterId: fc.constantFrom('MTR-1', 'MTR-10', 'MTR-2', 'mtr-1', 'MTR-1\u00e9', ''),
    obis: fc.constantFrom('1-0:1.8.0', '1-0:2.8.0'),
    intervalStart: fc.integer({ min: 0, max: 5 }).map((q) => q * 900_000),
    value: fc.integer({ min: 0, max: 1000 }),
  });
  fc.assert(
    fc.property(fc.array(reading, { maxLength: 200 }), (rs) => {
      const readings = rs as unknown as MeterReading[];
      const got = sortByReadingKey(readings);
      const want = readings.toSorted(byReadingKey);
      assert.equal(got.length, want.length);
      // Identity, not just keys: equal keys must keep batch order (the first copy wins).
      assert.ok(got.every((r, i) => r === want[i]));
    }),
    { numRuns: 300 },
  );
});
