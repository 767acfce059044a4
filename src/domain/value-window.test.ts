import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ValueWindow } from './value-window.ts';

test('a window keeps the last max values, oldest first', () => {
  let w = ValueWindow.EMPTY;
  for (let i = 1; i <= 200; i++) w = w.push(i, 96);
  assert.equal(w.length, 96);
  assert.deepEqual(
    w.toArray(),
    Array.from({ length: 96 }, (_, i) => 105 + i),
  );
  assert.deepEqual(ValueWindow.of([1, 2, 3, 4], 3).toArray(), [2, 3, 4]);
  assert.deepEqual(ValueWindow.EMPTY.push(1, 0).toArray(), []);
});

test('pushing never changes what an earlier window shows, whatever order windows are pushed in', () => {
  // A model: every window is also kept as a plain array; any window may be pushed again later
  // (the processor does this when it undoes a batch and replays it).
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.tuple(fc.nat(), fc.double({ noNaN: true })), { maxLength: 300 }),
      (max, steps) => {
        const windows = [ValueWindow.EMPTY];
        const model: number[][] = [[]];
        for (const [pick, value] of steps) {
          const i = pick % windows.length;
          windows.push(windows[i]!.push(value, max));
          model.push([...model[i]!, value].slice(-max));
        }
        // Checked at the end: a push that wrote over another window's values shows here.
        for (let j = 0; j < windows.length; j++) assert.deepEqual(windows[j]!.toArray(), model[j]);
      },
    ),
    { numRuns: 200 },
  );
});

test('the newest window advances in place: no copy per push once full', () => {
  let w = ValueWindow.of([1, 2, 3], 4);
  const view = w.view();
  w = w.push(4, 4);
  // The same buffer: the view taken before shows the pushed value's neighbours unchanged.
  assert.deepEqual(Array.from(view), [1, 2, 3]);
  assert.equal(w.view().buffer, view.buffer);
});
