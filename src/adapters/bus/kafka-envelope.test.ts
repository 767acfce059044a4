import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BusRecord, ConsumedRecord } from './bus.ts';
import { COUNT_HEADER, EnvelopeRatio, SEPARATOR, packEnvelopes, unpackEnvelope } from './kafka-envelope.ts';

/** What a consumer gets back from the envelopes, with the offsets a topic would give them. */
function roundTrip(records: BusRecord[]): ConsumedRecord[] {
  return packEnvelopes(records).flatMap((e, offset) => unpackEnvelope(0, offset, e.key, e.value, e.headers));
}

test('records of one key and one headers object share an envelope, in publish order', () => {
  const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
  const records = ['a', 'b', 'a', 'c', 'a'].map((key, i) => ({ key, value: `v${i}`, headers }));
  const envelopes = packEnvelopes(records);
  assert.deepEqual(
    envelopes.map((e) => [e.key, e.value, e.headers?.[COUNT_HEADER]]),
    [
      ['a', ['v0', 'v2', 'v4'].join(SEPARATOR), '3'],
      ['b', 'v1', undefined],
      ['c', 'v3', undefined],
    ],
  );
  assert.equal(envelopes[0]!.headers?.traceparent, headers.traceparent);
  const back = roundTrip(records);
  assert.deepEqual(
    back.filter((r) => r.key === 'a').map((r) => [r.value, r.offset, r.headers]),
    [
      ['v0', 0, headers],
      ['v2', 0, headers],
      ['v4', 0, headers],
    ],
  );
});

test('other headers, a value holding the separator, or a full envelope start a new one; order holds', () => {
  const h1 = { traceparent: 'one' };
  const h2 = { traceparent: 'two' };
  const records: BusRecord[] = [
    { key: 'k', value: '1', headers: h1 },
    { key: 'k', value: '2', headers: h2 },
    { key: 'k', value: '3', headers: h2 },
    { key: 'k', value: `4${SEPARATOR}x` },
    { key: 'k', value: '5' },
    ...Array.from({ length: 600 }, (_, i) => ({ key: 'k', value: String(6 + i) })),
  ];
  const envelopes = packEnvelopes(records);
  assert.deepEqual(
    envelopes.map((e) => e.headers?.[COUNT_HEADER] ?? '1'),
    ['1', '2', '1', '500', '101'],
  );
  const back = roundTrip(records);
  assert.deepEqual(
    back.map((r) => r.value),
    records.map((r) => r.value),
  );
  assert.deepEqual(
    back.slice(0, 4).map((r) => r.headers?.traceparent),
    ['one', 'two', 'two', undefined],
  );
});

test('an envelope stays far below the broker message limit whatever the values', () => {
  const big = 'x'.repeat(10_000);
  const envelopes = packEnvelopes(Array.from({ length: 40 }, () => ({ key: 'k', value: big })));
  assert.ok(envelopes.length > 1);
  for (const e of envelopes) assert.ok(e.value.length <= 70_000, `${e.value.length} chars`);
});

test('a Kafka record without the count header is one bus record; a bad count is handed out whole', () => {
  assert.deepEqual(unpackEnvelope(3, 7, 'k', 'a\x1eb', undefined), [
    { partition: 3, offset: 7, key: 'k', value: 'a\x1eb' },
  ]);
  const bad = unpackEnvelope(3, 8, 'k', 'a\x1eb', { [COUNT_HEADER]: '3' });
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.value, 'a\x1eb');
  assert.equal(bad[0]!.headers?.[COUNT_HEADER], '3');
});

test('property: packing then unpacking gives back every record, its key, value and headers, in order', () => {
  const h: (Record<string, string> | undefined)[] = [
    undefined,
    { traceparent: 't1' },
    { traceparent: 't2', tracestate: 's' },
  ];
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          key: fc.constantFrom('a', 'b', 'c'),
          value: fc.string({ maxLength: 40 }),
          h: fc.integer({ min: 0, max: 2 }),
        }),
        { maxLength: 300 },
      ),
      (items) => {
        const records: BusRecord[] = items.map(({ key, value, h: i }) => {
          const r: BusRecord = { key, value };
          if (h[i]) r.headers = h[i];
          return r;
        });
        const back = roundTrip(records);
        for (const key of ['a', 'b', 'c']) {
          assert.deepEqual(
            back.filter((r) => r.key === key).map((r) => [r.value, r.headers]),
            records.filter((r) => r.key === key).map((r) => [r.value, r.headers]),
          );
        }
      },
    ),
  );
});

test('the lag in bus records is the Kafka lag times the records per Kafka record seen', () => {
  const ratio = new EnvelopeRatio();
  assert.equal(ratio.scale(12), 12);
  ratio.add(100, 10);
  ratio.add(50, 5);
  assert.equal(ratio.scale(3), 30);
});
