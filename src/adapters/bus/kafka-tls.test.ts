// The Kafka adapter over TLS and over SASL_SSL with SCRAM-SHA-512, as Amazon MSK serves them
// (ports 9094 and 9096), against the test broker's SSL and SASL_SSL listeners
// (scripts/services): the whole bus contract over SASL_SSL, the configuration keys a user sets
// (GRIDOPS_KAFKA_TLS and friends) down to a record on the wire, and the refusals: a broker
// certificate from an unknown CA, a wrong password.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../app/config.ts';
import { busSettings, openConsumer, openProducer, processorGroup } from '../../app/backends.ts';
import { busContract } from './bus-contract.ts';
import { describeError, dlqTopic, type KafkaConsumerOptions } from './kafka-options.ts';
import { KafkaBusProducer } from './kafka-producer.ts';
import { deleteTopics, kafkaBusUnderTest, testOptions } from './kafka-test-env.ts';

const env = {
  tlsBrokers: process.env.GRIDOPS_TEST_KAFKA_TLS_BROKERS ?? '',
  saslBrokers: process.env.GRIDOPS_TEST_KAFKA_SASL_BROKERS ?? '',
  caFile: process.env.GRIDOPS_TEST_KAFKA_CA_FILE ?? '',
  user: process.env.GRIDOPS_TEST_KAFKA_SCRAM_USER ?? '',
  password: process.env.GRIDOPS_TEST_KAFKA_SCRAM_PASSWORD ?? '',
};
const why = 'GRIDOPS_TEST_KAFKA_{TLS,SASL}_BROKERS are not set (scripts/services up)';
const ready = Object.values(env).every((v) => v !== '') && process.env.GRIDOPS_KAFKA_BROKERS !== undefined;
const skip: string | false = ready ? false : why;
if (!ready && process.env.CI === 'true')
  test('Kafka TLS and SASL listeners are available in CI', () => assert.fail(why));

/** Private topic and group, reached over SASL_SSL (SCRAM-SHA-512) with the test CA. */
function saslOptions(): KafkaConsumerOptions {
  return {
    ...testOptions(),
    brokers: [env.saslBrokers],
    tls: { caFile: env.caFile },
    sasl: { mechanism: 'SCRAM-SHA-512', username: env.user, password: env.password },
  };
}

busContract('kafka over SASL_SSL (SCRAM-SHA-512)', () => kafkaBusUnderTest(saslOptions()), { skip });

describe('Kafka TLS and SASL as configured', { skip }, () => {
  test('GRIDOPS_KAFKA_TLS with a CA file: a record goes over TLS and comes back', async () => {
    const topic = testOptions().topic;
    const config = loadConfig({
      env: {
        GRIDOPS_BUS: 'kafka',
        GRIDOPS_KAFKA_BROKERS: env.tlsBrokers,
        GRIDOPS_KAFKA_TOPIC: topic,
        GRIDOPS_BUS_PARTITIONS: '2',
        GRIDOPS_KAFKA_TLS: 'true',
        GRIDOPS_KAFKA_CA_FILE: env.caFile,
      },
    });
    const settings = busSettings(config, 'test');
    const producer = await openProducer(settings);
    const consumer = await openConsumer(settings);
    try {
      await producer.publish([{ key: 'tx-1', value: 'over tls' }]);
      const deadline = Date.now() + 30_000;
      let got: string[] = [];
      while (got.length === 0 && Date.now() < deadline) got = (await consumer.poll(10)).map((r) => r.value);
      assert.deepEqual(got, ['over tls']);
      assert.equal(processorGroup(settings), `${topic}.processor`);
    } finally {
      await consumer.close();
      await producer.close();
      await deleteTopics([topic, dlqTopic(topic)]);
    }
  });

  test('a broker certificate from an unknown CA is refused, and the error says so', async () => {
    // tls: true trusts the system's CAs only; the test broker's CA is not among them.
    const producer = new KafkaBusProducer({ ...testOptions(), brokers: [env.tlsBrokers], tls: true });
    try {
      await assert.rejects(producer.start(), (err: Error) => {
        assert.match(describeError(err), new RegExp(`${env.tlsBrokers} failed: [^;]*certificate`));
        return true;
      });
    } finally {
      await producer.close();
    }
  });

  test('a wrong SCRAM password is refused at start, and the error says so', async () => {
    const opts = saslOptions();
    const producer = new KafkaBusProducer({ ...opts, sasl: { ...opts.sasl!, password: 'not-the-password' } });
    const started = Date.now();
    try {
      await assert.rejects(producer.start(), (err: Error) => {
        assert.match(describeError(err), new RegExp(`${env.saslBrokers} failed: SASL authentication failed`));
        return true;
      });
      assert.ok(Date.now() - started < 30_000, 'the refusal took more than 30 s');
    } finally {
      await producer.close();
    }
  });
});
