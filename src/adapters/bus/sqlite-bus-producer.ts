// The embedded bus's producer. Publishes are grouped: everything published while the writer
// thread commits the previous group goes into the next transaction (group commit), so one
// fsync acknowledges many requests and the groups grow with the load. The append itself runs
// in a writer thread (sqlite-bus-writer.ts); this side splits records by partition and keeps a
// read-only connection for the lag, which WAL readers answer without waiting for the writer.
import { Worker } from 'node:worker_threads';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { partitionFor, type BusProducer, type BusRecord } from './bus.ts';
import { lagQuery, openBus, type Chunk, type SqliteBusOptions } from './sqlite-bus-log.ts';
import type { BusWriterData, BusWriterReply, BusWriterRequest } from './sqlite-bus-writer.ts';

type Headers = Record<string, string> | null;

/** One publish's records of one partition, joined already: a few flat strings, not thousands. */
interface Run {
  partition: number;
  count: number;
  keys: string;
  values: string;
  /** Per-record headers, or null when no record has any (the common case). */
  headers: Headers[] | null;
}

interface Pending {
  runs: Run[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Splits one publish's records by partition, in order, into one run per partition. */
function toRuns(records: readonly BusRecord[], partitions: number): Run[] {
  const byPartition: { keys: string[]; values: string[]; headers: Headers[] }[] = [];
  for (const r of records) {
    const p = partitionFor(r.key, partitions);
    const slot = (byPartition[p] ??= { keys: [], values: [], headers: [] });
    slot.keys.push(r.key);
    slot.values.push(r.value);
    slot.headers.push(r.headers ?? null);
  }
  const runs: Run[] = [];
  byPartition.forEach((slot, partition) => {
    runs.push({
      partition,
      count: slot.keys.length,
      keys: slot.keys.join('\n'),
      values: slot.values.join('\n'),
      headers: slot.headers.some((h) => h !== null) ? slot.headers : null,
    });
  });
  return runs;
}

/** One chunk per partition from the runs of several publishes, each partition in publish order. */
function mergeRuns(publishes: readonly Run[][]): Chunk[] {
  const byPartition: Run[][] = [];
  for (const runs of publishes) for (const run of runs) (byPartition[run.partition] ??= []).push(run);
  const chunks: Chunk[] = [];
  byPartition.forEach((runs, partition) => {
    const withHeaders = runs.some((r) => r.headers !== null);
    chunks.push({
      partition,
      count: runs.reduce((n, r) => n + r.count, 0),
      keys: runs.map((r) => r.keys).join('\n'),
      values: runs.map((r) => r.values).join('\n'),
      headers: withHeaders
        ? JSON.stringify(runs.flatMap((r) => r.headers ?? new Array<Headers>(r.count).fill(null)))
        : null,
    });
  });
  return chunks;
}

/** Splits records by partition, in order, into one chunk per partition. */
export function toChunks(records: readonly BusRecord[], partitions: number): Chunk[] {
  return mergeRuns([toRuns(records, partitions)]);
}

export class SqliteBusProducer implements BusProducer {
  private readonly opts: SqliteBusOptions;
  private readonly reader: DatabaseSync;
  private readonly lagStmt: StatementSync;
  private writer: Worker | undefined;
  private queued: Pending[] = [];
  /** The group the writer is committing; at most one at a time. */
  private inFlight: Pending[] | undefined;
  private sendScheduled = false;
  private closed = false;
  private idle: (() => void) | undefined;

  constructor(opts: SqliteBusOptions) {
    this.opts = opts;
    // Opening here runs the migrations and surfaces a bad path at start-up, not at first publish.
    this.reader = openBus(opts);
    this.lagStmt = lagQuery(this.reader);
  }

  publish(records: BusRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the bus producer is closed'));
    // Joined now rather than when the group is sent: records wait for the commit in flight
    // (an fsync), and a young collection meanwhile would copy, then promote, thousands of
    // small strings per publish, where a few joined ones cost next to nothing.
    const runs = toRuns(records, this.opts.partitions);
    return new Promise((resolve, reject) => {
      this.queued.push({ runs, resolve, reject });
      // Wait one turn of the event loop so requests arriving together share a commit.
      if (!this.sendScheduled && !this.inFlight) {
        this.sendScheduled = true;
        setImmediate(() => {
          this.sendScheduled = false;
          this.send();
        });
      }
    });
  }

  private send(): void {
    if (this.inFlight || this.queued.length === 0) {
      if (!this.inFlight) this.idle?.();
      return;
    }
    const group = this.queued;
    this.queued = [];
    this.inFlight = group;
    const writer = this.startWriter();
    writer.ref(); // an append in flight keeps the process alive until it is answered
    const request: BusWriterRequest = {
      type: 'append',
      chunks: mergeRuns(group.map((p) => p.runs)),
    };
    writer.postMessage(request);
    // postMessage copied the chunks: the runs need not live until the commit is answered.
    for (const p of group) p.runs = [];
  }

  private settle(err: Error | undefined): void {
    const group = this.inFlight ?? [];
    this.inFlight = undefined;
    this.writer?.unref();
    for (const p of group) {
      if (err) p.reject(err);
      else p.resolve();
    }
    this.send();
  }

  /** The writer thread, started on first use and again after it died. */
  private startWriter(): Worker {
    if (this.writer) return this.writer;
    const workerData: BusWriterData = { path: this.opts.path, synchronous: this.opts.synchronous };
    const w = new Worker(new URL('./sqlite-bus-writer.ts', import.meta.url), { workerData });
    w.on('message', (m: BusWriterReply) =>
      this.settle(m.type === 'failed' ? new Error(m.message) : undefined),
    );
    let failure: Error | undefined;
    w.on('error', (err) => (failure = err));
    w.on('exit', (code) => {
      if (this.writer === w) this.writer = undefined;
      // Whether or not the last group was written, it was not acknowledged: the client retries.
      if (this.inFlight) this.settle(failure ?? new Error(`the bus writer thread exited (code ${code})`));
    });
    this.writer = w;
    return w;
  }

  async lag(group: string): Promise<number> {
    return (this.lagStmt.get(group) as { lag: number }).lag;
  }

  /** Commits everything already published, then stops the writer thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight || this.queued.length > 0) {
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        if (!this.sendScheduled) this.send();
      });
    }
    const w = this.writer;
    if (w) {
      const exited = new Promise((resolve) => w.once('exit', resolve));
      w.postMessage({ type: 'close' } satisfies BusWriterRequest);
      await exited;
    }
    if (this.reader.isOpen) this.reader.close();
  }
}
