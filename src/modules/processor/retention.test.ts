import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retentionCutoff, startRetention, type RetentionResult } from './retention.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 28, 15, 30);

test('the cutoff is the UTC midnight the kept days before today', () => {
  assert.equal(retentionCutoff(NOW, 1), Date.UTC(2026, 10, 27));
  assert.equal(retentionCutoff(NOW, 30), Date.UTC(2026, 10, 28) - 30 * DAY);
  assert.equal(retentionCutoff(Date.UTC(2026, 10, 28), 1), Date.UTC(2026, 10, 27));
});

test('runs after the first delay, then on schedule; a failed run is reported and retried; stop waits for a run', async () => {
  const cutoffs: number[] = [];
  const done: RetentionResult[] = [];
  const errors: unknown[] = [];
  let release: (() => void) | undefined;
  const store = {
    async deleteReadingsBefore(cutoff: number) {
      cutoffs.push(cutoff);
      if (cutoffs.length === 2) throw new Error('store down');
      if (cutoffs.length === 3) await new Promise<void>((r) => (release = r));
      return { days: 1, rows: 10 };
    },
  };
  const stop = startRetention({
    store,
    days: 7,
    onDone: (r) => done.push(r),
    onError: (err) => errors.push(err),
    firstAfterMs: 10,
    everyMs: 20,
    now: () => NOW,
  });
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(cutoffs.length, 3, 'first run, failed run, then a run still in progress');
  assert.deepEqual(new Set(cutoffs), new Set([Date.UTC(2026, 10, 28) - 7 * DAY]));
  assert.equal(errors.length, 1);
  assert.equal(done.length, 1);
  assert.deepEqual([done[0]!.days, done[0]!.rows], [1, 10]);
  let stopped = false;
  const stopping = stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(stopped, false, 'stop waits for the run in progress');
  release!();
  await stopping;
  assert.equal(done.length, 2);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(cutoffs.length, 3, 'no run after stop');
});
