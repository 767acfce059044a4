import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitWithin } from './wait-within.ts';

test('waitWithin: true when the work settles in time, rejected or not; false when it does not', async () => {
  assert.equal(await waitWithin(Promise.resolve(1), 1000), true);
  assert.equal(await waitWithin(Promise.reject(new Error('no')), 1000), true);
  assert.equal(await waitWithin(undefined, 1000), true);
  const t0 = Date.now();
  assert.equal(await waitWithin(new Promise(() => {}), 50), false);
  assert.ok(Date.now() - t0 >= 45, 'waited the bound');
});

test('waitWithin leaves no timer behind when the work settles first', async () => {
  const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  await waitWithin(Promise.resolve(), 60_000);
  const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  assert.equal(after, before);
});
