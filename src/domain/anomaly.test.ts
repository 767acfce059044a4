import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anomalyStep, robustScore, STATS_REFRESH, type AnomalyState } from './anomaly.ts';
import { ValueWindow } from './value-window.ts';

// Sorted: 8 9 10 10 10 10 11 12 -> median 10; |deviations| sorted 0 0 0 0 1 1 2 2 -> MAD 0.5;
// scaled 0.5 * 1.4826 = 0.7413.
const H = [10, 11, 9, 10, 12, 8, 10, 10];
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('robustScore: distance from the median in scaled MADs, signed', () => {
  close(robustScore(H, 10), 0);
  close(robustScore(H, 14), 4 / 0.7413); // 5.396
  close(robustScore(H, 15), 5 / 0.7413); // 6.745
  close(robustScore(H, 5), -5 / 0.7413);
});

test('robustScore: 0 with fewer than 8 values of history', () => {
  assert.equal(robustScore(H.slice(0, 7), 1000), 0);
  assert.equal(robustScore([], 1000), 0);
});

test('robustScore: MAD 0 falls back to the mean absolute deviation', () => {
  // Median 230, 5 of 8 deviations are 0 -> MAD 0; mean |deviation| 3/8 -> scale 0.375 * 1.253314.
  const quantised = [230, 231, 230, 230, 231, 230, 231, 230];
  close(robustScore(quantised, 231), 1 / (0.375 * 1.253314)); // 2.13, not an alarm
});

test('robustScore: a flat history uses a floor of 0.01 % of the median, never Infinity', () => {
  const flat = Array<number>(8).fill(230);
  close(robustScore(flat, 230), 0);
  close(robustScore(flat, 230.1), 0.1 / 0.023); // 4.35
  close(robustScore(flat, 231), 1 / 0.023); // 43.5
  const zeros = Array<number>(8).fill(0);
  assert.equal(robustScore(zeros, 0), 0);
  close(robustScore(zeros, 1), 1e6); // large but finite
});

test('anomalyStep: anomalous above the threshold, in either direction', () => {
  const state: AnomalyState = { values: ValueWindow.of(H) };
  const up = anomalyStep(state, 15);
  assert.equal(up.anomalous, true);
  close(up.score, 5 / 0.7413);
  assert.equal(anomalyStep(state, 14).anomalous, false); // 5.40
  assert.equal(anomalyStep(state, 5).anomalous, true); // -6.745
  assert.equal(anomalyStep(state, 14, { threshold: 5 }).anomalous, true);
});

test('anomalyStep: warms up without alarms, then appends values newest last', () => {
  let state: AnomalyState | undefined;
  for (const v of H) {
    const r = anomalyStep(state, v * 100); // wild values while there is no history
    assert.equal(r.score, 0);
    assert.equal(r.anomalous, false);
    state = r.state;
  }
  assert.deepEqual(
    state!.values.toArray(),
    H.map((v) => v * 100),
  );
});

test('anomalyStep: history is capped at the window and the input state is not mutated', () => {
  let state: AnomalyState | undefined;
  for (let i = 1; i <= 5; i++) state = anomalyStep(state, i, { window: 3 }).state;
  assert.deepEqual(state!.values.toArray(), [3, 4, 5]);
  const input = Object.freeze({ values: ValueWindow.of(H) });
  const r = anomalyStep(input, 20);
  anomalyStep(input, 30); // the same input stepped twice: each result sees only its own value
  assert.deepEqual(input.values.toArray(), H);
  assert.deepEqual(r.state.values.toArray(), [...H, 20]);
  assert.equal(anomalyStep({ values: ValueWindow.of(H) }, 1).state.values.length, 9); // default window 96
});

test('anomalyStep: non-finite values are not scored nor remembered', () => {
  const state = { values: ValueWindow.of(H) };
  const r = anomalyStep(state, NaN);
  assert.deepEqual(r, { state, score: 0, anomalous: false });
  assert.deepEqual(r.state.values.toArray(), H);
});

test('series of different scales score independently', () => {
  const volts = [229.5, 230.5, 230, 231, 229, 230, 230.5, 229.5, 230];
  const hertz = [49.99, 50.01, 50, 50.02, 49.98, 50, 50.01, 49.99, 50];
  let v: AnomalyState | undefined;
  let f: AnomalyState | undefined;
  // Interleaved as they arrive from the bus; each series keeps its own state.
  for (let i = 0; i < volts.length; i++) {
    v = anomalyStep(v, volts[i]!).state;
    f = anomalyStep(f, hertz[i]!).state;
  }
  assert.deepEqual(v!.values.toArray(), volts);
  assert.deepEqual(f!.values.toArray(), hertz);
  // volts: median 230, MAD 0.5 -> 0.7413 V; hertz: median 50, MAD 0.01 -> 0.014826 Hz.
  const vNormal = anomalyStep(v, 231);
  const fNormal = anomalyStep(f, 50.02);
  close(vNormal.score, 1 / 0.7413);
  close(fNormal.score, 0.02 / 0.014826);
  assert.equal(vNormal.anomalous || fNormal.anomalous, false);
  // A 0.1 Hz step is anomalous for frequency though tiny next to voltage noise ...
  close(anomalyStep(f, 50.1).score, 0.1 / 0.014826); // 6.74
  assert.equal(anomalyStep(f, 50.1).anomalous, true);
  // ... and a 5 V step is anomalous for voltage (6.74) without touching the frequency score.
  assert.equal(anomalyStep(v, 235).anomalous, true);
  // Had they been pooled, the yardstick would be the gap between the two levels: no alarms.
  const pooled = [...volts, ...hertz];
  assert.ok(Math.abs(robustScore(pooled, 235)) < 1);
});

test('the cached robust level is refreshed every STATS_REFRESH values and scores like a fresh one', () => {
  let state: AnomalyState | undefined;
  const series = Array.from({ length: 60 }, (_, i) => 10 + Math.sin(i) * 0.5);
  for (const v of series) state = anomalyStep(state, v).state;
  assert.ok(state!.statsAge! >= 1 && state!.statsAge! <= STATS_REFRESH);
  // A 10x spike scores far above the threshold with the cached level, as with a fresh one.
  const cached = anomalyStep(state, 100);
  assert.ok(cached.anomalous);
  assert.ok(
    Math.abs(cached.score - robustScore(state!.values.view(), 100)) / robustScore(state!.values.view(), 100) <
      0.2,
  );
  // After STATS_REFRESH more values the cache is rebuilt from the history.
  let s = state;
  const ages: number[] = [];
  for (let i = 0; i < STATS_REFRESH; i++) {
    s = anomalyStep(s, 10).state;
    ages.push(s.statsAge!);
  }
  assert.ok(ages.includes(1), `refreshed within ${STATS_REFRESH} values: ages ${ages.join(',')}`);
});
