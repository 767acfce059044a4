import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventUuid, hashInts, hashString, mulberry32, normal } from './prng.ts';

test('mulberry32 repeats for a seed and stays in [0, 1)', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notEqual(mulberry32(43)(), xs[0]);
});

test('normal samples have mean ~0 and variance ~1', () => {
  const rng = mulberry32(7);
  const n = 20_000;
  const xs = Array.from({ length: n }, () => normal(rng));
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
});

test('hashes are stable and spread', () => {
  assert.equal(hashInts(1, 2, 3), hashInts(1, 2, 3));
  assert.notEqual(hashInts(1, 2, 3), hashInts(1, 2, 4));
  assert.notEqual(hashString('MTR-0000001', 1), hashString('MTR-0000001', 2));
});

test('eventUuid is a deterministic RFC 9562 v8 UUID without collisions in a day of a fleet', () => {
  const id = eventUuid(42, 1, 2, 3);
  assert.equal(id, eventUuid(42, 1, 2, 3));
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const seen = new Set<string>();
  for (let meter = 0; meter < 500; meter++) {
    for (let t = 0; t < 96; t++)
      seen.add(eventUuid(42, 7, hashString(`MTR-${meter}`, 42), 1_768_000_000 + t * 900));
  }
  assert.equal(seen.size, 500 * 96);
});
