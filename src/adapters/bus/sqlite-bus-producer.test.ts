import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { SqliteBusConsumer } from './sqlite-bus.ts';
import { SqliteBusProducer, toChunks } from './sqlite-bus-producer.ts';
import { partitionFor } from './bus.ts';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-bus-'));
  const opts = { path: join(dir, 'bus.db'), partitions: 4, synchronous: 'NORMAL' as const };
  return { opts, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const records = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `TX-${(from + i) % 5}`, value: String(from + i) }));

async function stored(opts: ReturnType<typeof setup>['opts']): Promise<string[]> {
  const c = new SqliteBusConsumer({ ...opts, group: 'processor' });
  const got = await c.poll(10_000);
  await c.close();
  return got.map((r) => r.value).sort((a, b) => Number(a) - Number(b));
}

test('toChunks keeps each partition in publish order, headers only where a record has some', () => {
  const recs = [
    { key: 'a', value: '1' },
    { key: 'b', value: '2', headers: { traceparent: 't' } },
    { key: 'a', value: '3' },
  ];
  const chunks = toChunks(recs, 3);
  assert.equal(
    chunks.reduce((n, c) => n + c.count, 0),
    3,
  );
  const a = chunks.find((c) => c.partition === partitionFor('a', 3))!;
  assert.equal(a.values, partitionFor('a', 3) === partitionFor('b', 3) ? '1\n2\n3' : '1\n3');
  const b = chunks.find((c) => c.partition === partitionFor('b', 3))!;
  assert.match(b.headers!, /traceparent/);
});

test('publishes grouped into one commit keep their order and each record its own headers', async () => {
  const { opts, cleanup } = setup();
  const producer = new SqliteBusProducer(opts);
  // Published in one turn, so they share one group commit: runs of the same partition from
  // publishes with and without headers are merged into one chunk.
  const plain = records(0, 20);
  const traced = records(20, 20).map((r) => ({ ...r, headers: { traceparent: `t-${r.value}` } }));
  await Promise.all([producer.publish(plain), producer.publish(traced), producer.publish(records(40, 20))]);
  const c = new SqliteBusConsumer({ ...opts, group: 'processor' });
  const got = await c.poll(10_000);
  await c.close();
  await producer.close();
  assert.equal(got.length, 60);
  for (const r of got) {
    const v = Number(r.value);
    assert.deepEqual(r.headers, v >= 20 && v < 40 ? { traceparent: `t-${v}` } : undefined, r.value);
  }
  for (let p = 0; p < opts.partitions; p++) {
    const values = got.filter((r) => r.partition === p).map((r) => Number(r.value));
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      `partition ${p} in publish order`,
    );
  }
  cleanup();
});

test('close commits everything published before it', async () => {
  const { opts, cleanup } = setup();
  const producer = new SqliteBusProducer(opts);
  const published = [producer.publish(records(0, 50)), producer.publish(records(50, 50))];
  await producer.close();
  await Promise.all(published);
  assert.equal((await stored(opts)).length, 100);
  await assert.rejects(producer.publish(records(100, 1)), /closed/);
  cleanup();
});

test('a writer thread that dies never leaves a publish unanswered or acks what is not stored', async () => {
  const { opts, cleanup } = setup();
  const producer = new SqliteBusProducer(opts);
  await producer.publish(records(0, 10));
  // White box: the thread is private; killing it is how a crash of the writer looks here.
  const writer = (producer as unknown as { writer: Worker }).writer;
  const inFlight = producer.publish(records(10, 10));
  await new Promise((r) => setImmediate(r)); // the group is sent to the writer in this turn
  await writer.terminate();
  // Usually the thread dies before it answers and the publish is refused; on a loaded machine
  // it may commit and answer first. Either is right; hanging, or an ack of nothing, is not.
  const outcome = await Promise.race([
    inFlight.then(
      () => 'acked',
      (err: Error) => (/exited|terminated/.test(err.message) ? 'refused' : err.message),
    ),
    new Promise((r) => setTimeout(() => r('unanswered'), 5000)),
  ]);
  assert.ok(outcome === 'acked' || outcome === 'refused', String(outcome));
  await producer.publish(records(20, 10)); // a new writer thread
  const values = await stored(opts);
  const acked = [...records(0, 10), ...(outcome === 'acked' ? records(10, 10) : []), ...records(20, 10)];
  for (const v of acked) assert.ok(values.includes(v.value), v.value);
  await producer.close();
  cleanup();
});

test('a lag is read while the writer works and counts every committed record', async () => {
  const { opts, cleanup } = setup();
  const producer = new SqliteBusProducer(opts);
  await Promise.all([producer.publish(records(0, 30)), producer.publish(records(30, 12))]);
  assert.equal(await producer.lag('processor'), 42);
  await producer.close();
  cleanup();
});

test('publishes sharing a commit keep their order and their own headers', async () => {
  const { opts, cleanup } = setup();
  const producer = new SqliteBusProducer(opts);
  const traced = [{ key: 'TX-1', value: 'a', headers: { traceparent: 't1' } }];
  const plain = [
    { key: 'TX-1', value: 'b' },
    { key: 'TX-1', value: 'c' },
  ];
  await Promise.all([producer.publish(traced), producer.publish(plain), producer.publish(traced)]);
  const c = new SqliteBusConsumer({ ...opts, group: 'processor' });
  const got = await c.poll(100);
  assert.deepEqual(
    got.map((r) => [r.value, r.headers?.traceparent ?? null]),
    [
      ['a', 't1'],
      ['b', null],
      ['c', null],
      ['a', 't1'],
    ],
  );
  await c.close();
  await producer.close();
  cleanup();
});
