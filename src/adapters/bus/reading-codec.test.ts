import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeReading, encodeReading } from './reading-codec.ts';
import type { Reading } from '../../domain/readings.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

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

test('a meter record the positional reader does not read plainly is judged as split() judges it', () => {
  const rec = (start: string, value = '1.5', tail = '\t\t') =>
    `m\tM1\t1-0:1.8.0\t${start}\t900\t${value}\tkWh\t4\t1767225600123${tail}`;
  const base = {
    kind: 'meter',
    meterId: 'M1',
    obis: '1-0:1.8.0',
    intervalSeconds: 900,
    unit: 'kWh',
    quality: 4,
  };
  // Plain digits, optional fields present or not.
  assert.deepEqual(decodeReading(rec('1767225600000')), {
    ...base,
    intervalStart: 1767225600000,
    value: 1.5,
    receivedAt: 1767225600123,
  });
  assert.deepEqual(decodeReading(rec('0', '-2e-3', '\tEV-1\tC-9')), {
    ...base,
    intervalStart: 0,
    value: -0.002,
    receivedAt: 1767225600123,
    eventId: 'EV-1',
    customerId: 'C-9',
  });
  // Not plain digits (an exponent, 16 digits): read as Number() reads them, as before.
  assert.equal((decodeReading(rec('1e3')) as { intervalStart: number }).intervalStart, 1000);
  assert.equal(
    (decodeReading(rec('1767225600000000')) as { intervalStart: number }).intervalStart,
    1767225600000000,
  );
  assert.throws(() => decodeReading(rec('')), /bad interval start ""/);
  assert.throws(() => decodeReading(rec('1', '')), /bad value ""/);
  assert.throws(() => decodeReading(rec('1', 'Infinity')), /bad value "Infinity"/);
  assert.throws(() => decodeReading(rec('1', '1', '\t\t\textra')), /not a reading record \(12 fields/);
  assert.throws(() => decodeReading(rec('1', '1', '\t')), /not a reading record \(10 fields/);
});

test('a meter value is read exactly as Number() reads its text, plain decimals or not', () => {
  const rec = (value: string) => `m\tM1\t1-0:1.8.0\t0\t900\t${value}\tkWh\t0\t0\t\t`;
  const plain = fc.stringMatching(/^-?[0-9]{0,18}(\.[0-9]{0,18})?$/);
  const printed = fc.double({ noNaN: true, noDefaultInfinity: true }).map(String);
  fc.assert(
    fc.property(
      fc.oneof(plain, printed, fc.constantFrom('-0', '0.1', '.5', '-.5', '1.', '00012.50', '-')),
      (text) => {
        const expected = Number(text);
        if (text === '' || !Number.isFinite(expected)) {
          assert.throws(() => decodeReading(rec(text)), /bad value/);
          return;
        }
        const { value } = decodeReading(rec(text)) as { value: number };
        assert.ok(Object.is(value, expected), `${text}: ${value} against ${expected}`);
      },
    ),
    { numRuns: 2000 },
  );
});

test('ids kept across batches do not hold the bus text they were read from', () => {
  const before = heapUsed();
  // 40 bus reads of 1 MB each, every one bringing new long meter ids (kept by the decoder's
  // interner); the reads and what was decoded are dropped, as the processor drops a batch.
  for (let read = 0; read < 40; read++) {
    const values = Array.from(
      { length: 10_000 },
      (_, i) =>
        `m\tMETER-${read}-${i}-LONG-ID\t1-0:1.8.0\t0\t900\t1\tkWh\t0\t0\t\tCUSTOMER-${read}-${i}-LONG`,
    )
      .join('\n')
      .split('\n');
    for (let i = 0; i < values.length; i += 100) decodeReading(values[i]!);
  }
  // 4,000 interned ids of about 25 characters each: well under a megabyte.
  assert.ok(heapUsed() - before < 8e6, `${((heapUsed() - before) / 1e6).toFixed(1)} MB still held`);
});

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
