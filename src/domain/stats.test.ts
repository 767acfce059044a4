import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median } from './stats.ts';

test('median of odd, even, unsorted and empty lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([-1]), -1);
  assert.ok(Number.isNaN(median([])));
  const input = [3, 1, 2];
  median(input);
  assert.deepEqual(input, [3, 1, 2]); // not sorted in place
});
