import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadGenerations } from './read-generations.ts';

test('a set is tagged with the oldest generation an outstanding miss of its key saw', () => {
  const r = new ReadGenerations();
  r.noteMiss('k', '7'); // request A misses at 7...
  r.noteMiss('k', '8'); // ...a commit; request B misses at 8
  assert.deepEqual(r.takeForSet('k'), { gen: '7' }); // B's set: A is still out, so 7
  assert.deepEqual(r.takeForSet('k'), { gen: '7' }); // A's set
  assert.equal(r.takeForSet('k'), undefined); // nothing outstanding: the caller picks
  assert.equal(r.size, 0);
  r.noteMiss('k', '10');
  assert.deepEqual(r.takeForSet('k'), { gen: '10' });
});

test('an unknown generation (null) wins, so the answer is not stored', () => {
  const r = new ReadGenerations();
  r.noteMiss('k', '7');
  r.noteMiss('k', null);
  assert.deepEqual(r.takeForSet('k'), { gen: null });
});

test('a miss whose set never came stops pinning its key after maxAgeMs; keys are bounded', () => {
  let now = 0;
  const r = new ReadGenerations(1000, 2, () => now);
  r.noteMiss('k', '1'); // the store read failed: no set follows
  now = 1000;
  r.noteMiss('k', '5');
  assert.deepEqual(r.takeForSet('k'), { gen: '5' });
  r.noteMiss('a', '1');
  r.noteMiss('b', '1');
  r.noteMiss('c', '1');
  assert.equal(r.size, 2);
  assert.equal(r.takeForSet('a'), undefined); // the oldest was forgotten
});
