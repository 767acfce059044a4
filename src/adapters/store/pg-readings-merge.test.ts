// The key order and the COPY lines of the PostgreSQL writer (no database needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readingLine } from './pg-readings-merge.ts';
import { byReadingKey, groupByMeter, sortGroups } from './pg-merge-steps.ts';
import { cellsLine } from './pg-copy.ts';
import type { MeterReading } from '../../domain/readings.ts';

test('grouped by meter then sorted equals a stable sort by (meter, channel, start)', () => {
  const reading = fc.record({
    meterId: fc.constantFrom('MTR-1', 'MTR-10', 'MTR-2', 'mtr-1', 'MTR-1\u00e9', ''),
    obis: fc.constantFrom('1-0:1.8.0', '1-0:2.8.0'),
    intervalStart: fc.integer({ min: 0, max: 5 }).map((q) => q * 900_000),
    value: fc.integer({ min: 0, max: 1000 }),
  });
  fc.assert(
    fc.property(fc.array(reading, { maxLength: 200 }), (rs) => {
      const readings = rs as unknown as MeterReading[];
      const got = sortGroups(groupByMeter(readings));
      const want = readings.toSorted(byReadingKey);
      assert.equal(got.length, want.length);
      // Identity, not just keys: equal keys must keep batch order (the first copy wins).
      assert.ok(got.every((r, i) => r === want[i]));
    }),
    { numRuns: 300 },
  );
});

test('readingLine is the COPY line of the reading cells, escapes and NULLs included', () => {
  const text = fc.string({
    unit: fc.constantFrom('a', 'Z', '0', '\t', '\n', '\r', '\\', 'é', ':'),
    maxLength: 8,
  });
  const reading = fc.record(
    {
      meterId: text,
      obis: text,
      intervalStart: fc.integer({ min: 0, max: 2 ** 45 }),
      intervalSeconds: fc.constantFrom(900, 3600),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      rawValue: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
      unit: text,
      quality: fc.integer({ min: 0, max: 1023 }),
      customerId: text,
      eventId: text,
      receivedAt: fc.integer({ min: 0, max: 2 ** 45 }),
    },
    {
      requiredKeys: [
        'meterId',
        'obis',
        'intervalStart',
        'intervalSeconds',
        'value',
        'rawValue',
        'unit',
        'quality',
        'receivedAt',
      ],
    },
  );
  fc.assert(
    fc.property(reading, (r) => {
      const cells = [
        r.meterId,
        r.obis,
        r.intervalStart,
        r.intervalSeconds,
        r.value,
        r.rawValue ?? null,
        r.unit,
        r.quality,
        r.customerId ?? null,
        r.eventId ?? null,
        r.receivedAt,
      ];
      assert.equal(readingLine(r as unknown as MeterReading), cellsLine(cells));
    }),
    { numRuns: 300 },
  );
});
