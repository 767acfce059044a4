// What every Cache must do, as one node:test suite run against each implementation (LruCache
// embedded, RedisCache at scale), so the two cannot drift. Each test gets a fresh, empty cache.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cache } from './cache.ts';

export interface ContractOptions {
  /** A reason to skip the suite (a missing service, outside CI). */
  skip?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function cacheContract(
  name: string,
  make: () => Cache | Promise<Cache>,
  opts: ContractOptions = {},
): void {
  const withCache = (fn: (c: Cache) => Promise<void>) => async () => {
    const cache = await make();
    try {
      await fn(cache);
    } finally {
      await cache.close();
    }
  };

  describe(`Cache contract: ${name}`, { skip: opts.skip ?? false }, () => {
    test(
      'a key never set is a miss',
      withCache(async (c) => {
        assert.equal(await c.get('absent'), undefined);
      }),
    );

    test(
      'returns what was set, for any JSON value, per key',
      withCache(async (c) => {
        const values: Record<string, unknown> = {
          '/v1/feeders/F-1/load?from=2026-01-01T00:00:00Z&resolution=15m': {
            feeder_id: 'F-1',
            buckets: [{ start: '2026-01-01T00:00:00.000Z', energy_kwh: 1.25, estimated: false }],
          },
          'a:b|c': [1, 'two', null, { three: 3 }],
          'unicodé ✓': 'text with | and :',
          zero: 0,
          no: false,
          nothing: null,
        };
        for (const [k, v] of Object.entries(values)) await c.set(k, v, 60_000);
        for (const [k, v] of Object.entries(values)) assert.deepEqual(await c.get(k), v, k);
      }),
    );

    test(
      'a later set replaces the value',
      withCache(async (c) => {
        await c.set('k', { v: 1 }, 60_000);
        await c.set('k', { v: 2 }, 60_000);
        assert.deepEqual(await c.get('k'), { v: 2 });
      }),
    );

    test(
      'an entry expires after its TTL; a TTL of zero or less stores nothing',
      withCache(async (c) => {
        await c.set('short', 1, 80);
        await c.set('long', 2, 60_000);
        await c.set('zero', 3, 0);
        await c.set('negative', 4, -5);
        assert.equal(await c.get('short'), 1);
        assert.equal(await c.get('zero'), undefined);
        assert.equal(await c.get('negative'), undefined);
        await sleep(200);
        assert.equal(await c.get('short'), undefined);
        assert.equal(await c.get('long'), 2);
      }),
    );

    test(
      'clear drops every entry, and the cache works afterwards',
      withCache(async (c) => {
        await c.set('a', 1, 60_000);
        await c.set('b', 2, 60_000);
        await c.clear();
        assert.equal(await c.get('a'), undefined);
        assert.equal(await c.get('b'), undefined);
        await c.set('a', 3, 60_000);
        assert.equal(await c.get('a'), 3);
      }),
    );

    test(
      'read-through: miss, compute, set, then hit',
      withCache(async (c) => {
        assert.equal(await c.get('q'), undefined);
        await c.set('q', 'answer', 60_000);
        assert.equal(await c.get('q'), 'answer');
      }),
    );

    test(
      'read-through: an answer computed before a clear is not served after it',
      withCache(async (c) => {
        assert.equal(await c.get('q'), undefined); // the query misses and reads the store...
        await c.clear(); // ...a processor commits new data meanwhile...
        await c.set('q', 'stale', 60_000); // ...and the query stores what it read before that.
        assert.equal(await c.get('q'), undefined);
      }),
    );

    test('close resolves, twice, and a get afterwards is a miss rather than an error', async () => {
      const c = await make();
      await c.set('k', 1, 60_000);
      await c.close();
      await c.close();
      assert.equal(await c.get('k'), undefined);
    });
  });
}
