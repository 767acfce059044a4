// The consume loop: poll, process, write, then commit. A failed batch is not committed, so the
// next poll returns it again after a backoff: the bus holds the work while the store is down.
import type { BusConsumer, ConsumedRecord } from '../../adapters/bus/bus.ts';
import { StopRequested, type ProcessorCore } from './processor-core.ts';
import type { BatchStats } from './batch-stats.ts';

export interface LoopOptions {
  batchSize: number;
  idleMs?: number;
  /**
   * Parked gap estimates wait for the next batch; when the bus has been empty this long, no
   * batch is coming soon (a live stream between intervals), and they are stored at once.
   */
  parkedIdleMs?: number;
  maxBackoffMs?: number;
  onStats?: (stats: BatchStats) => void;
  onError?: (err: unknown, attempt: number) => void;
  /**
   * Read while a batch is worked out, so a stop can be seen in the middle of synchronous work
   * (a worker thread's stop message waits for it; a flag in shared memory does not).
   */
  stopRequested?: () => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function nextOffsets(records: readonly ConsumedRecord[]): Map<number, number> {
  const next = new Map<number, number>();
  // Indexed, not for-of: called once per batch, this loop runs before V8 optimizes it, and
  // there each step of an array iterator allocates its result (sampled: 2 % of a worker's
  // allocations).
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
  }
  return next;
}

export class ProcessorLoop {
  private stopping = false;
  private done: Promise<void> | undefined;
  private readonly consumer: BusConsumer;
  private readonly core: ProcessorCore;
  private readonly opts: LoopOptions;

  constructor(consumer: BusConsumer, core: ProcessorCore, opts: LoopOptions) {
    this.consumer = consumer;
    this.core = core;
    this.opts = opts;
  }

  start(): void {
    this.done = this.run();
  }

  /**
   * Ends the loop after the batch in hand, written and committed; when `stopRequested` turns true
   * while that batch is still worked out, the batch is dropped instead (see StopRequested).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }

  /**
   * Stores the parked gap estimates (see ProcessorCore.flushParked), after stop(): the last
   * step of a graceful stop, before the consumer leaves its group.
   */
  async flushParked(): Promise<void> {
    const stats = await this.core.flushParked();
    if (stats) this.opts.onStats?.(stats);
  }

  /** Processes until the bus is empty (for tests and benchmarks). */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.step();
      if (n === 0) return total;
      total += n;
    }
  }

  private async step(): Promise<number> {
    const records = await this.consumer.poll(this.opts.batchSize);
    if (records.length === 0) return 0;
    const owned = this.consumer.assignment?.();
    if (owned) this.core.keepPartitions(owned);
    const { stats, dead } = await this.core.process(records, this.opts.stopRequested);
    for (const d of dead) await this.consumer.deadLetter(d.record, d.reason);
    await this.consumer.commit(nextOffsets(records));
    this.opts.onStats?.(stats);
    return records.length;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let idleSince: number | undefined;
    while (!this.stopping && !this.opts.stopRequested?.()) {
      try {
        const n = await this.step();
        attempt = 0;
        if (n > 0) idleSince = undefined;
        else {
          idleSince ??= Date.now();
          if (Date.now() - idleSince >= (this.opts.parkedIdleMs ?? 2000) && this.core.hasParked())
            await this.flushParked();
          await sleep(this.opts.idleMs ?? 25);
        }
      } catch (err) {
        if (err instanceof StopRequested) return;
        attempt++;
        this.opts.onError?.(err, attempt);
        await sleep(Math.min(this.opts.maxBackoffMs ?? 5000, 100 * 2 ** Math.min(attempt, 10)));
      }
    }
  }
}
