// The position check's rules, over real PartitionBuffers and a broker kept in two maps
// (committed offsets, log ends). kafka-group.test.ts runs it against the real broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedRecord } from './bus.ts';
import { PartitionBuffers } from './kafka-partitions.ts';
import { PositionCheck } from './kafka-position-check.ts';

const recs = (partition: number, from: number, n: number): ConsumedRecord[] =>
  Array.from({ length: n }, (_, i) => ({ partition, offset: from + i, key: 'k', value: `${from + i}` }));

/** Partitions 0..n-1 positioned at 0, each fetched and committed up to `to`. */
function member(n: number, to: number) {
  const parts = new PartitionBuffers();
  parts.assign(Array.from({ length: n }, (_, p) => p));
  for (const s of parts.unpositioned()) parts.position(s, 0);
  for (const s of parts.fetchable(100)) {
    parts.append(s, 0, recs(s.partition, 0, to), to);
    parts.committed(s.partition, to);
  }
  const broker = {
    committed: new Map(Array.from({ length: n }, (_, p) => [p, to])),
    ends: new Map(Array.from({ length: n }, (_, p) => [p, to])),
  };
  const calls = {
    commits: [] as Map<number, number>[],
    restarts: [] as number[][],
    warnings: [] as string[],
  };
  const check = new PositionCheck({
    caughtUp: () => parts.caughtUp(),
    unpositioned: () => parts.unpositioned(),
    stillOwned: (s) => parts.holds(s),
    readCommitted: async (ps) => new Map(ps.map((p) => [p, broker.committed.get(p) ?? -1])),
    readEnds: async (ps) => new Map(ps.map((p) => [p, broker.ends.get(p) ?? 0])),
    commit: async (offsets) => {
      calls.commits.push(offsets);
      for (const [p, o] of offsets) broker.committed.set(p, o);
    },
    restartFetching: (ps) => calls.restarts.push(ps),
    warn: (_fields, msg) => calls.warnings.push(msg),
  });
  return { parts, broker, calls, check };
}

test('a committed offset gone back behind a partition read to the end is committed again', async () => {
  const m = member(3, 10);
  assert.deepEqual(await m.check.run(), { recommitted: [], stuck: [] }, 'nothing to do when all agree');
  m.broker.committed.set(1, 4); // a previous owner's late commit
  const r = await m.check.run();
  assert.deepEqual(r.recommitted, [1]);
  assert.deepEqual([...m.calls.commits[0]!], [[1, 10]]);
  assert.equal(m.broker.committed.get(1), 10);
  assert.match(m.calls.warnings[0]!, /late commit by a previous owner/);
});

test('a partition the group never committed (empty, or read from the log start) is left alone', async () => {
  const m = member(2, 0);
  m.broker.committed.set(0, -1);
  m.broker.committed.delete(1);
  assert.deepEqual(await m.check.run(), { recommitted: [], stuck: [] });
  assert.equal(m.calls.warnings.length, 0);
});

test('a partition with records buffered (a batch in hand) is left to its own commit', async () => {
  const m = member(2, 10);
  const s = m.parts.fetchable(100).find((x) => x.partition === 0)!;
  m.parts.append(s, 10, recs(0, 10, 5), 15);
  m.broker.ends.set(0, 15);
  m.broker.committed.set(0, 4);
  m.broker.committed.set(1, 4);
  const r = await m.check.run();
  assert.deepEqual(r.recommitted, [1], 'only the partition read to the end');
});

test('a revoked partition is not committed by the check', async () => {
  const m = member(2, 10);
  m.broker.committed.set(0, 4);
  m.parts.assign([1]);
  assert.deepEqual((await m.check.run()).recommitted, []);
  assert.equal(m.calls.commits.length, 0);
});

test('records after the position, none fetched at two checks in a row: fetching restarts', async () => {
  const m = member(2, 10);
  m.broker.ends.set(0, 12);
  assert.deepEqual((await m.check.run()).stuck, [], 'once is a fetch not yet made');
  assert.deepEqual((await m.check.run()).stuck, [0]);
  assert.deepEqual(m.calls.restarts, [[0]]);
  assert.match(m.calls.warnings[0]!, /fetch not advancing/);
});

test('a fetch that moved between checks is not stuck, nor is a partition reassigned since', async () => {
  const m = member(2, 10);
  m.broker.ends.set(0, 20);
  m.broker.ends.set(1, 20);
  await m.check.run();
  const s0 = m.parts.fetchable(100).find((x) => x.partition === 0)!;
  m.parts.append(s0, 10, recs(0, 10, 5), 15);
  m.parts.committed(0, 15);
  m.broker.committed.set(0, 15);
  // Partition 1 revoked and assigned back: a new state, positioned afresh at the same offset.
  m.parts.assign([0]);
  m.parts.assign([0, 1]);
  for (const s of m.parts.unpositioned()) m.parts.position(s, 10);
  assert.deepEqual((await m.check.run()).stuck, []);
  assert.deepEqual((await m.check.run()).stuck, [0, 1], 'still no progress at the next check');
});

test('a partition still without a position at two checks in a row: fetching restarts', async () => {
  const m = member(1, 10);
  m.parts.assign([0, 1]);
  assert.deepEqual((await m.check.run()).stuck, []);
  assert.deepEqual((await m.check.run()).stuck, [1]);
  assert.deepEqual(m.calls.restarts, [[1]]);
  const [s1] = m.parts.unpositioned();
  m.parts.position(s1!, 0);
  assert.deepEqual((await m.check.run()).stuck, [], 'positioned since');
});

test('concurrent calls share one check', async () => {
  const m = member(1, 10);
  m.broker.committed.set(0, 3);
  const [a, b] = await Promise.all([m.check.run(), m.check.run()]);
  assert.equal(a, b);
  assert.equal(m.calls.commits.length, 1);
});
