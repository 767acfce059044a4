// Topic creation at start and consumer-group lag, through the Kafka admin API.
import { Admin, ListOffsetTimestamps } from '@platformatic/kafka';
import { gridError } from '../../app/errors.ts';
import {
  DEFAULTS,
  baseClientOptions,
  busLogger,
  describeError,
  dlqTopic,
  hasErrorFlag,
  type KafkaBusOptions,
} from './kafka-options.ts';

export function openAdmin(opts: KafkaBusOptions, role: string): Admin {
  const admin = new Admin(baseClientOptions(opts, role));
  // Unhandled 'error' events would end the process; every failure also reaches the caller.
  admin.on('error', (err: unknown) => busLogger(opts).warn({ err: describeError(err) }, 'kafka admin error'));
  return admin;
}

/**
 * Creates the readings topic and its dead-letter topic when missing, and waits until both have
 * leaders. A topic that exists is left as it is (its partition count is logged when it differs:
 * growing a keyed topic moves meters between partitions, an operator's decision).
 */
export async function ensureTopics(admin: Admin, opts: KafkaBusOptions): Promise<void> {
  const replication = opts.replication ?? DEFAULTS.replication;
  const minIsr = opts.minInsyncReplicas ?? Math.max(1, replication - 1);
  const wanted = [
    { name: opts.topic, partitions: opts.partitions },
    { name: dlqTopic(opts.topic), partitions: opts.dlqPartitions ?? DEFAULTS.dlqPartitions },
  ];
  // Where topics are provisioned elsewhere (Terraform, an ACL without CREATE), a topic that
  // exists is enough: a refused creation fails start only if the topic is missing.
  const refused = new Map<string, string>();
  for (const t of wanted) {
    try {
      await admin.createTopics({
        topics: [t.name],
        partitions: t.partitions,
        replicas: replication,
        configs: [{ name: 'min.insync.replicas', value: String(minIsr) }],
      });
      busLogger(opts).info({ topic: t.name, partitions: t.partitions, replication }, 'kafka topic created');
    } catch (err) {
      if (!hasErrorFlag(err, 'apiId', 'TOPIC_ALREADY_EXISTS')) refused.set(t.name, describeError(err));
    }
  }
  let metadata;
  try {
    metadata = await readyMetadata(
      admin,
      wanted.map((t) => t.name),
      opts.topicReadyMs ?? DEFAULTS.topicReadyMs,
    );
  } catch (err) {
    const why = [...refused].map(([name, e]) => `${name}: ${e}`).join('; ') || describeError(err);
    throw gridError('SG_ERR_BUS', [`topics unavailable: ${why}`], { cause: err });
  }
  for (const t of wanted) {
    const found = metadata.topics.get(t.name);
    if (!found) {
      throw gridError('SG_ERR_BUS', [`topic ${t.name} is missing: ${refused.get(t.name) ?? 'no metadata'}`]);
    }
    if (refused.has(t.name)) {
      busLogger(opts).warn(
        { topic: t.name, err: refused.get(t.name) },
        'kafka topic not created here; using it',
      );
    }
    if (found.partitionsCount !== t.partitions) {
      busLogger(opts).warn(
        { topic: t.name, partitions: found.partitionsCount, configured: t.partitions },
        'kafka topic exists with another partition count; keeping it',
      );
    }
  }
}

type Metadata = Awaited<ReturnType<Admin['metadata']>>;

/**
 * The topics' metadata once every partition has a leader. A topic created a moment ago can be
 * missing from the broker's answer ("Unknown topic") or leaderless for a while: on a loaded
 * broker that failed a CI run. Asks again every 200 ms for up to `waitMs`, then fails with
 * what it last met; any other error fails at once.
 */
export async function readyMetadata(admin: Admin, topics: string[], waitMs: number): Promise<Metadata> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let last: unknown;
    try {
      const metadata = await admin.metadata({ topics, forceUpdate: true });
      const leaderless = topics.filter((name) => {
        const t = metadata.topics.get(name);
        return !t || t.partitions.some((p) => p.leader < 0);
      });
      if (leaderless.length === 0) return metadata;
      last = new Error(`no leader yet for ${leaderless.join(', ')}`);
    } catch (err) {
      // Only the broker's "not yet" is waited for; an unreachable broker fails at once (ingest
      // answers 503 rather than holding the request). Matched by message: the client (1.35 and 2.12)
      // raises a plain UserError "Unknown topic <name>." with no code or flag to test.
      if (!/Unknown topic/.test(describeError(err))) throw err;
      last = err;
    }
    if (Date.now() >= deadline) throw last;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Lag of a group on the readings topic: the sum over partitions of (high watermark - committed
 * offset), a partition the group never committed counting from its first offset. Two admin
 * requests per read; answers are shared for `lagCacheMs` and concurrent callers share one read.
 */
export class KafkaLagReader {
  private readonly admin: Admin;
  private readonly topic: string;
  private readonly cacheMs: number;
  private readonly cached = new Map<string, { at: number; lag: Promise<number> }>();

  constructor(admin: Admin, opts: KafkaBusOptions) {
    this.admin = admin;
    this.topic = opts.topic;
    this.cacheMs = opts.lagCacheMs ?? DEFAULTS.lagCacheMs;
  }

  lag(group: string): Promise<number> {
    const hit = this.cached.get(group);
    if (hit && Date.now() - hit.at <= this.cacheMs) return hit.lag;
    const lag = this.read(group);
    this.cached.set(group, { at: Date.now(), lag });
    // A failed read is not cached: the next caller asks the broker again.
    lag.catch(() => this.cached.delete(group));
    return lag;
  }

  /**
   * Per partition of the readings topic: its log end, the group's commit (undefined without
   * one), and where the group stands: its commit, or the log start when it never committed.
   */
  async positions(group: string): Promise<Map<number, { end: bigint; committed?: bigint; from: bigint }>> {
    const [ends, groups] = await Promise.all([
      this.offsets(ListOffsetTimestamps.LATEST),
      this.admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: null }] }),
    ]);
    const committed = new Map<number, bigint>();
    for (const t of groups[0]?.topics ?? []) {
      if (t.name !== this.topic) continue;
      for (const p of t.partitions)
        if (p.committedOffset >= 0n) committed.set(p.partitionIndex, p.committedOffset);
    }
    // Only partitions without a commit need their first offset (after retention it is not 0).
    const starts = committed.size < ends.size ? await this.offsets(ListOffsetTimestamps.EARLIEST) : ends;
    const out = new Map<number, { end: bigint; committed?: bigint; from: bigint }>();
    for (const [p, end] of ends) {
      const at = committed.get(p);
      out.set(p, { end, ...(at !== undefined && { committed: at }), from: at ?? starts.get(p) ?? 0n });
    }
    return out;
  }

  private async read(group: string): Promise<number> {
    let lag = 0n;
    for (const { end, from } of (await this.positions(group)).values()) if (end > from) lag += end - from;
    return Number(lag);
  }

  private async offsets(timestamp: bigint): Promise<Map<number, bigint>> {
    const metadata = await this.admin.metadata({ topics: [this.topic] });
    const count = metadata.topics.get(this.topic)?.partitionsCount ?? 0;
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp }));
    const listed = await this.admin.listOffsets({ topics: [{ name: this.topic, partitions }] });
    const out = new Map<number, bigint>();
    for (const t of listed) for (const p of t.partitions) out.set(p.partitionIndex, p.offset);
    return out;
  }
}
