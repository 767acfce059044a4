// The Kafka side of BusProducer: an idempotent producer with acks=all. publish() resolves only
// once the broker acknowledged every record of the call (ingest answers 202 after that) and
// rejects on any failure or after publishTimeoutMs (ingest answers 503 with Retry-After).
//
// Sends are serialised, one produce request in flight at a time, and concurrent publish() calls
// are coalesced into that request (group commit, like the SQLite bus). Two reasons: the client
// library loses its idempotent sequence numbers when several sends race (measured with 1.35.0:
// OUT_OF_ORDER_SEQUENCE_NUMBER under 4 concurrent sends; 2.12.1 once stalled for 34 s;
// docs/kafka-client-choice.md), and one
// request per partition batch is what acks=all pays for anyway.
//
// Records of one partition from one publish travel in envelopes (kafka-envelope.ts): Kafka's
// costs are per Kafka record, and a reading is small.
import { murmur2, ProduceAcks, Producer, stringSerializers, type Admin } from '@platformatic/kafka';
import { gridError } from '../../app/errors.ts';
import type { BusProducer, BusRecord } from './bus.ts';
import { KafkaLagReader, ensureTopics, openAdmin } from './kafka-admin.ts';
import { EnvelopeRatio, packEnvelopes } from './kafka-envelope.ts';
import {
  DEFAULTS,
  baseClientOptions,
  busLogger,
  describeError,
  type KafkaBusOptions,
} from './kafka-options.ts';

/** Uncompressed bytes per partition per request: below the broker's 1 MiB message.max.bytes. */
const MAX_PARTITION_BYTES = 900_000;
const RECORD_OVERHEAD = 70;

export interface KafkaProducerOptions extends KafkaBusOptions {
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
}

interface Pending {
  /**
   * The publish's records packed into envelopes when published: they may wait for the send in
   * flight and then for the broker's acknowledgement, and a few joined strings are cheaper to
   * keep that long than a record per reading, which young collections would copy and promote.
   */
  envelopes: BusRecord[];
  /** Bus records in the envelopes. */
  count: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  settled: boolean;
  timer: NodeJS.Timeout;
}

interface Outgoing {
  topic: string;
  key: string;
  value: string;
  partition: number;
  headers?: Record<string, string>;
}

/** The Java client's partitioner (murmur2, positive), so any producer sends a key to one partition. */
export function kafkaPartition(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key)) & 0x7fffffff) % partitions;
}

/**
 * kafkaPartition, remembered per key: keys are transformers (a few thousand), and hashing each
 * record's key twice (budget, then send) was a tenth of ingest's CPU. Bounded, in case keys
 * are many (devices missing from the topology are keyed by their own id).
 */
class PartitionCache {
  private readonly known = new Map<string, number>();
  private partitions = 0;

  of(key: string, partitions: number): number {
    if (partitions !== this.partitions || this.known.size > 100_000) {
      this.known.clear();
      this.partitions = partitions;
    }
    let p = this.known.get(key);
    if (p === undefined) {
      p = kafkaPartition(key, partitions);
      this.known.set(key, p);
    }
    return p;
  }
}

/** Writes records of an idempotent, acks=all producer, one request per `send` call. */
export function openProducer(
  opts: KafkaProducerOptions,
  role: string,
): Producer<string, string, string, string> {
  const producer = new Producer({
    ...baseClientOptions(opts, role),
    // The library turns retries <= 1 into "forever" for idempotent producers: keep it bounded.
    retries: Math.max(2, opts.retries ?? DEFAULTS.retries),
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: opts.compression ?? 'none',
    serializers: stringSerializers,
  });
  producer.on('error', (err: unknown) =>
    busLogger(opts).warn({ err: describeError(err) }, 'kafka producer error'),
  );
  return producer;
}

export class KafkaBusProducer implements BusProducer {
  private readonly opts: KafkaProducerOptions;
  private readonly producer: Producer<string, string, string, string>;
  private readonly admin: Admin;
  private readonly lagReader: KafkaLagReader;
  private started: Promise<number> | undefined;
  /** The topic's partition count once start() learnt it (envelopes are packed per partition). */
  private partitions: number | undefined;
  private queue: Pending[] = [];
  private draining = false;
  private readonly partitionOf = new PartitionCache();
  private readonly ratio = new EnvelopeRatio();
  private closed = false;

  constructor(opts: KafkaProducerOptions) {
    this.opts = opts;
    this.producer = openProducer(opts, 'producer');
    this.admin = openAdmin(opts, 'producer-admin');
    this.lagReader = new KafkaLagReader(this.admin, opts);
  }

  /** Creates the topics (idempotent) and learns the partition count; publish() calls it too. */
  start(): Promise<number> {
    if (this.started) return this.started;
    const started = (async () => {
      await ensureTopics(this.admin, this.opts);
      const metadata = await this.producer.metadata({ topics: [this.opts.topic], forceUpdate: true });
      const count = metadata.topics.get(this.opts.topic)?.partitionsCount ?? this.opts.partitions;
      this.partitions = count;
      return count;
    })();
    // A broker that is down at start must not make the failure permanent.
    started.catch(() => (this.started = undefined));
    return (this.started = started);
  }

  publish(records: BusRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(gridError('SG_ERR_BUS', ['the producer is closed']));
    if (records.length === 0) return Promise.resolve();
    // Per partition once the count is known: an envelope goes to its first record's partition,
    // so its records must share it. Before that (a first publish racing start()), per key.
    const n = this.partitions;
    const envelopes =
      n === undefined ? packEnvelopes(records) : packEnvelopes(records, (key) => this.partitionOf.of(key, n));
    this.ratio.add(records.length, envelopes.length);
    return this.enqueue(envelopes, records.length);
  }

  /**
   * Queues a publish's envelopes until the broker took them. Apart from publish() so that no
   * closure here holds the records: the timer's would keep them (and every value string) alive
   * until the broker answers, long enough to be promoted by young collections.
   */
  private enqueue(envelopes: BusRecord[], count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.publishTimeoutMs ?? DEFAULTS.publishTimeoutMs;
      const p: Pending = {
        envelopes,
        count,
        resolve,
        reject,
        settled: false,
        timer: undefined as never,
      };
      p.timer = setTimeout(() => {
        // Still queued: it is never sent. In flight: the broker may yet take it, which is safe
        // because the client retries the whole batch and the store is idempotent.
        this.queue = this.queue.filter((q) => q !== p);
        settle(p, gridError('SG_ERR_BUS', [`not acknowledged within ${timeoutMs} ms`]));
      }, timeoutMs);
      this.queue.push(p);
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        let partitions: number;
        try {
          partitions = await this.start();
        } catch (err) {
          this.failAll(err);
          return;
        }
        const group = this.takeGroup(partitions);
        try {
          for (const chunk of chunks(group.flatMap((p) => this.outgoing(p.envelopes, partitions)))) {
            if (group.every((p) => p.settled)) break; // every caller timed out: stop sending
            await this.producer.send({ messages: chunk });
          }
          for (const p of group) settle(p);
        } catch (err) {
          busLogger(this.opts).warn(
            { err: describeError(err), records: countRecords(group) },
            'kafka publish failed',
          );
          for (const p of group) settle(p, gridError('SG_ERR_BUS', [describeError(err)], { cause: err }));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Whole publishes, oldest first, while every partition stays within one request's budget. */
  private takeGroup(partitions: number): Pending[] {
    const bytes = new Array<number>(partitions).fill(0);
    const group: Pending[] = [];
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const add = new Array<number>(partitions).fill(0);
      for (const r of next.envelopes) add[this.partitionOf.of(r.key, partitions)]! += recordBytes(r);
      if (group.length > 0 && add.some((b, i) => b + bytes[i]! > MAX_PARTITION_BYTES)) break;
      add.forEach((b, i) => (bytes[i]! += b));
      group.push(this.queue.shift()!);
    }
    return group;
  }

  private outgoing(envelopes: BusRecord[], partitions: number): Outgoing[] {
    const topic = this.opts.topic;
    return envelopes.map((r) => {
      const m: Outgoing = {
        topic,
        key: r.key,
        value: r.value,
        partition: this.partitionOf.of(r.key, partitions),
      };
      if (r.headers) m.headers = r.headers;
      return m;
    });
  }

  private failAll(err: unknown): void {
    const queued = this.queue;
    this.queue = [];
    for (const p of queued) settle(p, gridError('SG_ERR_BUS', [describeError(err)], { cause: err }));
  }

  async lag(group: string): Promise<number> {
    try {
      return this.ratio.scale(await this.lagReader.lag(group));
    } catch (err) {
      // Ingest reads the lag before publishing: a broker that is down answers 503, not 500.
      throw gridError('SG_ERR_BUS_UNAVAILABLE', [`lag: ${describeError(err)}`], {
        cause: err,
        retryAfterSeconds: 2,
      });
    }
  }

  /** Waits for the publishes in flight (each bounded by publishTimeoutMs), then disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + (this.opts.publishTimeoutMs ?? DEFAULTS.publishTimeoutMs);
    while ((this.draining || this.queue.length > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.failAll(gridError('SG_ERR_BUS', ['the producer is closed']));
    await Promise.allSettled([this.producer.close(true), this.admin.close()]);
  }
}

function settle(p: Pending, err?: unknown): void {
  if (p.settled) return;
  p.settled = true;
  clearTimeout(p.timer);
  if (err === undefined) p.resolve();
  else p.reject(err);
}

function recordBytes(r: { key: string; value: string; headers?: Record<string, string> }): number {
  let n = RECORD_OVERHEAD + r.key.length + r.value.length;
  if (r.headers) for (const [k, v] of Object.entries(r.headers)) n += k.length + v.length + 8;
  return n;
}

function countRecords(group: Pending[]): number {
  return group.reduce((n, p) => n + p.count, 0);
}

/** Splits messages so that no partition exceeds MAX_PARTITION_BYTES in one request, order kept. */
export function chunks<T extends Outgoing>(messages: T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = new Map<number, number>();
  for (const m of messages) {
    const b = recordBytes(m);
    const used = bytes.get(m.partition) ?? 0;
    if (current.length > 0 && used + b > MAX_PARTITION_BYTES) {
      out.push(current);
      current = [];
      bytes = new Map();
    }
    current.push(m);
    bytes.set(m.partition, (bytes.get(m.partition) ?? 0) + b);
  }
  if (current.length > 0) out.push(current);
  return out;
}
