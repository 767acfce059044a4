import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { absoluteDeviations, exceedsMedianTimes, median } from './stats.ts';

const sortedMedian = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

test('median of odd, even, unsorted and empty lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([-1]), -1);
  assert.ok(Number.isNaN(median([])));
  const input = [3, 1, 2];
  median(input);
  assert.deepEqual(input, [3, 1, 2]); // not sorted in place
});

test('median equals the middle of the sorted list (many repeats, any length)', () => {
  const value = fc.oneof(
    fc.integer({ min: -5, max: 5 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 600 }), (xs) => {
      const [got, want] = [median(xs), sortedMedian(xs)];
      assert.ok(got === want, `median ${got}, sorted middle ${want}`); // === so that -0 equals 0
    }),
    { numRuns: 500 },
  );
});

test('absoluteDeviations: median and mean of |x - center|, input untouched', () => {
  const xs = [1, 2, 3, 4, 100];
  assert.deepEqual(absoluteDeviations(xs, 3), { median: 1, mean: (2 + 1 + 0 + 1 + 97) / 5 });
  assert.deepEqual(xs, [1, 2, 3, 4, 100]);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 200 }), (xs) => {
      const m = sortedMedian(xs);
      assert.equal(absoluteDeviations(xs, m).median, sortedMedian(xs.map((x) => Math.abs(x - m))));
    }),
  );
});

test('a range reads only values[from..to), as the slice would', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 100 }),
      fc.nat(),
      fc.nat(),
      (xs, a, b) => {
        const from = a % xs.length;
        const to = from + 1 + (b % (xs.length - from));
        const slice = xs.slice(from, to);
        assert.equal(median(xs, from, to), median(slice));
        assert.deepEqual(absoluteDeviations(xs, 3, from, to), absoluteDeviations(slice, 3));
      },
    ),
  );
  assert.ok(Number.isNaN(median([1, 2, 3], 2, 2)));
});

test('exceedsMedianTimes says what comparing with the median says (ties, even lengths, extremes)', () => {
  assert.equal(exceedsMedianTimes([1, 1, 1, 9], 0, 4, 9, 8), true); // median 1
  assert.equal(exceedsMedianTimes([1, 1, 2, 9], 0, 4, 12, 8), false); // median 1.5: 12 is not over 12
  assert.equal(exceedsMedianTimes([5, 1, 2, 2, 9], 1, 4, 9, 8), false); // [1, 2, 2]: median 2
  assert.equal(exceedsMedianTimes([], 0, 0, 1, 8), false);
  const value = fc.oneof(
    fc.integer({ min: -5, max: 5 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  const factor = fc.oneof(fc.constantFrom(0.5, 1, 2, 8), fc.double({ min: 1e-6, max: 1e6, noNaN: true }));
  fc.assert(
    fc.property(
      fc.array(value, { minLength: 1, maxLength: 200 }),
      value,
      factor,
      fc.nat(3),
      (xs, x, f, cut) => {
        const from = Math.min(cut, xs.length - 1);
        const want = x > f * median(xs, from, xs.length);
        assert.equal(exceedsMedianTimes(xs, from, xs.length, x, f), want);
      },
    ),
    { numRuns: 2000 },
  );
  // A value at f times the middle of an even window: the exact median decides.
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 2, maxLength: 40 }),
      fc.nat(3),
      (raw, d) => {
        const xs = raw.length % 2 === 0 ? raw : raw.slice(1);
        const x = 8 * median(xs) + (d - 1) * 0.5; // below, at, just over and over
        assert.equal(exceedsMedianTimes(xs, 0, xs.length, x, 8), x > 8 * median(xs));
      },
    ),
  );
});
