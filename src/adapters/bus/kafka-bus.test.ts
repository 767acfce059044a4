// The bus contract (bus-contract.ts) on Kafka: each test gets its own topic, dead-letter topic
// and consumer group on the broker of scripts/services.
import { busContract } from './bus-contract.ts';
import { KafkaBusConsumer } from './kafka-consumer.ts';
import { dlqTopic, DLQ_HEADERS } from './kafka-options.ts';
import { KafkaBusProducer } from './kafka-producer.ts';
import { KAFKA_SKIP, deleteTopics, readTopic, testOptions } from './kafka-test-env.ts';

busContract(
  'kafka',
  async () => {
    const opts = testOptions();
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
  },
  { skip: KAFKA_SKIP },
);
