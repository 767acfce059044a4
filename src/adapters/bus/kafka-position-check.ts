// A periodic check of the partitions a Kafka member has read to the end, against the broker.
// Two things can leave such a partition's lag up for good although every record was stored:
// - The group's committed offset went back. The broker accepts an offset commit from any member
//   of the current generation, owner or not, and the client library retries a commit refused
//   for a rebalance after rejoining, under the new generation, with the offsets it had. Should
//   that land after the new owner's last commit, the offset goes back, and an owner with nothing
//   left to read never commits again: the lag alert fires, and the next owner replays. The check
//   commits the owner's own position again (records before it are stored: safe to commit).
// - Records exist after the position but fetches bring none, check after check, or a partition
//   still has no position (a fetch round that never settled, or a fetch session the broker and
//   the client disagree on). The check says so and asks the consumer to fetch afresh.
// Either is logged as a warning: each means something outside this member went wrong.
import type { PartitionState } from './kafka-partitions.ts';

export interface PositionCheckDeps {
  /** Owned partitions read to the end: positioned (`committed` set), nothing buffered or uncommitted. */
  caughtUp(): PartitionState[];
  /** Owned partitions still waiting for their start position from the broker. */
  unpositioned(): PartitionState[];
  /** Whether `state` is still the owned state of its partition (not revoked meanwhile). */
  stillOwned(state: PartitionState): boolean;
  /** The group's committed offsets (-1 or absent when none). */
  readCommitted(partitions: number[]): Promise<Map<number, number>>;
  /** The log end offsets. */
  readEnds(partitions: number[]): Promise<Map<number, number>>;
  commit(offsets: Map<number, number>): Promise<void>;
  /** Fetches of these partitions are stuck: restart fetching. */
  restartFetching(partitions: number[]): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export interface PositionCheckResult {
  recommitted: number[];
  stuck: number[];
}

export class PositionCheck {
  private readonly deps: PositionCheckDeps;
  /** Fetch positions seen behind the log end at the previous check, by state. */
  private behind = new WeakMap<PartitionState, number>();
  /** States without a position at the previous check. */
  private waiting = new WeakSet<PartitionState>();
  private running: Promise<PositionCheckResult> | undefined;

  constructor(deps: PositionCheckDeps) {
    this.deps = deps;
  }

  /** One check; a call while one runs gets that one's result. */
  run(): Promise<PositionCheckResult> {
    this.running ??= this.check().finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(): Promise<PositionCheckResult> {
    const result: PositionCheckResult = { recommitted: [], stuck: [] };
    const stuck: PartitionState[] = [];
    const waiting = new WeakSet<PartitionState>();
    for (const s of this.deps.unpositioned()) {
      waiting.add(s);
      if (this.waiting.has(s)) stuck.push(s);
    }
    this.waiting = waiting;
    const states = this.deps.caughtUp();
    if (states.length === 0) {
      this.behind = new WeakMap();
      return this.restart(stuck, new Map(), result);
    }
    const partitions = states.map((s) => s.partition);
    const [committed, ends] = await Promise.all([
      this.deps.readCommitted(partitions),
      this.deps.readEnds(partitions),
    ]);
    const recommit = new Map<number, number>();
    const behind = new WeakMap<PartitionState, number>();
    for (const s of states) {
      // A batch taken, committed or revoked since the list was made: judged at the next check.
      if (!this.deps.stillOwned(s) || s.records.length > 0) continue;
      // No commit at all (-1: a partition never written to, or started at the log start) is
      // not an offset gone back; the owner commits when it has processed something.
      const broker = committed.get(s.partition) ?? -1;
      if (broker >= 0 && broker < s.committed!) recommit.set(s.partition, s.committed!);
      const end = ends.get(s.partition);
      if (end === undefined || s.fetchOffset === undefined || end <= s.fetchOffset) continue;
      behind.set(s, s.fetchOffset);
      if (this.behind.get(s) === s.fetchOffset) stuck.push(s);
    }
    this.behind = behind;
    this.restart(stuck, ends, result);
    if (recommit.size > 0) {
      const positions = [...recommit].map(([partition, offset]) => ({
        partition,
        offset,
        committed: committed.get(partition) ?? -1,
      }));
      this.deps.warn(
        { positions },
        'kafka committed offset behind this owner (a late commit by a previous owner); committing again',
      );
      await this.deps.commit(recommit);
      result.recommitted = [...recommit.keys()];
    }
    return result;
  }

  private restart(
    stuck: PartitionState[],
    ends: Map<number, number>,
    result: PositionCheckResult,
  ): PositionCheckResult {
    if (stuck.length === 0) return result;
    result.stuck = stuck.map((s) => s.partition);
    this.deps.warn(
      {
        positions: stuck.map((s) => ({
          partition: s.partition,
          fetchOffset: s.fetchOffset ?? 'none',
          end: ends.get(s.partition),
        })),
      },
      'kafka fetch not advancing (no position read, or records after it but none fetched); restarting the fetch',
    );
    this.deps.restartFetching(result.stuck);
    return result;
  }
}
