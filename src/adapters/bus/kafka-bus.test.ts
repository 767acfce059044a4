// The bus contract (bus-contract.ts) on Kafka: each test gets its own topic, dead-letter topic
// and consumer group on the broker of scripts/services.
import { busContract } from './bus-contract.ts';
import { KAFKA_SKIP, kafkaBusUnderTest, testOptions } from './kafka-test-env.ts';

busContract('kafka', () => kafkaBusUnderTest(testOptions()), { skip: KAFKA_SKIP });
