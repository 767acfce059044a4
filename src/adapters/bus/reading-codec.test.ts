import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeReading, encodeReading } from './reading-codec.ts';
import type { Reading } from '../../domain/readings.ts';

const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/);

test('meter and sensor readings round-trip exactly, optional fields included', () => {
  const meter = fc.record(
    {
      kind: fc.constant('meter' as const),
      meterId: id,
      obis: fc.constant('1-0:1.8.0'),
      intervalStart: fc.integer({ min: 0, max: 4e12 }),
      intervalSeconds: fc.integer({ min: 1, max: 86400 }),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      unit: fc.constant('kWh'),
      quality: fc.integer({ min: 0, max: 511 }),
      receivedAt: fc.integer({ min: 0, max: 4e12 }),
      eventId: id,
      customerId: id,
    },
    {
      requiredKeys: [
        'kind',
        'meterId',
        'obis',
        'intervalStart',
        'intervalSeconds',
        'value',
        'unit',
        'quality',
        'receivedAt',
      ],
    },
  );
  const sensor = fc.record(
    {
      kind: fc.constant('sensor' as const),
      sensorId: id,
      sensorType: fc.constantFrom('voltage', 'frequency' as const),
      ts: fc.integer({ min: 0, max: 4e12 }),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      unit: fc.constant('V'),
      receivedAt: fc.integer({ min: 0, max: 4e12 }),
      eventId: id,
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lon: fc.double({ min: -180, max: 180, noNaN: true }),
    },
    { requiredKeys: ['kind', 'sensorId', 'sensorType', 'ts', 'value', 'unit', 'receivedAt'] },
  );
  fc.assert(
    fc.property(fc.oneof(meter, sensor), (r) => {
      const normalised = JSON.parse(JSON.stringify(r)) as Reading; // -0 becomes 0, as in JSON ingest
      assert.deepEqual(decodeReading(encodeReading(normalised)), normalised);
    }),
  );
});

test('malformed values are refused with a reason', () => {
  assert.throws(() => decodeReading('{"kind":"meter"}'), /not a reading record/);
  assert.throws(() => decodeReading('m\tA\t1-0:1.8.0\tx\t900\t1\tkWh\t0\t0\t\t'), /bad interval start/);
});
