// What a Kafka consumer holds per owned partition, kept apart from the network so the rules are
// testable on their own. The buffer of a partition starts at the group's committed position and
// is trimmed only by a commit, so poll() without a commit hands out the same records again (a
// failed batch is retried, never skipped), exactly like the SQLite bus that reads from its
// committed offsets on every poll. A revoked partition's state and records are dropped at once;
// a fetch answer is applied only to the very state object and offset it was asked for, so a late
// answer for a partition that was revoked (and maybe assigned back since) cannot leave a gap.
import type { ConsumedRecord } from './bus.ts';
import { envelopeEnd } from './kafka-envelope.ts';

export interface PartitionState {
  readonly partition: number;
  /** Next offset to hand out: the group's committed position as this member knows it. */
  committed: number | undefined;
  /** Next offset to fetch; undefined until the committed offset was read from the broker. */
  fetchOffset: number | undefined;
  /**
   * Records from `committed` on, ascending, possibly with gaps (control records, compaction);
   * the records of one envelope (kafka-envelope.ts) share an offset.
   */
  records: ConsumedRecord[];
}

export class PartitionBuffers {
  private readonly owned = new Map<number, PartitionState>();

  /** Applies a new assignment: drops revoked partitions, adds new ones (not yet positioned). */
  assign(partitions: Iterable<number>): { revoked: number[]; added: number[] } {
    const next = new Set(partitions);
    const revoked = [...this.owned.keys()].filter((p) => !next.has(p));
    for (const p of revoked) this.owned.delete(p);
    const added: number[] = [];
    for (const p of next) {
      if (this.owned.has(p)) continue;
      this.owned.set(p, { partition: p, committed: undefined, fetchOffset: undefined, records: [] });
      added.push(p);
    }
    return { revoked, added };
  }

  partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  /** Whether `state` is still the state of an owned partition (it was not revoked since). */
  holds(state: PartitionState): boolean {
    return this.owned.get(state.partition) === state;
  }

  /** Positioned partitions with nothing buffered: read to the end, and all of it committed. */
  caughtUp(): PartitionState[] {
    return [...this.owned.values()].filter((s) => s.fetchOffset !== undefined && s.records.length === 0);
  }

  /** Partitions that still need their starting offset from the broker. */
  unpositioned(): PartitionState[] {
    return [...this.owned.values()].filter((s) => s.fetchOffset === undefined);
  }

  /** Sets where a newly assigned partition starts; ignored if it was revoked meanwhile. */
  position(state: PartitionState, offset: number): void {
    if (this.owned.get(state.partition) !== state || state.fetchOffset !== undefined) return;
    state.committed = offset;
    state.fetchOffset = offset;
  }

  /** Positioned partitions with room in their buffer, to fetch next. */
  fetchable(limitPerPartition: number): PartitionState[] {
    return [...this.owned.values()].filter(
      (s) => s.fetchOffset !== undefined && s.records.length < limitPerPartition,
    );
  }

  /**
   * Adds fetched records if `state` is still owned and still wants `requestedOffset`; returns
   * whether they were taken. `nextFetchOffset` is the offset after the last one the broker
   * returned, even when none of them is deliverable (a control batch).
   */
  append(
    state: PartitionState,
    requestedOffset: number,
    records: ConsumedRecord[],
    nextFetchOffset: number,
  ): boolean {
    if (this.owned.get(state.partition) !== state || state.fetchOffset !== requestedOffset) return false;
    // A fetch answers from the start of the batch holding the requested offset.
    for (const r of records) if (r.offset >= requestedOffset) state.records.push(r);
    state.fetchOffset = Math.max(requestedOffset, nextFetchOffset);
    return true;
  }

  /** Moves a partition whose position left the log (retention, truncation) to `offset`. */
  reposition(state: PartitionState, requestedOffset: number, offset: number): void {
    if (this.owned.get(state.partition) !== state || state.fetchOffset !== requestedOffset) return;
    state.records = [];
    state.committed = offset;
    state.fetchOffset = offset;
  }

  /** Buffered records ready to hand out. */
  available(): number {
    let n = 0;
    for (const s of this.owned.values()) n += s.records.length;
    return n;
  }

  /**
   * Up to `max` records from the committed positions, a fair share per partition (so a deep
   * backlog on one partition does not starve the others), in offset order within a partition;
   * a little more when a share ends inside an envelope, which is handed out whole.
   */
  take(max: number): ConsumedRecord[] {
    const states = [...this.owned.values()].filter((s) => s.records.length > 0);
    const counts = new Map<PartitionState, number>();
    let remaining = max;
    while (remaining > 0) {
      const open = states.filter((s) => (counts.get(s) ?? 0) < s.records.length);
      if (open.length === 0) break;
      const share = Math.ceil(remaining / open.length);
      for (const s of open) {
        const have = counts.get(s) ?? 0;
        const n = Math.min(share, s.records.length - have, remaining);
        counts.set(s, have + n);
        remaining -= n;
        if (remaining === 0) break;
      }
    }
    const out: ConsumedRecord[] = [];
    for (const [s, share] of counts) {
      const n = envelopeEnd(s.records, share);
      for (let i = 0; i < n; i++) out.push(s.records[i]!);
    }
    return out;
  }

  /** After a successful commit: the position moves to `next` and records before it are dropped. */
  committed(partition: number, next: number): void {
    const s = this.owned.get(partition);
    if (!s || s.committed === undefined || next <= s.committed) return;
    s.committed = next;
    let drop = 0;
    while (drop < s.records.length && s.records[drop]!.offset < next) drop++;
    if (drop > 0) s.records = s.records.slice(drop);
    if (s.fetchOffset !== undefined && s.fetchOffset < next) s.fetchOffset = next;
  }
}
