// Options of the Kafka bus adapter, as plain data (the processor builds its consumer inside a
// worker thread from workerData), with the defaults that make the bus behave like the embedded
// one: acks=all and idempotence, manual commits, failures that surface within seconds.
import { readFileSync } from 'node:fs';
import type { Logger } from '../../telemetry/logger.ts';

export interface KafkaBusOptions {
  /** Bootstrap brokers, `host:port` each. */
  brokers: string[];
  clientId: string;
  /** The readings topic; dead letters go to `<topic>.dlq`. */
  topic: string;
  /** Partitions of the readings topic when this process creates it. */
  partitions: number;
  /** Replication factor when this process creates the topics (1 on a single dev broker, 3 on MSK). */
  replication?: number;
  /** min.insync.replicas of created topics; default replication - 1 (at least 1), so acks=all survives one broker. */
  minInsyncReplicas?: number;
  /** Partitions of the dead-letter topic (low volume; one keeps every dead letter in order). */
  dlqPartitions?: number;
  /** Per-request timeout, also used as the connect timeout. */
  requestTimeoutMs?: number;
  /** Retries of one request (metadata, produce, fetch, ...) before it fails. */
  retries?: number;
  retryDelayMs?: number;
  /** A publish not acknowledged within this rejects (ingest answers 503); the batch may still land. */
  publishTimeoutMs?: number;
  /** Lag answers are reused for this long: ingest asks every 200 ms, a scrape every few seconds. */
  lagCacheMs?: number;
  /** At start, how long to wait for the topics (just created, maybe) to have leaders. */
  topicReadyMs?: number;
  /** TLS to the brokers (Amazon MSK: port 9094); `caFile` for a private CA. See kafka-tls.test.ts. */
  tls?: boolean | { caFile?: string };
  /** SASL/SCRAM or PLAIN credentials (MSK SCRAM: port 9096); SCRAM-SHA-512 tested in kafka-tls.test.ts. */
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

export interface KafkaConsumerOptions extends KafkaBusOptions {
  /** The consumer group: processors share one, so each partition has one owner at a time. */
  group: string;
  /** A member that misses heartbeats for this long is dropped and its partitions reassigned. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to rejoin. */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits at the broker for new records (bounds poll() on an idle topic). */
  fetchMaxWaitMs?: number;
  /** Prefetched records kept per partition beyond the committed position. */
  bufferPerPartition?: number;
  /** How often partitions read to the end are checked against the broker (kafka-position-check.ts); 0: never. */
  positionCheckMs?: number;
  /** A commit not answered within this fails (the batch is retried); default in commitTimeoutMs(). */
  commitTimeoutMs?: number;
  /** Told of each repair the position check makes, for a metric (the warning is logged anyway). */
  onPositionRepair?: PositionRepairListener;
}

/** By default a commit may wait for a rejoin (up to the rebalance timeout) and a retry or two. */
export function commitTimeoutMs(opts: KafkaConsumerOptions): number {
  return (
    opts.commitTimeoutMs ??
    (opts.rebalanceTimeoutMs ?? DEFAULTS.rebalanceTimeoutMs) +
      2 * (opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs)
  );
}

/** What the position check repaired: an offset gone back (recommit) or a stuck fetch (refetch). */
export type PositionRepair = 'recommit' | 'refetch';
export type PositionRepairListener = (kind: PositionRepair, partitions: number) => void;

export const DEFAULTS = {
  replication: 1,
  dlqPartitions: 1,
  requestTimeoutMs: 5000,
  retries: 3,
  retryDelayMs: 250,
  publishTimeoutMs: 10_000,
  lagCacheMs: 100,
  topicReadyMs: 10_000,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  rebalanceTimeoutMs: 15_000,
  fetchMaxWaitMs: 250,
  // A processor's batch is what its partitions have buffered (up to processorBatch), and the
  // fetcher refills them while it works: with 10,000 a worker of 4 partitions took batches of
  // 21-25k readings and waited on fetches between them. bench/pipeline, 3 pairs on the host, all
  // won (161-169k -> 180-186k readings/s, CPU busy 0.87-0.88 -> 0.91-0.95, batches 35.7k), and
  // once with the processor in a 1 GiB memory cgroup (its pod's limit): 139k -> 160k readings/s,
  // peak RSS 639 -> 646 MiB (outside a cgroup, where V8 collects later, 966 -> 1,087 MiB).
  bufferPerPartition: 25_000,
  positionCheckMs: 5000,
} as const;

/** Record headers the adapter adds to a dead letter, next to the original ones. */
export const DLQ_HEADERS = {
  reason: 'gridops-dlq-reason',
  topic: 'gridops-dlq-topic',
  partition: 'gridops-dlq-partition',
  offset: 'gridops-dlq-offset',
} as const;

export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
export function busLogger(opts: KafkaBusOptions): Pick<Logger, 'debug' | 'info' | 'warn' | 'error'> {
  return opts.logger ?? silent;
}

/** The connection options shared by every client the adapter opens. */
export function baseClientOptions(opts: KafkaBusOptions, role: string) {
  const timeout = opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
  return {
    clientId: `${opts.clientId}-${role}`,
    bootstrapBrokers: opts.brokers,
    timeout,
    connectTimeout: timeout,
    retries: opts.retries ?? DEFAULTS.retries,
    retryDelay: opts.retryDelayMs ?? DEFAULTS.retryDelayMs,
    // The adapter creates its topics at start; a typo in a name must fail, not create a topic.
    autocreateTopics: false,
    ...(opts.tls
      ? { tls: typeof opts.tls === 'object' && opts.tls.caFile ? { ca: readFileSync(opts.tls.caFile) } : {} }
      : {}),
    ...(opts.sasl ? { sasl: { ...opts.sasl } } : {}),
  };
}

/**
 * One line for a client error: the library nests the broker's answers in AggregateErrors, and
 * says why a connection failed only in its `cause` (an untrusted certificate, a refused SASL
 * login), which an operator needs more than "Connection to host:port failed".
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${describeError(err.cause)}` : '';
  const message = cause ? err.message.replace(/\.$/, '') : err.message;
  const nested = (err as Error & { errors?: unknown[] }).errors;
  if (!Array.isArray(nested) || nested.length === 0) return `${message}${cause}`;
  const inner = [...new Set(nested.map(describeError))].join('; ');
  return `${message} (${inner})${cause}`;
}

/** Whether any error in the chain has `key === value` (the library's error flags, e.g. needsRejoin). */
export function hasErrorFlag(err: unknown, key: string, value: unknown): boolean {
  const finder = (err as { findBy?: (k: string, v: unknown) => unknown } | undefined)?.findBy;
  return typeof finder === 'function' ? Boolean(finder.call(err, key, value)) : false;
}
