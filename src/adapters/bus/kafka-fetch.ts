// One fetch round for the Kafka consumer: position newly assigned partitions at the group's
// committed offsets, then ask each partition leader for the records after what is buffered.
// Fetches run on their own client (own connections), so a fetch waiting at the broker never
// delays the group member's heartbeats or commits queued behind it on one connection.
import { Consumer, IS_CONTROL, ListOffsetTimestamps } from '@platformatic/kafka';
import type { ConsumedRecord } from './bus.ts';
import type { PartitionBuffers, PartitionState } from './kafka-partitions.ts';
import { EnvelopeRatio, unpackEnvelope } from './kafka-envelope.ts';
import { DEFAULTS, baseClientOptions, busLogger, type KafkaConsumerOptions } from './kafka-options.ts';

const OFFSET_OUT_OF_RANGE = 1;
const PARTITION_MAX_BYTES = 1_048_576;

type RawClient = Consumer<Buffer, Buffer, Buffer, Buffer>;
type FetchResponse = Awaited<ReturnType<RawClient['fetch']>>;
type RecordBatches = NonNullable<FetchResponse['responses'][number]['partitions'][number]['records']>;

export function openRawConsumer(opts: KafkaConsumerOptions, role: string): RawClient {
  const client = new Consumer({
    ...baseClientOptions(opts, role),
    groupId: opts.group,
    autocommit: false,
    sessionTimeout: opts.sessionTimeoutMs ?? DEFAULTS.sessionTimeoutMs,
    heartbeatInterval: opts.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
    rebalanceTimeout: opts.rebalanceTimeoutMs ?? DEFAULTS.rebalanceTimeoutMs,
  });
  client.topics.track(opts.topic);
  return client;
}

interface Requested {
  state: PartitionState;
  offset: number;
}

export class KafkaFetcher {
  private readonly opts: KafkaConsumerOptions;
  private readonly member: RawClient;
  private client: RawClient;
  private readonly parts: PartitionBuffers;
  /** Bus records per Kafka record fetched, to report the lag in bus records. */
  readonly ratio = new EnvelopeRatio();

  /** `member` reads the group's committed offsets; fetches go through a client of their own. */
  constructor(opts: KafkaConsumerOptions, member: RawClient, parts: PartitionBuffers) {
    this.opts = opts;
    this.member = member;
    this.parts = parts;
    this.client = openRawConsumer(opts, 'fetcher');
  }

  /** One round; resolves once every leader answered (at most fetchMaxWaitMs on an idle topic). */
  async round(): Promise<void> {
    await this.positionNew();
    const targets = this.parts.fetchable(this.opts.bufferPerPartition ?? DEFAULTS.bufferPerPartition);
    if (targets.length === 0) return;
    const metadata = await this.client.metadata({ topics: [this.opts.topic] });
    const topic = metadata.topics.get(this.opts.topic);
    if (!topic) throw new Error(`no metadata for topic ${this.opts.topic}`);
    const byLeader = new Map<number, Requested[]>();
    for (const state of targets) {
      const leader = topic.partitions[state.partition]?.leader ?? -1;
      const list = byLeader.get(leader) ?? [];
      list.push({ state, offset: state.fetchOffset! });
      byLeader.set(leader, list);
    }
    await Promise.all([...byLeader].map(([node, requested]) => this.fetchFrom(node, topic.id, requested)));
  }

  private async fetchFrom(node: number, topicId: string, requested: Requested[]): Promise<void> {
    let response: FetchResponse;
    let failure: unknown;
    try {
      response = await this.client.fetch({
        node,
        topics: [
          {
            topicId,
            partitions: requested.map((r) => ({
              partition: r.state.partition,
              fetchOffset: BigInt(r.offset),
              partitionMaxBytes: PARTITION_MAX_BYTES,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            })),
          },
        ],
        maxWaitTime: this.opts.fetchMaxWaitMs ?? DEFAULTS.fetchMaxWaitMs,
        minBytes: 1,
        maxBytes: PARTITION_MAX_BYTES * requested.length,
      });
    } catch (err) {
      // A partition error fails the whole answer; the healthy partitions' records are still in it.
      const partial = (err as { response?: FetchResponse }).response;
      if (!partial?.responses) throw err;
      response = partial;
      failure = err;
    }
    let unhandled = false;
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const req = requested.find((r) => r.state.partition === p.partitionIndex);
        if (!req) continue;
        if (p.errorCode === OFFSET_OUT_OF_RANGE) await this.outOfRange(req);
        else if (p.errorCode !== 0) unhandled = true;
        else this.take(req, p.records ?? []);
      }
    }
    if (failure !== undefined && unhandled) {
      // Leadership moved or the topic is being changed: ask for fresh metadata next round.
      this.client.clearMetadata();
      throw failure;
    }
  }

  private take(req: Requested, batches: RecordBatches) {
    const records: ConsumedRecord[] = [];
    let messages = 0;
    let next = req.offset;
    for (const batch of batches) {
      const base = Number(batch.firstOffset);
      next = Math.max(next, base + batch.lastOffsetDelta + 1);
      if (batch.attributes & IS_CONTROL) continue;
      for (const r of batch.records) {
        let headers: Record<string, string> | undefined;
        if (r.headers.length > 0) {
          headers = {};
          for (const [k, v] of r.headers) if (k) headers[k.toString('utf8')] = v?.toString('utf8') ?? '';
        }
        const unpacked = unpackEnvelope(
          req.state.partition,
          base + r.offsetDelta,
          r.key?.toString('utf8') ?? '',
          r.value?.toString('utf8') ?? '',
          headers,
        );
        for (const rec of unpacked) records.push(rec);
        messages++;
      }
    }
    if (this.parts.append(req.state, req.offset, records, next)) this.ratio.add(records.length, messages);
  }

  /** The position left the log: records were deleted by retention (or the log was truncated). */
  private async outOfRange(req: Requested): Promise<void> {
    const [earliest, latest] = await Promise.all(
      [ListOffsetTimestamps.EARLIEST, ListOffsetTimestamps.LATEST].map(
        async (timestamp) =>
          (await this.offsetsAt(timestamp, [req.state.partition])).get(req.state.partition) ?? 0,
      ),
    );
    const to = Math.min(Math.max(req.offset, earliest!), latest!);
    busLogger(this.opts).error(
      { partition: req.state.partition, offset: req.offset, earliest, latest, to },
      'kafka offset out of range; records before the log start were lost to retention',
    );
    this.parts.reposition(req.state, req.offset, to);
  }

  /** The log start (EARLIEST) or end (LATEST) offsets of some partitions. */
  async offsetsAt(timestamp: bigint, partitions: number[]): Promise<Map<number, number>> {
    const topic = this.opts.topic;
    const listed = await this.client.listOffsets({
      topics: [topic],
      partitions: { [topic]: partitions },
      timestamp,
    });
    const offsets = listed.get(topic) ?? [];
    return new Map(partitions.map((p) => [p, Number(offsets[p] ?? 0n)]));
  }

  /** The group's committed offsets (-1 where there is none), as its member reads them. */
  async committedOffsets(partitions: number[]): Promise<Map<number, number>> {
    const topic = this.opts.topic;
    const committed = await this.member.listCommittedOffsets({ topics: [{ topic, partitions }] });
    const offsets = committed.get(topic) ?? [];
    return new Map(partitions.map((p) => [p, Number(offsets[p] ?? -1n)]));
  }

  /** New partitions start at the group's committed offset, or at the log start if none. */
  private async positionNew(): Promise<void> {
    const states = this.parts.unpositioned();
    if (states.length === 0) return;
    const committed = await this.committedOffsets(states.map((s) => s.partition));
    const missing = states.map((s) => s.partition).filter((p) => committed.get(p)! < 0);
    const starts =
      missing.length > 0 ? await this.offsetsAt(ListOffsetTimestamps.EARLIEST, missing) : undefined;
    for (const s of states) {
      const at = committed.get(s.partition)!;
      this.parts.position(s, at >= 0 ? at : (starts?.get(s.partition) ?? 0));
    }
  }

  /**
   * Replaces the fetch client: a round in flight on the old one fails, and the broker's fetch
   * session (KIP-227) starts afresh, for when fetches stopped bringing records (position check).
   */
  restart(): void {
    const old = this.client;
    this.client = openRawConsumer(this.opts, 'fetcher');
    old.close().catch(() => {});
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
