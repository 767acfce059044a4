// A broker that refuses connections, or accepts them and never answers: publish() must reject
// (ingest answers 503) within publishTimeoutMs instead of hanging, and nothing is acknowledged.
// No broker needed, so these run everywhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { BusRecord } from './bus.ts';
import { isGridOpsError } from '../../app/errors.ts';
import { KafkaBusConsumer } from './kafka-consumer.ts';
import { KafkaBusProducer } from './kafka-producer.ts';

const base = { clientId: 'gridops-test', topic: 'unreachable', partitions: 2, group: 'g' };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Publishes records made here, so that nothing but the producer can keep them. */
function publishSome(producer: KafkaBusProducer): { held: WeakRef<BusRecord[]>; published: Promise<void> } {
  const records: BusRecord[] = Array.from({ length: 100 }, (_, i) => ({
    key: `TX-${i % 3}`,
    value: `reading ${i}`,
  }));
  return { held: new WeakRef(records), published: producer.publish(records) };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('Kafka adapter without a broker', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentBroker = '';
  let closedBroker = '';
  before(async () => {
    silent = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentBroker = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    closedBroker = `127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  test('publish rejects with a coded error when the broker refuses connections', async () => {
    const producer = new KafkaBusProducer({ ...base, brokers: [closedBroker], retries: 1, retryDelayMs: 50 });
    const t0 = Date.now();
    await assert.rejects(producer.publish([{ key: 'MTR-1', value: '{}' }]), (err) => {
      assert.ok(isGridOpsError(err));
      assert.equal(err.code, 'SG_ERR_BUS');
      return true;
    });
    assert.ok(Date.now() - t0 < 10_000);
    await assert.rejects(producer.lag('g'), (err) => {
      assert.ok(isGridOpsError(err));
      assert.equal(err.code, 'SG_ERR_BUS_UNAVAILABLE');
      assert.equal(err.statusCode, 503);
      return true;
    });
    await producer.close();
  });

  test('publish rejects after publishTimeoutMs when the broker accepts but never answers', async () => {
    const producer = new KafkaBusProducer({ ...base, brokers: [silentBroker], publishTimeoutMs: 800 });
    const t0 = Date.now();
    const results = await Promise.allSettled([
      producer.publish([{ key: 'MTR-1', value: '{}' }]),
      producer.publish([{ key: 'MTR-2', value: '{}' }]),
    ]);
    const took = Date.now() - t0;
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.match(String((r as PromiseRejectedResult).reason.message), /not acknowledged within 800 ms/);
    }
    assert.ok(took >= 700 && took < 5000, `rejected after ${took} ms`);
    const c0 = Date.now();
    await producer.close();
    assert.ok(Date.now() - c0 < 5000, 'close does not hang');
  });

  test('a publish waiting for the broker holds its envelopes, not the records it was given', async () => {
    // Ingest hands over a request's records and keeps nothing; held until the broker answered
    // (a round trip at least), they outlived the ingest thread's young collections by the
    // thousand and were promoted, as the embedded bus's once were (ingest-retention.test.ts).
    const producer = new KafkaBusProducer({ ...base, brokers: [silentBroker], publishTimeoutMs: 2000 });
    const { held, published } = publishSome(producer);
    await new Promise((r) => setImmediate(r));
    gc();
    assert.equal(held.deref(), undefined, 'the records were still referenced while the send was awaited');
    await assert.rejects(published, /not acknowledged within 2000 ms/);
    await producer.close();
  });

  test('poll and commit reject with a coded error when the broker refuses connections', async () => {
    const consumer = new KafkaBusConsumer({ ...base, brokers: [closedBroker], retries: 1, retryDelayMs: 50 });
    await assert.rejects(consumer.poll(10), (err) => isGridOpsError(err) && err.code === 'SG_ERR_BUS');
    await assert.rejects(
      consumer.commit(new Map([[0, 1]])),
      (err) => isGridOpsError(err) && err.code === 'SG_ERR_BUS',
    );
    await consumer.close();
  });
});
