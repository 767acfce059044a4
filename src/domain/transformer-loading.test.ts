import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadingLevel, transformerLoading } from './transformer-loading.ts';

test('energy over an interval becomes average kW, kVA at the power factor, and a ratio', () => {
  // 19 kWh in 15 min = 76 kW; / 0.95 = 80 kVA; on a 100 kVA unit = 0.8.
  const r = transformerLoading(19, 900, 100);
  assert.equal(r.kw, 76);
  assert.ok(Math.abs(r.kvaDrawn - 80) < 1e-9);
  assert.ok(Math.abs(r.loadingRatio - 0.8) < 1e-12);
});

test('an explicit power factor and an hourly interval', () => {
  // 40 kWh in 1 h = 40 kW; / 0.8 = 50 kVA; on 25 kVA = 2.
  assert.deepEqual(transformerLoading(40, 3600, 25, 0.8), { kw: 40, kvaDrawn: 50, loadingRatio: 2 });
  assert.deepEqual(transformerLoading(0, 900, 100), { kw: 0, kvaDrawn: 0, loadingRatio: 0 });
});

test('reverse flow loads the transformer by its magnitude', () => {
  // -10 kWh in 30 min = -20 kW export; 20 / 1.0 = 20 kVA on 40 kVA.
  assert.deepEqual(transformerLoading(-10, 1800, 40, 1), { kw: -20, kvaDrawn: 20, loadingRatio: 0.5 });
});

test('meaningless inputs throw instead of producing NaN or Infinity', () => {
  assert.throws(() => transformerLoading(1, 0, 100), RangeError);
  assert.throws(() => transformerLoading(1, 900, 0), RangeError);
  assert.throws(() => transformerLoading(1, 900, -5), RangeError);
  assert.throws(() => transformerLoading(1, 900, 100, 0), RangeError);
  assert.throws(() => transformerLoading(1, 900, 100, 1.2), RangeError);
  assert.throws(() => transformerLoading(1, NaN, 100), RangeError);
});

test('loadingLevel: >= 1.0 overload, >= 0.8 high, else normal', () => {
  assert.equal(loadingLevel(0), 'normal');
  assert.equal(loadingLevel(0.79), 'normal');
  assert.equal(loadingLevel(0.8), 'high');
  assert.equal(loadingLevel(0.99), 'high');
  assert.equal(loadingLevel(1), 'overload');
  assert.equal(loadingLevel(1.7), 'overload');
});
