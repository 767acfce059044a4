// What the Kafka suites share: the broker (GRIDOPS_KAFKA_BROKERS, from scripts/services),
// skipped locally when unset but failed in CI, unique topic and group names per test (suites
// run in parallel against one broker), and a reader of a topic from its first record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka';
import { dlqTopic, DLQ_HEADERS, type KafkaConsumerOptions } from './kafka-options.ts';
import type { BusUnderTest } from './bus-contract.ts';
import { KafkaBusConsumer } from './kafka-consumer.ts';
import { KafkaBusProducer } from './kafka-producer.ts';

export const KAFKA_BROKERS = (process.env.GRIDOPS_KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b !== '');
const why = 'GRIDOPS_KAFKA_BROKERS is not set (scripts/services up)';
/** For describe()/test() `skip`: the reason locally, false when the broker is there. */
export const KAFKA_SKIP: string | false = KAFKA_BROKERS.length > 0 ? false : why;
if (KAFKA_BROKERS.length === 0 && process.env.CI === 'true') {
  test('Kafka is available in CI', () => assert.fail(why));
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Options for a private topic and group, with timeouts short enough for tests. */
export function testOptions(extra: Partial<KafkaConsumerOptions> = {}): KafkaConsumerOptions {
  const topic = uniqueName('gridops-test');
  return {
    brokers: KAFKA_BROKERS,
    clientId: 'gridops-test',
    topic,
    partitions: 4,
    replication: 1,
    group: `${topic}.processor`,
    // The broker's group.min.session.timeout.ms is 6 s by default.
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
    rebalanceTimeoutMs: 6000,
    fetchMaxWaitMs: 100,
    lagCacheMs: 0,
    ...extra,
  };
}

export interface TopicRecord {
  key: string;
  value: string;
  partition: number;
  offset: number;
  headers: Record<string, string>;
}

/** Reads a topic from its start until `atLeast` records arrived or `timeoutMs` passed. */
export async function readTopic(topic: string, atLeast: number, timeoutMs = 15_000): Promise<TopicRecord[]> {
  const consumer = new Consumer({
    clientId: 'gridops-test-reader',
    groupId: uniqueName('reader'),
    bootstrapBrokers: KAFKA_BROKERS,
    deserializers: stringDeserializers,
    autocommit: false,
  });
  const out: TopicRecord[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const deadline = setTimeout(() => void stream.close(), timeoutMs);
    for await (const m of stream) {
      out.push({
        key: m.key,
        value: m.value,
        partition: m.partition,
        offset: Number(m.offset),
        headers: Object.fromEntries(m.headers),
      });
      if (out.length >= atLeast) break;
    }
    clearTimeout(deadline);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return out;
}

/** Deletes test topics; a failure only leaves a topic behind in the throwaway broker. */
export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = new Admin({ clientId: 'gridops-test-admin', bootstrapBrokers: KAFKA_BROKERS });
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // best effort
  } finally {
    await admin.close();
  }
}

/**
 * The bus contract's view of a private topic, its dead-letter topic and group, reached with
 * `opts` (plaintext, TLS or SASL_SSL). Dead letters are read back, and topics deleted, through
 * the plaintext listener of the same broker.
 */
export async function kafkaBusUnderTest(opts: KafkaConsumerOptions): Promise<BusUnderTest> {
  const producer = new KafkaBusProducer(opts);
  // A failed start must not leave the producer's connections open: the file would never exit.
  await producer.start().catch(async (err: unknown) => {
    await producer.close();
    throw err;
  });
  return {
    producer,
    group: opts.group,
    consumer: async () => new KafkaBusConsumer(opts),
    async deadLetters(atLeast) {
      const records = await readTopic(dlqTopic(opts.topic), atLeast);
      return records.map((r) => ({
        key: r.key,
        value: r.value,
        reason: r.headers[DLQ_HEADERS.reason] ?? '',
        headers: r.headers,
      }));
    },
    async cleanup() {
      await producer.close();
      await deleteTopics([opts.topic, dlqTopic(opts.topic)]);
    },
  };
}
