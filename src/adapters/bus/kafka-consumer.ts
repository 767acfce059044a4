// The Kafka side of BusConsumer: a member of a consumer group with manual commits only.
// - poll() hands out buffered records from the committed positions (kafka-partitions.ts), so a
//   batch that was not committed comes back on the next poll; a background fetch keeps the
//   buffers filled while the processor writes.
// - commit(next) commits exactly the given next-offsets of the partitions this member owns; a
//   partition lost in a rebalance is skipped (its new owner resumes from the last commit, so
//   records may be processed twice, which the idempotent store absorbs, but never skipped).
// - Partitions read to the end are checked against the broker every few seconds
//   (kafka-position-check.ts): a committed offset gone back, a fetch no longer advancing.
// - Group membership (join, heartbeats, eager rebalances) is the client library's classic
//   protocol; this class applies each new assignment: revoked partitions' records are dropped.
import { ListOffsetTimestamps, type Admin } from '@platformatic/kafka';
import { gridError } from '../../app/errors.ts';
import { waitWithin } from '../../app/wait-within.ts';
import type { BusConsumer, ConsumedRecord } from './bus.ts';
import { KafkaLagReader, ensureTopics, openAdmin } from './kafka-admin.ts';
import { KafkaFetcher, openRawConsumer } from './kafka-fetch.ts';
import {
  DEFAULTS,
  DLQ_HEADERS,
  commitTimeoutMs,
  busLogger,
  describeError,
  dlqTopic,
  type KafkaConsumerOptions,
} from './kafka-options.ts';
import { PartitionBuffers } from './kafka-partitions.ts';
import { PositionCheck } from './kafka-position-check.ts';
import { openProducer } from './kafka-producer.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KafkaBusConsumer implements BusConsumer {
  private readonly opts: KafkaConsumerOptions;
  private readonly log: ReturnType<typeof busLogger>;
  private readonly member: ReturnType<typeof openRawConsumer>;
  private readonly admin: Admin;
  private readonly lagReader: KafkaLagReader;
  private readonly parts = new PartitionBuffers();
  private readonly fetcher: KafkaFetcher;
  private readonly positionCheck: PositionCheck;
  private positionTimer: NodeJS.Timeout | undefined;
  private dlq: ReturnType<typeof openProducer> | undefined;
  private started: Promise<void> | undefined;
  private fetching: Promise<void> | undefined;
  private fetchError: unknown;
  private fetchFailures = 0;
  private memberLost = false;
  private closed = false;

  constructor(opts: KafkaConsumerOptions) {
    this.opts = opts;
    this.log = busLogger(opts);
    this.member = openRawConsumer(opts, 'consumer');
    this.admin = openAdmin(opts, 'consumer-admin');
    this.lagReader = new KafkaLagReader(this.admin, opts);
    this.fetcher = new KafkaFetcher(opts, this.member, this.parts);
    this.positionCheck = new PositionCheck({
      caughtUp: () => this.parts.caughtUp(),
      unpositioned: () => this.parts.unpositioned(),
      stillOwned: (state) => this.parts.holds(state),
      readCommitted: (partitions) => this.fetcher.committedOffsets(partitions),
      readEnds: (partitions) => this.fetcher.offsetsAt(ListOffsetTimestamps.LATEST, partitions),
      commit: async (offsets) => {
        await this.commitOwned(offsets);
        this.opts.onPositionRepair?.('recommit', offsets.size);
      },
      restartFetching: (partitions) => {
        this.restartFetching();
        this.opts.onPositionRepair?.('refetch', partitions.length);
      },
      warn: (fields, msg) => this.log.warn(fields, msg),
    });
    this.member.on('consumer:group:join', () => this.applyAssignment());
    // The library emits 'error' when a rejoin after a failed heartbeat gives up: the member is
    // then out of the group with no heartbeat left, so the next poll joins again.
    this.member.on('error', (err: unknown) => {
      this.memberLost = true;
      this.log.warn({ err: describeError(err) }, 'kafka consumer left the group; rejoining on next poll');
    });
    // A heartbeat that fails for a reason other than the group (a timeout, a dropped connection)
    // is retried by the library at the next interval; one the group refused makes it join again
    // by itself, and 'error' above only follows when that join fails. Joining from here as well
    // would cost the whole group a rebalance per transient heartbeat failure. (1.x stopped
    // heartbeating after such a failure, so this used to rejoin.)
    this.member.on('consumer:heartbeat:error', (payload: { error?: unknown }) => {
      this.log.warn({ err: describeError(payload?.error) }, 'kafka heartbeat failed; the client retries');
    });
  }

  /** Creates the topics if needed and joins the group; poll() calls it too. */
  start(): Promise<void> {
    if (this.started) return this.started;
    const started = (async () => {
      await ensureTopics(this.admin, this.opts);
      await this.member.joinGroup({});
      this.applyAssignment();
      this.startPositionChecks();
    })();
    // A broker that is down at start must not make the failure permanent.
    started.catch(() => (this.started = undefined));
    return (this.started = started);
  }

  /** The partitions this member owns now (for tests and logs). */
  assignment(): number[] {
    return this.parts.partitions();
  }

  private applyAssignment(): void {
    const mine = this.member.assignments?.find((a) => a.topic === this.opts.topic)?.partitions ?? [];
    const { revoked, added } = this.parts.assign(mine);
    if (revoked.length > 0 || added.length > 0) {
      this.log.info(
        { group: this.opts.group, generation: this.member.generationId, partitions: mine, revoked, added },
        'kafka partitions assigned',
      );
    }
    void this.pump();
  }

  async poll(maxRecords: number): Promise<ConsumedRecord[]> {
    if (this.closed) throw gridError('SG_ERR_BUS', ['the consumer is closed']);
    await this.startOrFail();
    if (this.memberLost) await this.rejoin();
    if (this.parts.available() === 0) {
      // Bounded: a round that never settles (restartFetching() abandons it) must not hold the
      // processor loop; an empty answer makes it poll again.
      await waitWithin(this.pump(), this.opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
      if (this.parts.available() === 0 && this.fetchError !== undefined) {
        throw gridError('SG_ERR_BUS', [`fetch: ${describeError(this.fetchError)}`], {
          cause: this.fetchError,
        });
      }
    }
    return this.parts.take(maxRecords);
  }

  /**
   * Fetches in the background while any owned partition has room, one round at a time; the
   * returned promise settles with the current round. Failures back off up to 5 s. A round
   * abandoned by restartFetching() changes nothing when it settles at last.
   */
  private pump(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.fetching) return this.fetching;
    const round: Promise<void> = this.fetcher
      .round()
      .then(
        () => {
          if (this.fetching !== round) return;
          this.fetchError = undefined;
          this.fetchFailures = 0;
        },
        (err: unknown) => {
          if (this.fetching !== round) return;
          this.fetchError = err;
          this.fetchFailures++;
          this.log.warn({ err: describeError(err), failures: this.fetchFailures }, 'kafka fetch failed');
        },
      )
      .finally(() => {
        if (this.fetching !== round) return;
        this.fetching = undefined;
        const limit = this.opts.bufferPerPartition ?? DEFAULTS.bufferPerPartition;
        if (this.closed || this.parts.fetchable(limit).length === 0) return;
        const delay = this.fetchFailures === 0 ? 0 : Math.min(5000, 100 * 2 ** this.fetchFailures);
        setTimeout(() => void this.pump(), delay).unref();
      });
    this.fetching = round;
    return round;
  }

  /** Abandons the fetch round in flight (it may never settle) and fetches on a new client. */
  private restartFetching(): void {
    this.fetcher.restart();
    this.fetching = undefined;
    this.fetchFailures = 0;
    void this.pump();
  }

  async commit(next: ReadonlyMap<number, number>): Promise<void> {
    if (this.closed) throw gridError('SG_ERR_BUS', ['the consumer is closed']);
    await this.startOrFail();
    await this.commitOwned(next);
    void this.pump();
  }

  /** Commits the offsets of the partitions this member owns; skips (and logs) the others. */
  private async commitOwned(next: ReadonlyMap<number, number>): Promise<void> {
    const offsets = [];
    for (const [partition, offset] of next) {
      if (!this.parts.owns(partition)) {
        this.log.info(
          { partition, offset },
          'kafka commit skipped: partition reassigned; its new owner replays',
        );
        continue;
      }
      offsets.push({ topic: this.opts.topic, partition, offset: BigInt(offset), leaderEpoch: -1 });
    }
    if (offsets.length === 0) return;
    // Bounded too: a commit refused for a rebalance is retried by the client after it rejoined
    // (up to the rebalance timeout), but one that never settles must not hold the loop. Should
    // it land later, it commits stored records only.
    const bound = commitTimeoutMs(this.opts);
    const committing = this.member.commit({ offsets });
    try {
      if (!(await waitWithin(committing, bound))) throw new Error(`no answer in ${bound} ms`);
      await committing;
    } catch (err) {
      // Not committed: the records stay buffered and the next poll returns them again.
      throw gridError('SG_ERR_BUS', [`commit: ${describeError(err)}`], { cause: err });
    }
    for (const o of offsets) this.parts.committed(o.partition, Number(o.offset));
  }

  /** Checks the partitions read to the end every positionCheckMs (kafka-position-check.ts). */
  private startPositionChecks(): void {
    const every = this.opts.positionCheckMs ?? DEFAULTS.positionCheckMs;
    if (every <= 0 || this.positionTimer) return;
    this.positionTimer = setInterval(() => {
      if (this.closed) return;
      this.positionCheck.run().catch((err: unknown) => {
        // A broker that is down fails the check; fetches and commits say so already.
        this.log.debug({ err: describeError(err) }, 'kafka position check failed');
      });
    }, every).unref();
  }

  async deadLetter(record: ConsumedRecord, reason: string): Promise<void> {
    this.dlq ??= openProducer(this.opts, 'dlq');
    const headers: Record<string, string> = {
      ...record.headers,
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.topic]: this.opts.topic,
      [DLQ_HEADERS.partition]: String(record.partition),
      [DLQ_HEADERS.offset]: String(record.offset),
    };
    try {
      await this.dlq.send({
        messages: [{ topic: dlqTopic(this.opts.topic), key: record.key, value: record.value, headers }],
      });
    } catch (err) {
      throw gridError('SG_ERR_BUS', [`dead letter: ${describeError(err)}`], { cause: err });
    }
  }

  async lag(): Promise<number> {
    try {
      return this.fetcher.ratio.scale(await this.lagReader.lag(this.opts.group));
    } catch (err) {
      throw gridError('SG_ERR_BUS', [`lag: ${describeError(err)}`], { cause: err });
    }
  }

  /** Leaves the group (its partitions move at once, no session timeout) and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.positionTimer);
    // A fetch in flight ends within fetchMaxWaitMs; one stuck on a dead broker is not waited for.
    await waitWithin(this.fetching, this.opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
    const results = await Promise.allSettled([
      this.member.close(),
      this.fetcher.close(),
      this.admin.close(),
      this.dlq?.close() ?? Promise.resolve(),
    ]);
    for (const r of results) {
      if (r.status === 'rejected') this.log.warn({ err: describeError(r.reason) }, 'kafka consumer close');
    }
  }

  private async startOrFail(): Promise<void> {
    try {
      await this.start();
    } catch (err) {
      throw gridError('SG_ERR_BUS', [`start: ${describeError(err)}`], { cause: err });
    }
  }

  private async rejoin(): Promise<void> {
    this.memberLost = false;
    try {
      await this.member.joinGroup({});
      this.applyAssignment();
    } catch (err) {
      this.memberLost = true;
      await sleep(this.opts.retryDelayMs ?? DEFAULTS.retryDelayMs);
      throw gridError('SG_ERR_BUS', [`rejoin: ${describeError(err)}`], { cause: err });
    }
  }
}
