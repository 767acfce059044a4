import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from './lru-cache.ts';

test('evicts the least recently used entry and honours TTL', async () => {
  let now = 0;
  const c = new LruCache(2, () => now);
  await c.set('a', 1, 100);
  await c.set('b', 2, 100);
  assert.equal(await c.get('a'), 1); // a is now the most recent
  await c.set('c', 3, 100);
  assert.equal(await c.get('b'), undefined);
  assert.equal(await c.get('a'), 1);
  now = 100;
  assert.equal(await c.get('a'), undefined);
  await c.set('d', 4, 0);
  assert.equal(await c.get('d'), undefined);
  await c.clear();
  assert.equal(c.size, 0);
});
