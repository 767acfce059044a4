// Which bus, store and cache a process uses: the embedded column (SQLite files under dataDir) or
// the real one (Kafka, PostgreSQL, Redis). Settings are plain data so the processor's worker
// thread can receive them; the Kafka, PostgreSQL and Redis adapters are imported lazily, so the
// embedded demo never loads their clients (nor does a processor worker load Redis's).
import { join } from 'node:path';
import type { Config } from './config-schema.ts';
import { gridError } from './errors.ts';
import type { BusConsumer, BusProducer, GroupMember } from '../adapters/bus/bus.ts';
import type { PositionRepairListener } from '../adapters/bus/kafka-options.ts';
import type { MeterLocator, StoreReader, StoreWriter } from '../adapters/store/store.ts';
import type { MigrationLog, Synchronous } from '../adapters/sqlite.ts';
import type { Cache } from '../adapters/cache/cache.ts';
import { LruCache } from '../adapters/cache/lru-cache.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Logger } from '../telemetry/logger.ts';

export type BusSettings =
  | { kind: 'sqlite'; path: string; partitions: number; synchronous: Synchronous }
  | {
      kind: 'kafka';
      brokers: string[];
      topic: string;
      partitions: number;
      replication: number;
      clientId: string;
      tls?: boolean | { caFile: string };
      sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
    };

export type StoreSettings =
  | { kind: 'sqlite'; path: string; synchronous: Synchronous }
  | {
      kind: 'postgres';
      url: string;
      poolMax: number;
      statementTimeoutMs: number;
      sslMode: 'disable' | 'require' | 'verify-full';
      caFile: string;
    };

function required(value: string, key: string, why: string): string {
  if (value === '') throw gridError('SG_ERR_CONFIG_INVALID', [key, `required when ${why}`]);
  return value;
}

export function busSettings(config: Config, role: string): BusSettings {
  if (config.busBackend === 'sqlite') {
    return {
      kind: 'sqlite',
      path: join(config.dataDir, 'bus.db'),
      partitions: config.busPartitions,
      synchronous: config.sqliteSynchronous,
    };
  }
  const brokers = required(config.kafkaBrokers, 'kafkaBrokers', 'busBackend=kafka')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const settings: BusSettings = {
    kind: 'kafka',
    brokers,
    topic: config.kafkaTopic,
    partitions: config.busPartitions,
    replication: config.kafkaReplication,
    clientId: `gridops-${role}`,
  };
  if (config.kafkaTls) settings.tls = config.kafkaCaFile ? { caFile: config.kafkaCaFile } : true;
  if (config.kafkaSaslMechanism !== 'none') {
    const why = `kafkaSaslMechanism=${config.kafkaSaslMechanism}`;
    settings.sasl = {
      mechanism: config.kafkaSaslMechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
      username: required(config.kafkaSaslUsername, 'kafkaSaslUsername', why),
      password: required(config.kafkaSaslPassword, 'kafkaSaslPassword', why),
    };
  }
  return settings;
}

export function storeSettings(config: Config): StoreSettings {
  if (config.storeBackend === 'sqlite') {
    return { kind: 'sqlite', path: join(config.dataDir, 'store.db'), synchronous: config.sqliteSynchronous };
  }
  return {
    kind: 'postgres',
    url: required(config.postgresUrl, 'postgresUrl', 'storeBackend=postgres'),
    poolMax: config.postgresPoolMax,
    statementTimeoutMs: config.postgresStatementTimeoutMs,
    sslMode: config.postgresSslMode,
    caFile: config.postgresCaFile,
  };
}

/** The consumer group of the processors; per topic on Kafka so test topics never share one. */
export function processorGroup(s: BusSettings): string {
  return s.kind === 'kafka' ? `${s.topic}.processor` : 'processor';
}

type BusLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Kafka: creates the topics if missing and fails here, at start, when no broker answers. */
export async function openProducer(s: BusSettings, logger?: BusLogger): Promise<BusProducer> {
  if (s.kind === 'sqlite') {
    const { SqliteBusProducer } = await import('../adapters/bus/sqlite-bus-producer.ts');
    return new SqliteBusProducer(s);
  }
  const { KafkaBusProducer } = await import('../adapters/bus/kafka-producer.ts');
  const producer = new KafkaBusProducer({ ...s, ...(logger && { logger }) });
  try {
    await producer.start();
  } catch (err) {
    await producer.close();
    throw err;
  }
  return producer;
}

/** Kafka: joins the processors' group on the first poll (so a slow broker does not block start). */
/**
 * A consumer in the processors' group. `member` says which share of the partitions it reads on
 * the embedded bus (a process's workers split them); a Kafka group assigns partitions itself.
 */
export async function openConsumer(
  s: BusSettings,
  logger?: BusLogger,
  member?: GroupMember,
  onPositionRepair?: PositionRepairListener,
): Promise<BusConsumer> {
  if (s.kind === 'sqlite') {
    const { SqliteBusConsumer } = await import('../adapters/bus/sqlite-bus.ts');
    return new SqliteBusConsumer({ ...s, group: processorGroup(s), ...(member && { member }) });
  }
  const { KafkaBusConsumer } = await import('../adapters/bus/kafka-consumer.ts');
  return new KafkaBusConsumer({
    ...s,
    group: processorGroup(s),
    ...(logger && { logger }),
    ...(onPositionRepair && { onPositionRepair }),
  });
}

export async function openStoreWriter(s: StoreSettings, locate: MeterLocator): Promise<StoreWriter> {
  if (s.kind === 'sqlite') {
    const { SqliteStoreWriter } = await import('../adapters/store/sqlite-store-writer.ts');
    return new SqliteStoreWriter(s, locate);
  }
  const { PgStoreWriter } = await import('../adapters/store/pg-store-writer.ts');
  const writer = new PgStoreWriter(s, locate);
  // Migrations run here, so a process fails at start on a wrong URL or password, not at the first batch.
  await writer.ready();
  return writer;
}

/** `log`: told about the embedded store's migrations, which run here, at the process's start. */
export async function openStoreReader(s: StoreSettings, log?: MigrationLog): Promise<StoreReader> {
  if (s.kind === 'sqlite') {
    const { SqliteStoreReader } = await import('../adapters/store/sqlite-store-reader.ts');
    return new SqliteStoreReader({ ...s, ...(log && { log }) });
  }
  const { PgStoreReader } = await import('../adapters/store/pg-store-reader.ts');
  const reader = new PgStoreReader(s);
  await reader.ready();
  return reader;
}

/** The query cache: per-process LRU, or Redis shared by every replica (connects in the background). */
export async function openCache(config: Config, metrics: Metrics, logger: Logger): Promise<Cache> {
  if (config.cacheBackend === 'memory') {
    metrics.cacheUp.set(1);
    return new LruCache(2000);
  }
  const { RedisCache } = await import('../adapters/cache/redis-cache.ts');
  return new RedisCache({
    url: required(config.redisUrl, 'redisUrl', 'cacheBackend=redis'),
    metrics,
    logger: logger.child({ module: 'cache' }),
  });
}
