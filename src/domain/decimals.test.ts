import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundTo } from './decimals.ts';

test('sums lose their binary noise at the given decimals', () => {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += 0.1;
  assert.notEqual(sum, 1); // 0.9999999999999999: the noise this is for
  assert.equal(roundTo(sum, 6), 1);
  assert.equal(roundTo(1.23456789, 3), 1.235);
  assert.equal(roundTo(-2.5e-7, 6), 0);
  assert.ok(!Object.is(roundTo(-1e-9, 6), -0), 'no -0');
  assert.equal(roundTo(-1.2345, 2), -1.23);
  assert.equal(roundTo(82.94899999999998, 6), 82.949);
});
