// Load forecasting baselines and a rolling-origin backtest. Baselines, not models: they are
// what any smarter forecaster has to beat, and they are cheap enough to run per transformer.
import { MS } from './readings.ts';

/** One value of a regular interval series. */
export interface Point {
  ts: number;
  value: number;
}

const WEEK = 7 * MS.day;

function sortedCopy(points: readonly Point[]): Point[] {
  return [...points].sort((a, b) => a.ts - b.ts);
}

/** `horizon` timestamps continuing the grid after `last`. */
function grid(last: number, horizon: number, intervalMs: number): number[] {
  const n = Math.max(0, Math.floor(horizon));
  return Array.from({ length: n }, (_, i) => last + (i + 1) * intervalMs);
}

function isWeekend(ts: number): boolean {
  const day = new Date(ts).getUTCDay();
  return day === 0 || day === 6;
}

/**
 * Each point repeats the value one season earlier (two seasons when the horizon runs past the
 * first, and so on), so it only ever reads observed history. Default season is a week when
 * the history covers one, else a day. Where the history has no value at that time (a gap, or
 * history shorter than the season) it falls back to the last observed value.
 */
export function seasonalNaive(
  history: readonly Point[],
  horizon: number,
  intervalMs: number,
  seasonMs?: number,
): Point[] {
  if (history.length === 0 || !(intervalMs > 0)) return [];
  const h = sortedCopy(history);
  const first = h[0]!;
  const last = h[h.length - 1]!;
  const covered = last.ts - first.ts + intervalMs;
  const season = seasonMs !== undefined && seasonMs > 0 ? seasonMs : covered >= WEEK ? WEEK : MS.day;
  const byTs = new Map(h.map((p) => [p.ts, p.value]));
  return grid(last.ts, horizon, intervalMs).map((ts) => {
    const seasonsBack = Math.ceil((ts - last.ts) / season);
    return { ts, value: byTs.get(ts - seasonsBack * season) ?? last.value };
  });
}

/** Values at the same time of day on up to `days` earlier days accepted by `accept`. */
function sameTimeOfDay(
  byTs: ReadonlyMap<number, number>,
  ts: number,
  earliest: number,
  days: number,
  accept: (src: number) => boolean,
): number[] {
  const found: number[] = [];
  for (let src = ts - MS.day; src >= earliest && found.length < days; src -= MS.day) {
    const v = byTs.get(src);
    if (v !== undefined && accept(src)) found.push(v);
  }
  return found;
}

/**
 * Mean of the same time of day over the last `days` days of the same day type (weekday or
 * weekend, UTC). With no day of that type in the history, it uses the last `days` days of any
 * type; with nothing at that time of day at all, the last observed value.
 */
export function similarDay(
  history: readonly Point[],
  horizon: number,
  intervalMs: number,
  opts: { days?: number } = {},
): Point[] {
  if (history.length === 0 || !(intervalMs > 0)) return [];
  const days = Math.max(1, Math.floor(opts.days ?? 4));
  const h = sortedCopy(history);
  const first = h[0]!.ts;
  const last = h[h.length - 1]!;
  const byTs = new Map(h.map((p) => [p.ts, p.value]));
  return grid(last.ts, horizon, intervalMs).map((ts) => {
    const weekend = isWeekend(ts);
    let found = sameTimeOfDay(byTs, ts, first, days, (src) => isWeekend(src) === weekend);
    if (found.length === 0) found = sameTimeOfDay(byTs, ts, first, days, () => true);
    const value = found.length > 0 ? found.reduce((a, v) => a + v, 0) / found.length : last.value;
    return { ts, value };
  });
}

/** Sum of absolute percentage errors over points present in both, skipping actual 0. */
function percentageErrors(actual: readonly Point[], predicted: readonly Point[]): { sum: number; n: number } {
  const byTs = new Map(predicted.map((p) => [p.ts, p.value]));
  let sum = 0;
  let n = 0;
  for (const a of actual) {
    const p = byTs.get(a.ts);
    if (p === undefined || a.value === 0 || !Number.isFinite(a.value) || !Number.isFinite(p)) continue;
    sum += Math.abs((a.value - p) / a.value);
    n += 1;
  }
  return { sum, n };
}

/** Mean absolute percentage error in percent, matching points by timestamp. */
export function mape(actual: readonly Point[], predicted: readonly Point[]): number {
  const { sum, n } = percentageErrors(actual, predicted);
  return n === 0 ? NaN : (sum / n) * 100;
}

/**
 * Rolling-origin backtest: the last `folds` (default 3) blocks of `horizon` points are each
 * forecast from everything before them. The MAPE pools all compared points, so every point
 * weighs the same; `folds` reports how many folds had any history to train on.
 */
export function backtest(
  series: readonly Point[],
  method: 'seasonal-naive' | 'similar-day',
  opts: { intervalMs: number; horizon: number; folds?: number },
): { method: string; mape: number; folds: number; points: number } {
  const s = sortedCopy(series);
  const horizon = Math.max(0, Math.floor(opts.horizon));
  const wanted = Math.max(0, Math.floor(opts.folds ?? 3));
  const forecast = method === 'seasonal-naive' ? seasonalNaive : similarDay;
  let sum = 0;
  let points = 0;
  let folds = 0;
  for (let f = wanted; f >= 1 && horizon > 0; f--) {
    const cut = s.length - f * horizon;
    if (cut < 1) continue;
    const actual = s.slice(cut, cut + horizon);
    const errors = percentageErrors(actual, forecast(s.slice(0, cut), horizon, opts.intervalMs));
    sum += errors.sum;
    points += errors.n;
    folds += 1;
  }
  return { method, mape: points === 0 ? NaN : (sum / points) * 100, folds, points };
}
