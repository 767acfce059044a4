import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BusRecord, ConsumedRecord } from './bus.ts';
import {
  COUNT_HEADER,
  EnvelopeRatio,
  KEYED_COUNT_HEADER,
  KEYS_HEADER,
  KEY_SEPARATOR,
  SEPARATOR,
  packEnvelopes,
  unpackEnvelope,
} from './kafka-envelope.ts';

/** What a consumer gets back from the envelopes, with the offsets a topic would give them. */
function roundTrip(records: BusRecord[], groupOf?: (key: string) => string | number): ConsumedRecord[] {
  return packEnvelopes(records, groupOf).flatMap((e, offset) =>
    unpackEnvelope(0, offset, e.key, e.value, e.headers),
  );
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
  // 4 opens an envelope of 500 (values are checked once it is full); holding the separator, it
  // is then sent alone, and 5 to 503 as an envelope of their own.
  assert.deepEqual(
    envelopes.map((e) => e.headers?.[COUNT_HEADER] ?? '1'),
    ['1', '2', '1', '499', '102'],
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

test('records of several keys of one group share a keyed envelope; each comes back with its own key', () => {
  const headers = { traceparent: 't' };
  // Keys a and c in group 0 (as two transformers of one partition), b in group 1.
  const groupOf = (key: string) => (key === 'b' ? 1 : 0);
  const records = ['a', 'b', 'c', 'a', 'b'].map((key, i) => ({ key, value: `v${i}`, headers }));
  const envelopes = packEnvelopes(records, groupOf);
  assert.deepEqual(
    envelopes.map((e) => [
      e.key,
      e.value,
      e.headers?.[KEYED_COUNT_HEADER],
      e.headers?.[KEYS_HEADER],
      e.headers?.[COUNT_HEADER],
    ]),
    [
      [
        'a',
        ['v0', 'v2', 'v3'].join(SEPARATOR),
        '3',
        ['a\x1f1', 'c\x1f1', 'a\x1f1'].join(SEPARATOR),
        undefined,
      ],
      // One key only: a plain envelope, as before keyed ones existed.
      ['b', ['v1', 'v4'].join(SEPARATOR), undefined, undefined, '2'],
    ],
  );
  assert.deepEqual(
    roundTrip(records, groupOf).map((r) => [r.key, r.value, r.offset, r.headers]),
    [
      ['a', 'v0', 0, headers],
      ['c', 'v2', 0, headers],
      ['a', 'v3', 0, headers],
      ['b', 'v1', 1, headers],
      ['b', 'v4', 1, headers],
    ],
  );
});

test('a key holding a separator travels alone; an envelope whose keys do not fit is handed out whole', () => {
  const records: BusRecord[] = [
    { key: 'a', value: '1' },
    { key: `b${KEY_SEPARATOR}`, value: '2' },
    { key: `c${SEPARATOR}`, value: '3' },
    { key: 'd', value: `4${KEY_SEPARATOR}` },
    { key: 'e', value: '5' },
  ];
  const envelopes = packEnvelopes(records, () => 0);
  assert.deepEqual(
    envelopes.map((e) => e.headers?.[KEYED_COUNT_HEADER] ?? e.headers?.[COUNT_HEADER] ?? '1'),
    ['1', '1', '1', '2'],
  );
  assert.deepEqual(
    roundTrip(records, () => 0).map((r) => [r.key, r.value]),
    records.map((r) => [r.key, r.value]),
  );
  const value = ['x', 'y', 'z'].join(SEPARATOR);
  for (const keys of [
    undefined,
    'a\x1f2',
    'a\x1f2\x1eb\x1f2',
    'a\x1f0\x1eb\x1f3',
    'a2\x1eb\x1f1',
    'a\x1fx\x1eb\x1f2',
  ]) {
    const headers: Record<string, string> = { [KEYED_COUNT_HEADER]: '3' };
    if (keys !== undefined) headers[KEYS_HEADER] = keys;
    const bad = unpackEnvelope(2, 9, 'a', value, headers);
    assert.deepEqual(
      bad.map((r) => [r.key, r.value, r.headers?.[KEYS_HEADER]]),
      [['a', value, keys]],
      String(keys),
    );
  }
  assert.deepEqual(
    unpackEnvelope(2, 9, 'a', value, { [KEYED_COUNT_HEADER]: '3', [KEYS_HEADER]: 'a\x1f1\x1eb\x1f2' }).map(
      (r) => r.key,
    ),
    ['a', 'b', 'b'],
  );
});

test('property: packed per group, every record comes back with its key, value and headers, in order', () => {
  const h: (Record<string, string> | undefined)[] = [undefined, { traceparent: 't1' }];
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
          // Now and then a value holding the separator, which must travel alone.
          value: fc.oneof(
            { weight: 9, arbitrary: fc.string({ maxLength: 30 }) },
            { weight: 1, arbitrary: fc.string({ maxLength: 5 }).map((v) => `${v}${SEPARATOR}${v}`) },
          ),
          h: fc.integer({ min: 0, max: 1 }),
        }),
        { maxLength: 300 },
      ),
      fc.integer({ min: 1, max: 3 }),
      (items, groups) => {
        const groupOf = (key: string) => key.charCodeAt(0) % groups;
        const records: BusRecord[] = items.map(({ key, value, h: i }) => {
          const r: BusRecord = { key, value };
          if (h[i]) r.headers = h[i];
          return r;
        });
        const envelopes = packEnvelopes(records, groupOf);
        const back = envelopes.map((e, offset) => unpackEnvelope(0, offset, e.key, e.value, e.headers));
        // Every envelope's records belong to its key's group (they go to its partition).
        for (const [i, e] of envelopes.entries())
          for (const r of back[i]!) assert.equal(groupOf(r.key), groupOf(e.key));
        const flat = back.flat();
        for (const key of ['a', 'b', 'c', 'd', 'e']) {
          assert.deepEqual(
            flat.filter((r) => r.key === key).map((r) => [r.value, r.headers]),
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
