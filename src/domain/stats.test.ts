import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { absoluteDeviations, median } from './stats.ts';

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
