// Retention of raw readings (GRIDOPS_RETENTION_DAYS): every hour, one processor worker per
// process deletes the readings older than the kept days. Rollups and events stay. The store
// makes it cheap where it can (PostgreSQL drops whole day partitions) and idempotent, so
// replicas running it at once only repeat each other's work.
import { MS, bucketStart } from '../../domain/readings.ts';
import type { StoreWriter } from '../../adapters/store/store.ts';

export interface RetentionResult {
  cutoff: number;
  days: number;
  rows: number;
  ms: number;
}

/** The UTC midnight `days` days before today's: readings timed before it go. */
export function retentionCutoff(now: number, days: number): number {
  return bucketStart(now, MS.day) - days * MS.day;
}

export interface RetentionOptions {
  store: Pick<StoreWriter, 'deleteReadingsBefore'>;
  days: number;
  onDone: (r: RetentionResult) => void;
  onError: (err: unknown) => void;
  /** First run after start (default 60 s: start-up and the first batches go first). */
  firstAfterMs?: number;
  everyMs?: number;
  now?: () => number;
}

/** Starts the schedule; resolves the returned stop() once a run in progress has ended. */
export function startRetention(opts: RetentionOptions): () => Promise<void> {
  const now = opts.now ?? Date.now;
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    const cutoff = retentionCutoff(now(), opts.days);
    const started = performance.now();
    try {
      const { days, rows } = await opts.store.deleteReadingsBefore(cutoff);
      opts.onDone({ cutoff, days, rows, ms: performance.now() - started });
    } catch (err) {
      opts.onError(err);
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        schedule(opts.everyMs ?? MS.hour);
      });
    }, ms);
    timer.unref();
  };
  schedule(opts.firstAfterMs ?? 60_000);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
