// Robust anomaly score per series: distance from the recent median in units of the scaled
// MAD. Median/MAD rather than mean/stddev so that the anomalies themselves (and meter
// glitches) do not inflate the yardstick. State is per series: pooling voltage (~230) with
// frequency (~50), or one meter with another, would make every value look anomalous.
import { absoluteDeviations, median } from './stats.ts';
import { ValueWindow } from './value-window.ts';

/** A value, like VEE's SeriesState: never changed once made. */
export interface AnomalyState {
  readonly values: ValueWindow;
  /** Cached robust level of `values`, and how many values were appended since it was taken. */
  readonly stats?: { readonly median: number; readonly scale: number };
  readonly statsAge?: number;
}

/** MAD * 1.4826 estimates the standard deviation for normally distributed data. */
const MAD_SCALE = 1.4826;
const MIN_HISTORY = 8;
/** When more than half the history sits on the median (quantised readings), MAD is 0; the
 * mean absolute deviation * 1.2533 (its normal-consistency factor) still sees the spread. */
const MEAN_AD_SCALE = 1.253314;
/**
 * Only a perfectly flat history is left with no spread at all; the floor keeps its score
 * finite: 0.01 % of the median (0.023 V at 230 V, 0.005 Hz at 50 Hz), below the resolution of
 * grid instruments so it never masks their real noise. The absolute floor covers all-zero
 * series (night-time PV export).
 */
const RELATIVE_FLOOR = 1e-4;
const ABSOLUTE_FLOOR = 1e-6;

const DEFAULT_WINDOW = 96;
const DEFAULT_THRESHOLD = 6;

/**
 * Signed robust z-score of `value` against `history`: positive above the median, negative
 * below. 0 while the history has fewer than 8 values (too few for a median to mean much).
 */
export function robustScore(history: ArrayLike<number>, value: number): number {
  const stats = robustStats(history);
  return stats ? (value - stats.median) / stats.scale : 0;
}

/**
 * Median and robust scale of history[from..to) (all of it by default); undefined while it has
 * fewer than 8 values.
 */
export function robustStats(
  history: ArrayLike<number>,
  from = 0,
  to = history.length,
): { median: number; scale: number } | undefined {
  if (to - from < MIN_HISTORY) return undefined;
  const m = median(history, from, to);
  const deviations = absoluteDeviations(history, m, from, to);
  let spread = deviations.median * MAD_SCALE;
  if (spread === 0) spread = deviations.mean * MEAN_AD_SCALE;
  return { median: m, scale: Math.max(spread, RELATIVE_FLOOR * Math.abs(m), ABSOLUTE_FLOOR) };
}

/** Values appended between recomputations of the cached median and scale. */
export const STATS_REFRESH = 8;

/**
 * Scores `value` against the series' recent values, then appends it (anomalous values too, so
 * a lasting level shift becomes the new normal after about half a window). Anomalous when
 * |score| > threshold. Non-finite values are neither scored nor remembered. The median and
 * scale are cached and refreshed every STATS_REFRESH values: two sorts per reading would be
 * most of the processor's time, and a 96-value robust level barely moves in 8 values.
 */
export function anomalyStep(
  state: AnomalyState | undefined,
  value: number,
  // Optional rather than defaulted to {}: a default object is a new allocation on every call.
  opts?: { window?: number; threshold?: number },
): { state: AnomalyState; score: number; anomalous: boolean } {
  const window = Math.max(1, Math.floor(opts?.window ?? DEFAULT_WINDOW));
  const threshold = opts?.threshold ?? DEFAULT_THRESHOLD;
  const history = state?.values ?? ValueWindow.EMPTY;
  if (!Number.isFinite(value)) return { state: state ?? { values: history }, score: 0, anomalous: false };
  const fresh = state?.stats !== undefined && (state.statsAge ?? 0) < STATS_REFRESH;
  const held = fresh ? undefined : history.range();
  const stats = held ? robustStats(held.data, held.from, held.to) : state!.stats;
  const score = stats ? (value - stats.median) / stats.scale : 0;
  const values = history.push(value, window);
  const next: AnomalyState = stats
    ? { values, stats, statsAge: fresh ? (state!.statsAge ?? 0) + 1 : 1 }
    : { values };
  return { state: next, score, anomalous: Math.abs(score) > threshold };
}
