// The cache port on Redis (ElastiCache at scale), shared by every query replica and processor.
//
// Invalidation is a generation counter, not a flush: clear() is one INCR of `<ns>:gen`. Each entry
// lives at `<ns>:e:<key>` as `<generation>|<json>` with a PX TTL, and a get reads the counter and
// the entry in one round trip (two GETs, auto-pipelined; they also work on a cluster, unlike a
// script touching both keys), serving the entry only when its generation is the current one.
// So once a processor's INCR has returned, no query that starts afterwards serves an answer
// computed before that commit, on any replica (staleness bound: zero beyond the in-flight
// requests). A set is tagged with the generation its key's miss saw, not the current one, so an
// answer read from the store before a commit and stored after it is never served (see
// read-generations.ts). Old entries are overwritten on the next set or expire by TTL; nothing
// scans keys.
//
// Redis down: a get answers undefined (the query reads the store) after at most commandTimeoutMs,
// or at once while disconnected (no offline queue) or while the breaker is open after
// `breakerFailures` consecutive failures; set and clear swallow errors. Failures are counted in
// smartgrid_cache_errors_total{op}, smartgrid_cache_up says 0, and one warning is logged per
// logIntervalMs. node-redis reconnects in the background with capped, jittered backoff. Every
// reconnect bumps the generation (past the clock, see BUMP_PAST_CLOCK), because invalidations may
// have been missed meanwhile (a clear that failed, or Redis restored from an older snapshot); the
// process serves nothing from Redis until that bump lands. A clear that fails on a live
// connection is retried every breakerOpenMs until it lands. Bound while the committing process
// cannot reach Redis but queries can: min(TTL, until its retry or reconnect lands).
//
// The counter must never be evicted: use a volatile-* maxmemory-policy (the ElastiCache default,
// volatile-lru; entries carry TTLs, the counter none). If it vanishes anyway, gets miss until it
// is re-created from the clock (SET NX), which jumps past any earlier value.
import type { Cache } from './cache.ts';
import { ReadGenerations, type Generation } from './read-generations.ts';
import { BUMP_PAST_CLOCK, makeClient, shutClient, withDeadline, type RedisClient } from './redis-client.ts';
import { RedisFailures } from './redis-failures.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';

export interface RedisCacheOptions {
  /** redis://[:password@]host:port or rediss:// (TLS, as ElastiCache in-transit encryption). */
  url: string;
  metrics?: Pick<Metrics, 'cacheErrors' | 'cacheUp' | 'cacheInvalidations'>;
  logger?: Logger;
  /** Key namespace; the counter is `<namespace>:gen`. Default gridops:cache. */
  namespace?: string;
  /** Longest a command may take before the cache gives up on it. Default 100. */
  commandTimeoutMs?: number;
  /** TCP/TLS connect timeout. Default 2000. */
  connectTimeoutMs?: number;
  /** Reconnect backoff: 50 ms doubling up to this, with jitter. Default 5000. */
  reconnectMaxMs?: number;
  /** Consecutive failures after which Redis is skipped for breakerOpenMs. Default 3. */
  breakerFailures?: number;
  /** How long Redis is skipped, and the retry period of a failed clear. Default 1000. */
  breakerOpenMs?: number;
  /** Failing this long on a connection that claims to be up (hung or half-open) opens a new one. Default 5000. */
  stuckMs?: number;
  /** At most one warning per this period while Redis fails. Default 30000. */
  logIntervalMs?: number;
}

type Settings = Required<Omit<RedisCacheOptions, 'metrics' | 'logger'>>;
type Op = 'get' | 'set' | 'clear';

export class RedisCache implements Cache {
  private readonly o: Settings;
  private readonly metrics: RedisCacheOptions['metrics'];
  private readonly genKey: string;
  private readonly reads = new ReadGenerations();
  private readonly failures: RedisFailures;
  private client!: RedisClient;
  private closed = false;
  private everReady = false;
  private owed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The newest generation this process has seen; never newer than Redis's current one. */
  private lastGen: Generation = null;

  constructor(opts: RedisCacheOptions) {
    this.o = {
      url: opts.url,
      namespace: opts.namespace ?? 'gridops:cache',
      commandTimeoutMs: opts.commandTimeoutMs ?? 100,
      connectTimeoutMs: opts.connectTimeoutMs ?? 2000,
      reconnectMaxMs: opts.reconnectMaxMs ?? 5000,
      breakerFailures: opts.breakerFailures ?? 3,
      breakerOpenMs: opts.breakerOpenMs ?? 1000,
      stuckMs: opts.stuckMs ?? 5000,
      logIntervalMs: opts.logIntervalMs ?? 30_000,
    };
    this.metrics = opts.metrics;
    this.genKey = `${this.o.namespace}:gen`;
    this.failures = new RedisFailures({ ...this.o, logger: opts.logger });
    this.metrics?.cacheUp.set(0);
    this.open();
  }

  /** True while Redis is connected and the breaker is closed (what smartgrid_cache_up says). */
  get up(): boolean {
    // While an invalidation is owed, entries may be stale: answer from the store until it lands.
    return !this.closed && !this.owed && this.client.isReady && !this.failures.breakerOpen;
  }

  /** Resolves true once connected, false after timeoutMs (for start-up logs and tests). */
  async whenUp(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.up && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    return this.up;
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (!this.usable('get')) {
      this.reads.noteMiss(key, this.lastGen);
      return undefined;
    }
    try {
      const [gen, raw] = await this.deadline(
        Promise.all([this.client.get(this.genKey), this.client.get(this.entryKey(key))]),
      );
      this.succeeded();
      if (gen !== null) this.saw(gen);
      const bar = raw?.indexOf('|') ?? -1;
      if (gen !== null && raw && raw.slice(0, bar) === gen) return JSON.parse(raw.slice(bar + 1)) as T;
      this.reads.noteMiss(key, gen ?? (await this.deadline(this.generation())));
    } catch (err) {
      this.failed('get', err);
      // The generation at this get is unknown, but not older than the last one seen: safe to tag with.
      this.reads.noteMiss(key, this.lastGen);
    }
    return undefined;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const tagged = this.reads.takeForSet(key);
    const json = JSON.stringify(value);
    if (ttlMs <= 0 || json === undefined || tagged?.gen === null || !this.usable('set')) return;
    try {
      // A set with no miss before it (not read-through) has no store read to protect: use the current generation.
      const gen = tagged ? tagged.gen : await this.deadline(this.generation());
      if (gen === null) return;
      const px = Math.max(1, Math.ceil(ttlMs));
      await this.deadline(
        this.client.set(this.entryKey(key), `${gen}|${json}`, { expiration: { type: 'PX', value: px } }),
      );
      this.succeeded();
    } catch (err) {
      this.failed('set', err);
    }
  }

  /** Invalidates every entry for every process sharing this Redis: one INCR. */
  async clear(): Promise<void> {
    await this.bump('clear');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.owed && this.client.isReady) await this.bump('retry');
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.metrics?.cacheUp.set(0);
    await shutClient(this.client, 3 * this.o.commandTimeoutMs);
  }

  private deadline<T>(p: Promise<T>): Promise<T> {
    return withDeadline(p, this.o.commandTimeoutMs);
  }

  private entryKey(key: string): string {
    return `${this.o.namespace}:e:${key}`;
  }

  private open(): void {
    const client = makeClient(this.o);
    client.on('error', (err: unknown) => {
      if (client === this.client) this.failures.report(err);
    });
    client.on('ready', () => {
      if (client === this.client) this.onReady();
    });
    const down = () => {
      if (client === this.client) this.metrics?.cacheUp.set(0);
    };
    client.on('end', down);
    client.on('reconnecting', down);
    this.client = client;
    // Resolves on the first ready; failures go to 'error' and the reconnect strategy retries forever.
    client.connect().catch(() => {});
  }

  private onReady(): void {
    this.failures.connected();
    const reconnect = this.everReady;
    this.everReady = true;
    // Invalidations may have been missed meanwhile (a clear that failed here, or Redis restored
    // from an older snapshot): bump before serving entries again.
    if (reconnect) this.owed = true;
    this.metrics?.cacheUp.set(this.up ? 1 : 0);
    if (this.owed) void this.bump('reconnect');
  }

  /** Whether to try Redis now; counts the op as an error when it is skipped. */
  private usable(op: Op): boolean {
    if (this.closed) return false;
    if (this.up) return true;
    this.metrics?.cacheErrors.inc({ op });
    this.metrics?.cacheUp.set(0);
    return false;
  }

  private async bump(reason: 'clear' | 'reconnect' | 'retry'): Promise<void> {
    if (this.closed) return;
    if (!this.client.isReady) {
      if (reason === 'clear') this.metrics?.cacheErrors.inc({ op: 'clear' });
      this.owe(); // the 'ready' handler pays it
      return;
    }
    try {
      const gen =
        reason === 'clear'
          ? await this.deadline(this.client.incr(this.genKey))
          : await this.deadline(
              this.client.eval(BUMP_PAST_CLOCK, { keys: [this.genKey], arguments: [String(Date.now())] }),
            );
      this.saw(String(gen));
      this.owed = false;
      this.metrics?.cacheUp.set(this.up ? 1 : 0);
      this.metrics?.cacheInvalidations.inc({ reason });
      this.succeeded();
    } catch (err) {
      this.failed('clear', err);
      this.owe();
    }
  }

  private owe(): void {
    this.owed = true;
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.owed) return;
      if (this.client.isReady) void this.bump('retry');
      else this.owe();
    }, this.o.breakerOpenMs);
    this.retryTimer.unref();
  }

  /**
   * The current generation, re-creating the counter from the clock when it is missing (a fresh
   * Redis, or evicted): the clock jumps past any value it had, so no old entry matches again.
   */
  private async generation(): Promise<Generation> {
    let gen = await this.client.get(this.genKey);
    if (gen === null) {
      await this.client.set(this.genKey, String(Date.now()), { condition: 'NX' });
      gen = await this.client.get(this.genKey);
    }
    if (gen !== null) this.saw(gen);
    return gen;
  }

  private saw(gen: string): void {
    if (this.lastGen === null || Number(gen) > Number(this.lastGen)) this.lastGen = gen;
  }

  private succeeded(): void {
    this.failures.succeeded();
    this.metrics?.cacheUp.set(this.up ? 1 : 0);
  }

  private failed(op: Op, err: unknown): void {
    this.metrics?.cacheErrors.inc({ op });
    const replace = this.failures.failed(err, this.client.isReady);
    this.metrics?.cacheUp.set(this.up ? 1 : 0);
    if (replace && !this.closed) {
      const old = this.client;
      this.open();
      old.destroy();
    }
  }
}
