// The bus contract (bus-contract.ts) on Kafka: each test gets its own topic, dead-letter topic
// and consumer group on the broker of scripts/services. Then what the adapter writes to the
// topic itself, as any other Kafka client reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busContract } from './bus-contract.ts';
import { KAFKA_SKIP, kafkaBusUnderTest, readTopic, testOptions } from './kafka-test-env.ts';
import { KafkaBusConsumer } from './kafka-consumer.ts';
import { kafkaPartition } from './kafka-producer.ts';
import { KEYED_COUNT_HEADER } from './kafka-envelope.ts';

busContract('kafka', () => kafkaBusUnderTest(testOptions()), { skip: KAFKA_SKIP });

test(
  "one publish's records of many keys share an envelope per partition, each on its key's partition",
  { skip: KAFKA_SKIP },
  async () => {
    const opts = testOptions();
    const bus = await kafkaBusUnderTest(opts);
    const consumer = new KafkaBusConsumer(opts);
    try {
      // As ingest publishes a request: one reading per meter, keyed by transformer.
      const records = Array.from({ length: 200 }, (_, i) => ({ key: `TX-${i % 23}`, value: `r${i}` }));
      await bus.producer.publish(records);
      // Everything the topic holds (the read stops at its timeout), not just the first few.
      const raw = await readTopic(opts.topic, records.length, 3000);
      // One Kafka record per partition, each holding several keys, together all 200, sent where
      // a Java client would send its first key.
      assert.equal(raw.length, opts.partitions);
      assert.equal(
        raw.reduce((n, r) => n + Number(r.headers[KEYED_COUNT_HEADER]), 0),
        records.length,
      );
      for (const r of raw) {
        assert.equal(r.partition, kafkaPartition(r.key, opts.partitions));
        assert.ok(
          Number(r.headers[KEYED_COUNT_HEADER]) > 1,
          `partition ${r.partition} holds a keyed envelope`,
        );
      }
      // Nothing is committed, so each poll hands out everything from the start again.
      let got = await consumer.poll(1000);
      const deadline = Date.now() + 15_000;
      while (got.length < records.length && Date.now() < deadline) got = await consumer.poll(1000);
      // Every record back with its own key, on its key's partition, in publish order per key.
      assert.deepEqual(got.map((r) => [r.key, r.value]).sort(), records.map((r) => [r.key, r.value]).sort());
      for (const r of got) assert.equal(r.partition, kafkaPartition(r.key, opts.partitions));
      for (let k = 0; k < 23; k++) {
        const seq = got.filter((r) => r.key === `TX-${k}`).map((r) => Number(r.value.slice(1)));
        assert.deepEqual(
          seq,
          [...seq].sort((a, b) => a - b),
        );
      }
    } finally {
      await consumer.close();
      await bus.cleanup();
    }
  },
);
