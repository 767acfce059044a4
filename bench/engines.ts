// What the real-engine benchmarks share: the engines' addresses (from scripts/services) and the
// environment of a `gridops run` process on Kafka + PostgreSQL.
import { openProducer } from '../src/app/backends.ts';
import type { BusProducer } from '../src/adapters/bus/bus.ts';

export const BENCH_KEY = 'bench-key';

export function need(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(`${name} unset: run scripts/services/up and source /tmp/gridops-services/env first`);
  return v;
}

export function realColumnEnv(o: { dataDir: string; brokers: string; topic: string; postgresUrl: string }) {
  return {
    GRIDOPS_DATA_DIR: o.dataDir,
    GRIDOPS_API_KEYS: BENCH_KEY,
    GRIDOPS_PORT: '0',
    GRIDOPS_LOG_LEVEL: 'warn',
    GRIDOPS_BUS: 'kafka',
    GRIDOPS_KAFKA_BROKERS: o.brokers,
    GRIDOPS_KAFKA_TOPIC: o.topic,
    GRIDOPS_STORE: 'postgres',
    GRIDOPS_POSTGRES_URL: o.postgresUrl,
    GRIDOPS_BUS_PARTITIONS: '8',
  };
}

/** A producer on `topic` (creating it), used for its lag reads and to make topics. */
export function benchProducer(brokers: string, topic: string): Promise<BusProducer> {
  return openProducer({
    kind: 'kafka',
    brokers: brokers.split(','),
    topic,
    partitions: 8,
    replication: 1,
    clientId: 'bench',
  });
}
