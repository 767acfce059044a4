// What every bus must do, as one node:test suite run against each implementation (the SQLite
// bus embedded, Kafka at scale: sqlite-bus-contract.test.ts, kafka-bus.test.ts), so the two
// columns cannot drift. It states the contract ProcessorLoop relies on: per-key order, a batch
// that was not committed comes back (to this consumer and to the next one in the group), a
// committed one never does, dead letters keep the reason, lag counts what is not committed yet,
// and headers (W3C traceparent) pass through unchanged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextOffsets } from '../../modules/processor/processor-loop.ts';
import type { BusConsumer, BusProducer, BusRecord, ConsumedRecord } from './bus.ts';

export interface DeadLetter {
  key: string;
  value: string;
  reason: string;
  headers: Record<string, string>;
}

export interface BusUnderTest {
  producer: BusProducer;
  /** The group every consumer() joins. */
  group: string;
  /** A new consumer of the group; after another one closed it resumes from the group's commits. */
  consumer(): Promise<BusConsumer>;
  /** Dead letters parked so far, at least `atLeast` of them (waiting for them where needed). */
  deadLetters(atLeast: number): Promise<DeadLetter[]>;
  cleanup(): Promise<void>;
}

/** A fresh, empty bus (its own file or topic and group). */
export type BusFactory = () => Promise<BusUnderTest>;

export interface BusContractOptions {
  /** A reason to skip the suite (a missing service, outside CI). */
  skip?: string | false;
  /** How long pollUntil waits for records that a fetch has not brought in yet. */
  pollTimeoutMs?: number;
}

/**
 * Polls without committing until at least `n` records are in hand (an uncommitted poll returns
 * the same records again, plus any that arrived since), or the timeout passes.
 */
export async function pollUntil(
  c: BusConsumer,
  n: number,
  timeoutMs = 15_000,
  max = 10_000,
): Promise<ConsumedRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let got = await c.poll(max);
  while (got.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    got = await c.poll(max);
  }
  return got;
}

const ids = (records: readonly ConsumedRecord[]) =>
  records.map((r) => `${r.partition}:${r.offset}:${r.value}`);
const values = (records: readonly ConsumedRecord[]) => records.map((r) => r.value).sort();

function numbered(n: number, keys: number, from = 0): BusRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: `MTR-${(from + i) % keys}`, value: String(from + i) }));
}

export function busContract(name: string, make: BusFactory, opts: BusContractOptions = {}): void {
  const timeout = opts.pollTimeoutMs ?? 15_000;
  const withBus = (fn: (b: BusUnderTest) => Promise<void>) => async () => {
    const bus = await make();
    // Consumers a failed test left open are closed too: a Kafka member's heartbeat timers
    // would keep the test file's process alive, and the run would hang instead of failing.
    const opened: BusConsumer[] = [];
    const consumer = async () => {
      const c = await bus.consumer();
      opened.push(c);
      return c;
    };
    try {
      await fn({ ...bus, consumer });
    } finally {
      for (const c of opened) await c.close().catch(() => {});
      await bus.cleanup();
    }
  };

  describe(`Bus contract: ${name}`, { skip: opts.skip ?? false }, () => {
    test(
      "one key's records stay in publish order on one partition",
      withBus(async (bus) => {
        const records = numbered(100, 7);
        await Promise.all([
          bus.producer.publish(records.slice(0, 50)),
          bus.producer.publish(records.slice(50)),
        ]);
        const c = await bus.consumer();
        const got = await pollUntil(c, 100, timeout);
        assert.equal(got.length, 100);
        const byKey = new Map<string, ConsumedRecord[]>();
        for (const r of got) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
        assert.equal(byKey.size, 7);
        for (const [key, list] of byKey) {
          assert.equal(new Set(list.map((r) => r.partition)).size, 1, `${key} on one partition`);
          const seq = list.map((r) => Number(r.value));
          assert.deepEqual(
            seq,
            [...seq].sort((a, b) => a - b),
            `${key} in order`,
          );
          const offsets = list.map((r) => r.offset);
          assert.deepEqual(
            offsets,
            [...offsets].sort((a, b) => a - b),
          );
        }
        await c.close();
      }),
    );

    test(
      'a batch that was not committed is returned again, to this consumer and to the next one',
      withBus(async (bus) => {
        await bus.producer.publish(numbered(40, 5));
        const c1 = await bus.consumer();
        const first = await pollUntil(c1, 40, timeout);
        assert.equal(first.length, 40);
        // The store was down: no commit. The loop polls again after a backoff.
        const again = await c1.poll(1000);
        assert.deepEqual(ids(again), ids(first));
        await c1.close();
        const c2 = await bus.consumer();
        assert.deepEqual(values(await pollUntil(c2, 40, timeout)), values(first));
        await c2.close();
      }),
    );

    test(
      'a committed batch is never returned again, by this consumer or the next one',
      withBus(async (bus) => {
        await bus.producer.publish(numbered(30, 4));
        const c1 = await bus.consumer();
        const got = await pollUntil(c1, 30, timeout);
        await c1.commit(nextOffsets(got));
        assert.deepEqual(await c1.poll(1000), []);
        await c1.close();
        const c2 = await bus.consumer();
        assert.deepEqual(await c2.poll(1000), []);
        await bus.producer.publish(numbered(5, 4, 30));
        assert.deepEqual(values(await pollUntil(c2, 5, timeout)), ['30', '31', '32', '33', '34']);
        await c2.close();
      }),
    );

    test(
      'committing what a short poll handed out skips nothing that it did not hand out',
      withBus(async (bus) => {
        await bus.producer.publish(numbered(20, 2));
        const c = await bus.consumer();
        await pollUntil(c, 20, timeout);
        const seen: string[] = [];
        for (let i = 0; i < 20; i++) {
          const got = await c.poll(3);
          if (got.length === 0) break;
          assert.ok(got.length >= 1);
          seen.push(...got.map((r) => r.value));
          await c.commit(nextOffsets(got));
        }
        assert.deepEqual(
          seen.map(Number).sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i),
        );
        await c.close();
      }),
    );

    test(
      'the next consumer of the group resumes exactly at the committed offsets',
      withBus(async (bus) => {
        // One publish per record: records published together with one key may share an offset
        // (the Kafka adapter's envelopes) and are then committed together.
        for (const r of numbered(10, 1)) await bus.producer.publish([r]);
        const c1 = await bus.consumer();
        const got = await pollUntil(c1, 10, timeout);
        const first = got[0]!;
        // Half of the batch was written: only its first 4 records are committed.
        await c1.commit(new Map([[first.partition, first.offset + 4]]));
        const rest = await pollUntil(c1, 6, timeout);
        assert.deepEqual(
          rest.map((r) => r.value),
          ['4', '5', '6', '7', '8', '9'],
        );
        await c1.close();
        const c2 = await bus.consumer();
        assert.deepEqual(
          (await pollUntil(c2, 6, timeout)).map((r) => r.value),
          ['4', '5', '6', '7', '8', '9'],
        );
        await c2.close();
      }),
    );

    test(
      'lag counts the records the group has not committed',
      withBus(async (bus) => {
        // Three publishes: records of one publish and key may share an offset (see above).
        for (const from of [0, 10, 20]) await bus.producer.publish(numbered(10, 3, from));
        assert.equal(await bus.producer.lag(bus.group), 30);
        const c = await bus.consumer();
        const got = await pollUntil(c, 30, timeout);
        // Asked after a poll: on Kafka the lag is counted in envelopes and scaled by the records
        // per envelope the client has seen (kafka-envelope.ts).
        assert.equal(await c.lag(), 30);
        // Values 0-9 come first on every partition (publishes keep their order per partition),
        // so committing past them leaves exactly the other twenty.
        const firstTen = got.filter((r) => Number(r.value) < 10);
        assert.equal(firstTen.length, 10);
        await c.commit(nextOffsets(firstTen));
        await waitFor(async () => (await c.lag()) === 20 && (await bus.producer.lag(bus.group)) === 20);
        await c.commit(nextOffsets(got));
        await waitFor(async () => (await c.lag()) === 0 && (await bus.producer.lag(bus.group)) === 0);
        await c.close();
      }),
    );

    test(
      'headers pass through unchanged; a record without headers has none',
      withBus(async (bus) => {
        const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        await bus.producer.publish([
          { key: 'MTR-1', value: '{"a":1}', headers: { traceparent, tracestate: 'gridops=1' } },
          { key: 'MTR-1', value: '{"a":2}' },
        ]);
        const c = await bus.consumer();
        const [a, b] = await pollUntil(c, 2, timeout);
        assert.deepEqual(a?.headers, { traceparent, tracestate: 'gridops=1' });
        assert.equal(Object.keys(b?.headers ?? {}).length, 0);
        await c.close();
      }),
    );

    test(
      'a dead letter keeps the record, its headers and the reason',
      withBus(async (bus) => {
        const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
        await bus.producer.publish([
          { key: 'MTR-9', value: 'not json', headers: { traceparent } },
          { key: 'MTR-9', value: '{"ok":true}' },
        ]);
        const c = await bus.consumer();
        const got = await pollUntil(c, 2, timeout);
        await c.deadLetter(got[0]!, 'decode: Unexpected token');
        await c.commit(nextOffsets(got));
        const dead = await bus.deadLetters(1);
        assert.equal(dead.length, 1);
        assert.equal(dead[0]!.key, 'MTR-9');
        assert.equal(dead[0]!.value, 'not json');
        assert.equal(dead[0]!.reason, 'decode: Unexpected token');
        assert.equal(dead[0]!.headers.traceparent, traceparent);
        await c.close();
      }),
    );
  });
}

/** Waits until `check` holds (lag answers may be cached briefly). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
