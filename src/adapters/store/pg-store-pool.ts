// What the PostgreSQL store writer and reader share: their options (plain data, so the
// processor's worker thread can receive them through workerData), the pool, and the schema
// check on first use.
import type pg from 'pg';
import { createPgPool, migratePg, type PgOptions } from '../postgres.ts';
import { PG_STORE_MIGRATIONS } from './pg-schema.ts';

export interface PgStoreOptions extends PgOptions {
  /** Apply pending migrations on first use (default true); false when `gridops migrate` does it. */
  migrate?: boolean;
  /** Days before today that get their own reading partition on demand (default 366). */
  partitionPastDays?: number;
  /** Days after today that get their own reading partition on demand (default 2). */
  partitionFutureDays?: number;
}

export interface StorePool {
  pool: pg.Pool;
  /**
   * Resolves once the schema is current. Nothing touches the network before the first call,
   * and a failure (the server is down) is retried by the next call rather than remembered.
   */
  ready(): Promise<void>;
  /** Connections open, idle, and callers waiting for one (for a pool-saturation gauge). */
  stats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export function openStorePool(opts: PgStoreOptions, onPoolError?: (err: Error) => void): StorePool {
  const pool = createPgPool(opts, onPoolError);
  let pending: Promise<void> | undefined;
  let closed = false;
  return {
    pool,
    ready() {
      if (opts.migrate === false) return Promise.resolve();
      pending ??= migratePg(pool, PG_STORE_MIGRATIONS, opts.schema).then(
        () => undefined,
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
