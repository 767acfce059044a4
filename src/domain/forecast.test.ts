import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS } from './readings.ts';
import { backtest, mape, seasonalNaive, similarDay, type Point } from './forecast.ts';

const MON = Date.UTC(2026, 0, 5); // Monday 00:00 UTC
const H = MS.hour;

/** Hourly points from MON for `days` days; value = f(day index, hour of day). */
function hourly(days: number, f: (day: number, hour: number) => number): Point[] {
  return Array.from({ length: days * 24 }, (_, i) => ({
    ts: MON + i * H,
    value: f(Math.floor(i / 24), i % 24),
  }));
}
const at = (day: number, hour: number): number => MON + day * MS.day + hour * H;

test('seasonalNaive repeats the previous week once the history covers a week', () => {
  // Two weeks; week 2 is week 1 + 1000, so a weekly season shows in the values.
  const history = hourly(14, (d, h) => (d >= 7 ? 1000 : 0) + (d % 7) * 100 + h);
  const f = seasonalNaive(history, 3, H);
  assert.deepEqual(f, [
    { ts: at(14, 0), value: 1000 },
    { ts: at(14, 1), value: 1001 },
    { ts: at(14, 2), value: 1002 },
  ]);
});

test('seasonalNaive falls back to a daily season with less than a week of history', () => {
  const history = hourly(3, (d, h) => d * 100 + h);
  assert.deepEqual(
    seasonalNaive(history, 2, H).map((p) => p.value),
    [200, 201],
  );
});

test('seasonalNaive: a horizon past one season keeps reading observed history', () => {
  const history = hourly(2, (d, h) => d * 100 + h);
  const f = seasonalNaive(history, 26, H);
  assert.equal(f.length, 26);
  assert.deepEqual(f[0], { ts: at(2, 0), value: 100 });
  assert.deepEqual(f[23], { ts: at(2, 23), value: 123 });
  assert.deepEqual(f[24], { ts: at(3, 0), value: 100 }); // two days back is still day 1
  assert.deepEqual(f[25], { ts: at(3, 1), value: 101 });
});

test('seasonalNaive: explicit season, unsorted input, 15-minute grid', () => {
  const q = 15 * MS.minute;
  const history: Point[] = [
    { ts: MON + 3 * q, value: 4 },
    { ts: MON, value: 1 },
    { ts: MON + 2 * q, value: 3 },
    { ts: MON + q, value: 2 },
  ];
  // Season of 2 intervals: 3, 4, 3, 4 ...
  assert.deepEqual(seasonalNaive(history, 3, q, 2 * q), [
    { ts: MON + 4 * q, value: 3 },
    { ts: MON + 5 * q, value: 4 },
    { ts: MON + 6 * q, value: 3 },
  ]);
});

test('seasonalNaive: the last value where the season has no data; nothing to forecast from nothing', () => {
  const short = hourly(1, (_, h) => h).slice(0, 5); // 5 hours, values 0..4
  assert.deepEqual(
    seasonalNaive(short, 2, H).map((p) => p.value),
    [4, 4],
  );
  const missingSlot = hourly(2, (d, h) => d * 100 + h).filter((p) => p.ts !== at(1, 0));
  assert.equal(seasonalNaive(missingSlot, 1, H)[0]!.value, 123); // day 1 00:00 missing -> last value
  assert.deepEqual(seasonalNaive([], 5, H), []);
  assert.deepEqual(seasonalNaive(short, 0, H), []);
});

test('similarDay: Monday from the last 4 weekdays at the same hour', () => {
  // Days 0..13 = Mon..Sun, Mon..Sun. Target day 14 (Monday): weekdays 11, 10, 9, 8.
  const history = hourly(14, (d, h) => d * 100 + h);
  const f = similarDay(history, 6, H);
  assert.deepEqual(f[5], { ts: at(14, 5), value: (1105 + 1005 + 905 + 805) / 4 }); // 955
  assert.equal(f.length, 6);
});

test('similarDay: weekend days use weekend history only, as many as exist', () => {
  // History Mon..Fri, Sat, Sun, Mon..Fri (days 0..11); target day 12 is a Saturday.
  const history = hourly(12, (d, h) => d * 100 + h);
  const f = similarDay(history, 24, H);
  assert.deepEqual(f[0], { ts: at(12, 0), value: (500 + 600) / 2 });
  assert.deepEqual(f[7], { ts: at(12, 7), value: (507 + 607) / 2 });
});

test('similarDay: the days option and the fallbacks', () => {
  const history = hourly(14, (d, h) => d * 100 + h);
  assert.equal(similarDay(history, 1, H, { days: 1 })[0]!.value, 1100); // last Friday
  // Only weekdays (Mon..Fri) known, Saturday asked: the last 4 days of any type.
  const weekdays = hourly(5, (d, h) => d * 100 + h);
  assert.equal(similarDay(weekdays, 1, H)[0]!.value, (400 + 300 + 200 + 100) / 4);
  // Less than a day of history: the last value.
  const short = hourly(1, (_, h) => h).slice(0, 5);
  assert.deepEqual(
    similarDay(short, 2, H).map((p) => p.value),
    [4, 4],
  );
  assert.deepEqual(similarDay([], 3, H), []);
});

test('mape: percent, matched by timestamp, skipping actual 0', () => {
  const actual = [
    { ts: 1, value: 100 },
    { ts: 2, value: 200 },
    { ts: 3, value: 0 },
    { ts: 4, value: 50 },
  ];
  const predicted = [
    { ts: 2, value: 180 },
    { ts: 1, value: 110 },
    { ts: 3, value: 5 },
  ];
  assert.equal(mape(actual, predicted), 10); // (10 % + 10 %) / 2; ts 4 has no prediction
  assert.ok(Number.isNaN(mape([{ ts: 1, value: 0 }], [{ ts: 1, value: 3 }])));
  assert.ok(Number.isNaN(mape([], [])));
  assert.equal(mape([{ ts: 1, value: -40 }], [{ ts: 1, value: -30 }]), 25);
});

test('backtest: a perfectly weekly series has no error', () => {
  const series = hourly(28, (d, h) => (d % 7) * 100 + h + 1);
  assert.deepEqual(backtest(series, 'seasonal-naive', { intervalMs: H, horizon: 24 }), {
    method: 'seasonal-naive',
    mape: 0,
    folds: 3,
    points: 72,
  });
});

test('backtest: one fold with a known error', () => {
  // Days 0..2 at 100, day 3 at 110: the daily-season forecast of day 3 is 100, 10/110 off.
  const series = hourly(4, (d) => (d === 3 ? 110 : 100));
  const r = backtest(series, 'seasonal-naive', { intervalMs: H, horizon: 24, folds: 1 });
  assert.equal(r.folds, 1);
  assert.equal(r.points, 24);
  assert.ok(Math.abs(r.mape - (10 / 110) * 100) < 1e-9);
  const s = backtest(series, 'similar-day', { intervalMs: H, horizon: 24, folds: 1 });
  assert.equal(s.method, 'similar-day');
  assert.ok(Math.abs(s.mape - (10 / 110) * 100) < 1e-9); // Thursday from Mon..Wed at 100
});

test('backtest: folds without training data are skipped', () => {
  const series = hourly(1, (_, h) => h + 1).concat({ ts: at(1, 0), value: 1 }); // 25 points
  const r = backtest(series, 'similar-day', { intervalMs: H, horizon: 24, folds: 3 });
  assert.equal(r.folds, 1);
  const none = backtest(series.slice(0, 10), 'seasonal-naive', { intervalMs: H, horizon: 24 });
  assert.equal(none.folds, 0);
  assert.equal(none.points, 0);
  assert.ok(Number.isNaN(none.mape));
});
