// RedisCache on a real Redis: the cache contract and cross-process invalidation on the shared
// one (GRIDOPS_REDIS_URL), and faults (stopped, frozen, absent at start) on a private
// redis-server of this test's own. Without GRIDOPS_REDIS_URL the tests skip, or fail when CI=true.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createClient } from 'redis';
import { cacheContract } from './cache-contract.ts';
import { RedisCache, type RedisCacheOptions } from './redis-cache.ts';
import { createLogger } from '../../telemetry/logger.ts';
import { createMetrics, type Metrics } from '../../telemetry/metrics.ts';
import { PrivateRedis, redisServerBinary } from '../../../test/support/private-redis.ts';

const url = process.env.GRIDOPS_REDIS_URL;
const bin = redisServerBinary();
const missing = !url
  ? 'GRIDOPS_REDIS_URL is not set (scripts/services up)'
  : !bin
    ? 'no redis-server'
    : undefined;
if (missing && process.env.CI === 'true') test('Redis is available in CI', () => assert.fail(missing));
const skip = missing;

const namespaces: string[] = [];
const caches: RedisCache[] = [];
function cache(extra: Partial<RedisCacheOptions> = {}): RedisCache {
  const namespace = extra.namespace ?? `gridops:test:${randomUUID()}`;
  namespaces.push(namespace);
  const c = new RedisCache({ url: url!, namespace, ...extra });
  caches.push(c);
  return c;
}
after(async () => {
  await Promise.all(caches.map((c) => c.close()));
  if (!url) return;
  const raw = createClient({ url });
  await raw.connect();
  for (const ns of namespaces) await raw.del(`${ns}:gen`); // entries expire by their TTL
  await raw.close();
});

cacheContract(
  'RedisCache',
  async () => {
    const c = cache();
    await c.whenUp(5000);
    return c;
  },
  skip ? { skip } : {},
);

const value = async (m: Metrics, name: 'cacheErrors' | 'cacheInvalidations', label: string) =>
  (await m[name].get()).values.find((v) => Object.values(v.labels).includes(label))?.value ?? 0;
const gauge = async (m: Metrics) => (await m.cacheUp.get()).values[0]?.value;

/** Read-through as query-routes does it: get, and on a miss compute and set. */
async function readThrough(c: RedisCache, key: string, compute: () => unknown): Promise<unknown> {
  const hit = await c.get(key);
  if (hit !== undefined) return hit;
  const v = compute();
  await c.set(key, v, 60_000);
  return v;
}

describe('RedisCache shared by processes', { skip: skip ?? false }, () => {
  test('a clear in one process invalidates every other at once', async () => {
    const namespace = `gridops:test:${randomUUID()}`;
    const [query, other, processor] = [cache({ namespace }), cache({ namespace }), cache({ namespace })];
    await Promise.all([query.whenUp(5000), other.whenUp(5000), processor.whenUp(5000)]);
    assert.equal(await readThrough(query, 'k', () => 'v1'), 'v1');
    assert.equal(await other.get('k'), 'v1'); // shared
    await processor.clear();
    assert.equal(await query.get('k'), undefined);
    assert.equal(await other.get('k'), undefined);
  });

  test('an answer read before another process committed is not served after the commit', async () => {
    const namespace = `gridops:test:${randomUUID()}`;
    const [query, processor] = [cache({ namespace }), cache({ namespace })];
    await Promise.all([query.whenUp(5000), processor.whenUp(5000)]);
    assert.equal(await query.get('k'), undefined); // miss; the query reads the store...
    await processor.clear(); // ...the processor commits and invalidates...
    await query.set('k', 'read before the commit', 60_000); // ...the query stores its old answer
    assert.equal(await query.get('k'), undefined);
    assert.equal(await processor.get('k'), undefined);
    assert.equal(await readThrough(query, 'k', () => 'fresh'), 'fresh');
    assert.equal(await processor.get('k'), 'fresh');
  });

  test('a vanished generation counter (evicted) makes old entries miss; caching resumes', async () => {
    const c = cache();
    await c.whenUp(5000);
    await readThrough(c, 'k', () => 'old');
    assert.equal(await c.get('k'), 'old');
    const raw = createClient({ url: url! });
    await raw.connect();
    await raw.del(`${namespaces.at(-1)}:gen`);
    await raw.close();
    assert.equal(await c.get('k'), undefined);
    assert.equal(await readThrough(c, 'k', () => 'new'), 'new');
    assert.equal(await c.get('k'), 'new');
  });
});

describe('RedisCache when Redis fails', { skip: skip ?? false }, () => {
  const servers: PrivateRedis[] = [];
  after(async () => {
    await Promise.all(caches.map((c) => c.close())); // before their servers go, so none is left reconnecting
    await Promise.all(servers.map((s) => s.destroy()));
  });
  const server = async () => {
    const s = await PrivateRedis.create(bin!);
    servers.push(s);
    return s;
  };
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const r = await fn();
    return [r, performance.now() - t0];
  };

  test('stopped mid-use: misses within the bound, counted, logged once; after a restart from its snapshot nothing stale is served', async () => {
    const redis = await server();
    await redis.start();
    const [mq, mp] = [createMetrics({ defaultMetrics: false }), createMetrics({ defaultMetrics: false })];
    const logger = createLogger('info', sink);
    const opts = { url: redis.url, namespace: 'gridops:cache', reconnectMaxMs: 200, logger };
    const query = cache({ ...opts, metrics: mq });
    const processor = cache({ ...opts, metrics: mp });
    assert.ok(await query.whenUp(5000));
    assert.ok(await processor.whenUp(5000));
    assert.equal(await readThrough(query, 'k', () => 'before the outage'), 'before the outage');
    assert.equal(await query.get('k'), 'before the outage');
    assert.equal(await gauge(mq), 1);

    logLines.length = 0;
    await redis.stop(true); // snapshot with the entry and the generation it was stored under
    let slowest = 0;
    for (let i = 0; i < 50; i++) {
      const [got, ms] = await timed(() => query.get('k'));
      assert.equal(got, undefined);
      slowest = Math.max(slowest, ms);
      await query.set('k', 'during the outage', 60_000);
    }
    const [, clearMs] = await timed(() => processor.clear()); // a commit while Redis is down
    assert.ok(slowest < 150, `a get took ${slowest.toFixed(0)} ms while Redis was down`);
    assert.ok(clearMs < 150, `clear took ${clearMs.toFixed(0)} ms while Redis was down`);
    assert.ok((await value(mq, 'cacheErrors', 'get')) >= 50);
    assert.ok((await value(mp, 'cacheErrors', 'clear')) >= 1);
    assert.equal(await gauge(mq), 0);
    const warnings = logLines.filter((l) => l.includes('redis cache unavailable'));
    assert.ok(warnings.length >= 1 && warnings.length <= 2, `${warnings.length} warnings logged`);

    await redis.start(); // loads the snapshot: the old entry is back
    const raw = createClient({ url: redis.url });
    await raw.connect();
    const restored = await raw.get('gridops:cache:e:k');
    assert.match(restored ?? '', /before the outage/);
    assert.ok(await query.whenUp(5000));
    assert.ok(await processor.whenUp(5000));
    assert.equal(await query.get('k'), undefined, 'the restored entry must not be served');
    assert.equal(await readThrough(query, 'k', () => 'after the outage'), 'after the outage');
    assert.equal(await query.get('k'), 'after the outage');
    assert.equal(await gauge(mq), 1);
    assert.ok((await value(mq, 'cacheInvalidations', 'reconnect')) >= 1);
    assert.ok(logLines.some((l) => l.includes('redis cache reachable again')));
    await raw.close();
  });

  test('frozen (hung) Redis: gets give up after the command timeout, the breaker skips it, and a clear made meanwhile lands after the thaw', async () => {
    const redis = await server();
    await redis.start();
    const m = createMetrics({ defaultMetrics: false });
    const opts = {
      url: redis.url,
      namespace: 'gridops:cache',
      commandTimeoutMs: 100,
      breakerOpenMs: 300,
      reconnectMaxMs: 200,
    };
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    );
    const query = cache({ ...opts, metrics: m, stuckMs: 700, logger });
    const processor = cache(opts);
    assert.ok(await query.whenUp(5000));
    assert.ok(await processor.whenUp(5000));
    await readThrough(query, 'k', () => 'before the freeze');

    redis.freeze(true);
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const [got, ms] = await timed(() => query.get('k'));
      assert.equal(got, undefined);
      times.push(ms);
      await query.set('k', 'during the freeze', 60_000); // read-through: every miss is followed by a set
    }
    await processor.clear(); // times out; owed and retried
    const took = times.map((t) => t.toFixed(0)).join(', ');
    assert.ok(Math.max(...times) < 300, `gets took ${took} ms`);
    assert.ok(Math.max(...times.slice(3)) < 50, `the breaker skips Redis after 3 failures (${took} ms)`);
    assert.equal(await gauge(m), 0);
    // Still frozen past stuckMs: the query replaces its connection (the new one waits for the thaw).
    for (let i = 0; i < 10 && !lines.some((l) => l.includes('connection replaced')); i++) {
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(await query.get('k'), undefined);
      await query.set('k', 'during the freeze', 60_000);
    }
    assert.ok(
      lines.some((l) => l.includes('connection replaced')),
      'a stuck connection is replaced',
    );
    redis.freeze(false);

    assert.ok(await query.whenUp(3000));
    const until = Date.now() + 3000; // the processor's retry lands within breakerOpenMs of the thaw
    while (!processor.up && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.ok(processor.up, 'the owed clear landed');
    assert.equal(await query.get('k'), undefined, 'the clear made during the freeze applies');
    assert.equal(await readThrough(query, 'k', () => 'after the thaw'), 'after the thaw');
    assert.equal(await query.get('k'), 'after the thaw');
  });

  test('absent at start: the cache answers misses, then is used once Redis comes up', async () => {
    const redis = await server();
    const c = cache({ url: redis.url, reconnectMaxMs: 200 });
    const [got, ms] = await timed(() => c.get('k'));
    assert.equal(got, undefined);
    assert.ok(ms < 50, `get took ${ms.toFixed(0)} ms with no Redis`);
    await c.set('k', 'x', 60_000);
    await c.clear();
    await redis.start();
    assert.ok(await c.whenUp(5000));
    assert.equal(await readThrough(c, 'k', () => 'cached'), 'cached');
    assert.equal(await c.get('k'), 'cached');
  });
});
