import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedRecord } from './bus.ts';
import { PartitionBuffers } from './kafka-partitions.ts';

const recs = (partition: number, from: number, n: number): ConsumedRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    partition,
    offset: from + i,
    key: `k${partition}`,
    value: `${from + i}`,
  }));

function positioned(parts: number[], at = 0) {
  const b = new PartitionBuffers();
  b.assign(parts);
  for (const s of b.unpositioned()) b.position(s, at);
  return b;
}

test('take hands out the same records until they are committed, then the next ones', () => {
  const b = positioned([0]);
  const [s] = b.fetchable(100);
  assert.ok(b.append(s!, 0, recs(0, 0, 10), 10));
  assert.deepEqual(
    b.take(4).map((r) => r.offset),
    [0, 1, 2, 3],
  );
  assert.deepEqual(
    b.take(4).map((r) => r.offset),
    [0, 1, 2, 3],
  );
  b.committed(0, 4);
  assert.deepEqual(
    b.take(4).map((r) => r.offset),
    [4, 5, 6, 7],
  );
  assert.equal(b.available(), 6);
});

test('take never splits the records of one envelope (one offset), so a commit never skips part of it', () => {
  const b = positioned([0]);
  const [s] = b.fetchable(100);
  const envelope = (offset: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ partition: 0, offset, key: 'k', value: `${offset}.${i}` }));
  assert.ok(b.append(s!, 0, [...envelope(0, 3), ...envelope(1, 4), ...envelope(2, 1)], 3));
  assert.deepEqual(
    b.take(2).map((r) => r.value),
    ['0.0', '0.1', '0.2'],
  );
  assert.deepEqual(
    b.take(4).map((r) => r.offset),
    [0, 0, 0, 1, 1, 1, 1],
  );
  b.committed(0, 1);
  assert.deepEqual(
    b.take(100).map((r) => r.value),
    ['1.0', '1.1', '1.2', '1.3', '2.0'],
  );
});

test('take shares the batch between partitions so a deep backlog does not starve the others', () => {
  const b = positioned([0, 1, 2]);
  const states = b.fetchable(100);
  b.append(states[0]!, 0, recs(0, 0, 50), 50);
  b.append(states[1]!, 0, recs(1, 0, 2), 2);
  b.append(states[2]!, 0, recs(2, 0, 50), 50);
  const got = b.take(30);
  const per = (p: number) => got.filter((r) => r.partition === p).length;
  assert.equal(got.length, 30);
  assert.equal(per(1), 2);
  assert.equal(per(0) + per(2), 28);
  assert.ok(Math.abs(per(0) - per(2)) <= 1);
});

test('a fetch answer for a revoked partition, or for an offset no longer wanted, is dropped', () => {
  const b = positioned([0, 1]);
  const [s0, s1] = b.fetchable(100);
  b.assign([1]);
  assert.equal(b.append(s0!, 0, recs(0, 0, 5), 5), false);
  assert.equal(b.owns(0), false);
  // Assigned back: a fresh state that starts at the group's committed offset, not the old answer's.
  b.assign([0, 1]);
  assert.equal(b.append(s0!, 0, recs(0, 0, 5), 5), false);
  const [fresh] = b.unpositioned();
  b.position(fresh!, 3);
  assert.ok(b.append(fresh!, 3, recs(0, 0, 8), 8), 'a batch starting before the offset asked for');
  assert.deepEqual(
    b
      .take(100)
      .filter((r) => r.partition === 0)
      .map((r) => r.offset),
    [3, 4, 5, 6, 7],
  );
  assert.ok(b.append(s1!, 0, recs(1, 0, 2), 2));
  assert.equal(b.append(s1!, 0, recs(1, 0, 2), 2), false, 'the same offset twice');
});

test('revoking drops the buffered records; commits of unowned partitions change nothing', () => {
  const b = positioned([0, 1]);
  const [s0, s1] = b.fetchable(100);
  b.append(s0!, 0, recs(0, 0, 5), 5);
  b.append(s1!, 0, recs(1, 0, 5), 5);
  b.assign([1]);
  assert.deepEqual(new Set(b.take(100).map((r) => r.partition)), new Set([1]));
  b.committed(0, 5);
  assert.equal(b.available(), 5);
});

test('a partition with a full buffer is not fetched until a commit makes room', () => {
  const b = positioned([0]);
  const [s] = b.fetchable(10);
  b.append(s!, 0, recs(0, 0, 10), 10);
  assert.deepEqual(b.fetchable(10), []);
  b.committed(0, 6);
  assert.equal(b.fetchable(10).length, 1);
  assert.equal(b.fetchable(10)[0]!.fetchOffset, 10);
});

test('a control batch moves the fetch position without records', () => {
  const b = positioned([0], 7);
  const [s] = b.fetchable(10);
  assert.ok(b.append(s!, 7, [], 9));
  assert.equal(s!.fetchOffset, 9);
  b.reposition(s!, 9, 20);
  assert.equal(s!.committed, 20);
  assert.equal(s!.fetchOffset, 20);
});
