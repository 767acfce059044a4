// Failure bookkeeping of the Redis cache: a breaker that skips Redis after consecutive failures
// (so a hung Redis costs each query nothing rather than a command timeout), detection of a
// connection that stays "ready" while nothing answers, and a warning at most once per period.
import type { Logger } from '../../telemetry/logger.ts';

export interface FailureOptions {
  breakerFailures: number;
  breakerOpenMs: number;
  stuckMs: number;
  logIntervalMs: number;
  logger: Logger | undefined;
}

export class RedisFailures {
  private readonly o: FailureOptions;
  private failures = 0;
  private failingSince = 0;
  private breakerUntil = 0;
  private lastLog = 0;
  private unlogged = 0;
  private loggedDown = false;

  constructor(o: FailureOptions) {
    this.o = o;
  }

  /** True while Redis is skipped; after breakerOpenMs one call goes through as a probe. */
  get breakerOpen(): boolean {
    return Date.now() < this.breakerUntil;
  }

  succeeded(): void {
    this.failures = 0;
    this.breakerUntil = 0;
  }

  /**
   * Records a failed command. True when the connection should be replaced: a failover left it on
   * a read-only replica, or it has failed for stuckMs while claiming to be up (hung, half-open).
   */
  failed(err: unknown, connectionReady: boolean): boolean {
    const t = Date.now();
    if (this.failures === 0) this.failingSince = t;
    this.failures += 1;
    if (this.failures >= this.o.breakerFailures) this.breakerUntil = t + this.o.breakerOpenMs;
    this.report(err);
    const readOnly = err instanceof Error && err.message.startsWith('READONLY');
    const stuck = connectionReady && t - this.failingSince >= this.o.stuckMs;
    if (!readOnly && !stuck) return false;
    this.failures = 0;
    this.o.logger?.warn(
      { reason: readOnly ? 'read-only replica' : `no answer for ${t - this.failingSince} ms` },
      'redis cache connection replaced',
    );
    return true;
  }

  /** A connection (re)established: closes the breaker and says so once if a warning went out. */
  connected(): void {
    this.succeeded();
    if (this.loggedDown) this.o.logger?.info('redis cache reachable again; using it');
    this.loggedDown = false;
    this.unlogged = 0;
  }

  /** One warning per logIntervalMs while Redis fails, with the number of failures since the last. */
  report(err: unknown): void {
    this.unlogged += 1;
    const t = Date.now();
    if (t - this.lastLog < this.o.logIntervalMs) return;
    this.lastLog = t;
    this.loggedDown = true;
    this.o.logger?.warn(
      { err: err instanceof Error ? err.message : String(err), failures: this.unlogged },
      'redis cache unavailable; queries are answered from the store',
    );
    this.unlogged = 0;
  }
}
