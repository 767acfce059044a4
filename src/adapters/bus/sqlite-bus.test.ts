import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBusConsumer } from './sqlite-bus.ts';
import { SqliteBusProducer } from './sqlite-bus-producer.ts';
import { partitionFor } from './bus.ts';

function setup(partitions = 4) {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-bus-'));
  const opts = { path: join(dir, 'bus.db'), partitions, synchronous: 'NORMAL' as const };
  const producer = new SqliteBusProducer(opts);
  const consumer = () => new SqliteBusConsumer({ ...opts, group: 'processor' });
  return { opts, producer, consumer, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('records keep per-key order on one partition and replay until committed', async () => {
  const { producer, consumer, cleanup } = setup();
  const records = Array.from({ length: 100 }, (_, i) => ({
    key: `MTR-${i % 7}`,
    value: JSON.stringify({ i }),
  }));
  await Promise.all([producer.publish(records.slice(0, 50)), producer.publish(records.slice(50))]);
  assert.equal(await producer.lag('processor'), 100);

  const c1 = consumer();
  const got = await c1.poll(1000);
  assert.equal(got.length, 100);
  for (const r of got) assert.equal(r.partition, partitionFor(r.key, 4));
  const perKey = new Map<string, number[]>();
  for (const r of got)
    perKey.set(r.key, [...(perKey.get(r.key) ?? []), (JSON.parse(r.value) as { i: number }).i]);
  for (const seq of perKey.values())
    assert.deepEqual(
      seq,
      [...seq].sort((a, b) => a - b),
    );
  await c1.close();

  // Nothing committed: a new consumer (a restarted processor) sees everything again.
  const c2 = consumer();
  assert.equal((await c2.poll(1000)).length, 100);
  const next = new Map<number, number>();
  for (const r of got) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
  await c2.commit(next);
  assert.equal(await c2.lag(), 0);
  assert.deepEqual(await c2.poll(1000), []);
  await c2.close();
  await producer.close();
  cleanup();
});

test('a partially committed batch resumes at the committed offset', async () => {
  const { producer, consumer, cleanup } = setup(1);
  await producer.publish(Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })));
  const c = consumer();
  await c.commit(new Map([[0, 4]]));
  const rest = await c.poll(100);
  assert.deepEqual(
    rest.map((r) => r.value),
    ['4', '5', '6', '7', '8', '9'],
  );
  assert.equal(await c.lag(), 6);
  await c.close();
  await producer.close();
  cleanup();
});

test('headers survive and dead letters keep the reason', async () => {
  const { producer, consumer, cleanup } = setup(1);
  await producer.publish([
    { key: 'a', value: '{}', headers: { traceparent: '00-abc-def-01' } },
    { key: 'b', value: 'not json' },
  ]);
  const c = consumer();
  const [a, b] = await c.poll(10);
  assert.equal(a?.headers?.traceparent, '00-abc-def-01');
  assert.equal(b?.headers, undefined);
  await c.deadLetter(b!, 'decode: Unexpected token');
  await c.close();
  await producer.close();
  cleanup();
});

test('group members split the partitions: each record goes to exactly one of them', async () => {
  const { producer, cleanup, ...bus } = setup(5);
  const opts = { ...bus.opts, group: 'processor' };
  const records = Array.from({ length: 200 }, (_, i) => ({ key: `TX-${i % 23}`, value: String(i) }));
  await producer.publish(records);
  const members = [0, 1].map((index) => new SqliteBusConsumer({ ...opts, member: { index, count: 2 } }));
  const [a, b] = await Promise.all(members.map((m) => m.poll(1000)));
  assert.deepEqual(new Set(a!.map((r) => r.partition)), new Set([0, 2, 4]));
  assert.deepEqual(new Set(b!.map((r) => r.partition)), new Set([1, 3]));
  assert.deepEqual(
    [...a!, ...b!].map((r) => Number(r.value)).sort((x, y) => x - y),
    records.map((_, i) => i),
  );
  // One member's commit leaves the other's partitions pending.
  const next = new Map<number, number>();
  for (const r of a!) next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
  await members[0]!.commit(next);
  assert.equal(await producer.lag('processor'), b!.length);
  assert.throws(() => new SqliteBusConsumer({ ...opts, member: { index: 2, count: 2 } }), /bad group member/);
  for (const m of members) await m.close();
  await producer.close();
  cleanup();
});
