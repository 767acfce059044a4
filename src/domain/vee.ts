// VEE (Validation, Estimation, Editing) of meter interval readings, one series at a time.
// A series is (meterId, obis); the caller keeps one SeriesState per series and threads it
// through. Everything here is pure: inputs are never mutated, time comes from the readings.
import { bucketStart, Quality, type MeterReading } from './readings.ts';
import { exceedsMedianTimes, median } from './stats.ts';
import { ValueWindow } from './value-window.ts';
import { linearEstimates } from './vee-estimates.ts';

export interface VeeConfig {
  /** Highest plausible average demand; an energy value above maxKw * interval hours is out of range. */
  maxKw: number;
  /** A value above spikeFactor * median(recent) is a spike ... */
  spikeFactor: number;
  /** ... provided it is also above this absolute floor (keeps near-zero series quiet). */
  spikeMinValue: number;
  /** This many consecutive equal non-zero values mark the run as frozen. */
  frozenRepeats: number;
  /** Longest silence VEE will bridge with estimates (and with lastValue when editing). */
  maxEstimateGapMs: number;
  /** How far an interval may end after its receive time before the meter clock is suspect. */
  maxClockAheadMs: number;
  /** How many recent values feed the spike median. */
  recentWindow: number;
}

export const DEFAULT_VEE: VeeConfig = {
  maxKw: 50,
  spikeFactor: 8,
  spikeMinValue: 1.0,
  frozenRepeats: 3,
  maxEstimateGapMs: 3_600_000,
  maxClockAheadMs: 300_000,
  recentWindow: 96,
};

/** A value: never changed once made, so the processor can keep old ones to undo a batch. */
export interface SeriesState {
  readonly lastStart: number;
  readonly lastValue: number;
  readonly intervalSeconds: number;
  /** Length of the current run of equal values ending at lastStart (0 after an edited reading). */
  readonly repeats: number;
  /** Recent valid values, newest last, at most recentWindow long. */
  readonly recent: ValueWindow;
}

export type VeeRule = 'range' | 'negative' | 'spike' | 'frozen' | 'gap' | 'duplicate' | 'clock_drift';

export interface VeeFinding {
  rule: VeeRule;
  meterId: string;
  obis: string;
  /** The reading's interval start; for 'gap', the start of the first missing interval. */
  intervalStart: number;
  detail: string;
}

export interface VeeResult {
  reading: MeterReading;
  estimates: readonly MeterReading[];
  findings: readonly VeeFinding[];
  state: SeriesState;
}

// The range limit is a demand (kW) limit, so it only means something on energy channels; a
// voltage channel (OBIS 32.7.0, 'V') at 230 would otherwise always be "out of range".
const ENERGY_UNITS: ReadonlySet<string> = new Set(['kWh', 'kvarh']);

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/**
 * Time during which the series said nothing between the previous reading and this one.
 * Measured between interval edges, so back-to-back readings are 0 apart and a span of k
 * missing intervals is exactly the span the estimates would cover.
 */
function silenceMs(state: SeriesState, start: number, intervalMs: number): number {
  return Math.max(0, Math.abs(start - state.lastStart) - intervalMs);
}

/**
 * Shared by every result that found nothing or estimated nothing. VEE runs once per reading, and
 * most readings are clean: a fresh array (and the closures this function once built) per reading
 * was about a quarter of what a processor worker allocated (sampled in bench/ingest).
 */
const NONE: readonly never[] = Object.freeze([]);

function finding(rule: VeeRule, r: MeterReading, detail: string, at = r.intervalStart): VeeFinding {
  return { rule, meterId: r.meterId, obis: r.obis, intervalStart: at, detail };
}

/**
 * The reading as stored: passed on as it came when nothing was found in it, since a copy of
 * every reading would outlive the batch (the store writes it at the end) and cost the
 * processor's garbage collector.
 */
function edited(r: MeterReading, invalid: boolean, value: number, flags: number): MeterReading {
  if (invalid) return { ...r, value, rawValue: r.value, quality: r.quality | flags | Quality.EDITED };
  return flags === 0 ? r : { ...r, quality: r.quality | flags };
}

function result(
  reading: MeterReading,
  findings: readonly VeeFinding[] | undefined,
  state: SeriesState,
  estimates: readonly MeterReading[] = NONE,
): VeeResult {
  return { reading, estimates, findings: findings ?? NONE, state };
}

/** The state of a series that starts (over) with this reading. */
function fresh(r: MeterReading, value: number, invalid: boolean, cfg: VeeConfig): SeriesState {
  return {
    lastStart: r.intervalStart,
    lastValue: value,
    intervalSeconds: r.intervalSeconds,
    repeats: invalid ? 0 : 1,
    recent: invalid ? ValueWindow.EMPTY : ValueWindow.EMPTY.push(value, cfg.recentWindow),
  };
}

export function applyVee(
  reading: MeterReading,
  state: SeriesState | undefined,
  cfg: VeeConfig = DEFAULT_VEE,
): VeeResult {
  const { intervalStart } = reading;
  const intervalMs = reading.intervalSeconds * 1000;
  let findings: VeeFinding[] | undefined;
  let flags = 0;

  // --- Stateless checks: they apply to every reading, in or out of order. ---
  const raw = reading.value;
  // Without a usable interval length there is no demand limit to derive (reported below).
  const limit =
    ENERGY_UNITS.has(reading.unit) && intervalMs > 0
      ? cfg.maxKw * (reading.intervalSeconds / 3600)
      : Infinity;
  let invalid = false;
  if (!Number.isFinite(raw) || raw > limit) {
    invalid = true;
    flags |= Quality.RANGE;
    (findings ??= []).push(
      finding(
        'range',
        reading,
        Number.isFinite(raw)
          ? `value ${raw} ${reading.unit} exceeds ${limit} ${reading.unit} (${cfg.maxKw} kW over ${reading.intervalSeconds} s)`
          : `value ${raw} is not a finite number`,
      ),
    );
  } else if (raw < 0) {
    invalid = true;
    flags |= Quality.NEGATIVE;
    (findings ??= []).push(finding('negative', reading, `negative value ${raw} ${reading.unit}`));
  }

  if (!(intervalMs > 0)) {
    flags |= Quality.CLOCK_DRIFT;
    (findings ??= []).push(
      finding('clock_drift', reading, `interval length ${reading.intervalSeconds} s is not positive`),
    );
  } else {
    if (bucketStart(intervalStart, intervalMs) !== intervalStart) {
      flags |= Quality.CLOCK_DRIFT;
      (findings ??= []).push(
        finding(
          'clock_drift',
          reading,
          `interval start ${iso(intervalStart)} is not aligned to ${reading.intervalSeconds} s (UTC)`,
        ),
      );
    }
    if (intervalStart + intervalMs > reading.receivedAt + cfg.maxClockAheadMs) {
      flags |= Quality.CLOCK_DRIFT;
      (findings ??= []).push(
        finding(
          'clock_drift',
          reading,
          `interval ends ${iso(intervalStart + intervalMs)}, more than ${cfg.maxClockAheadMs} ms after receipt at ${iso(reading.receivedAt)}`,
        ),
      );
    }
  }

  // Editing: replace an invalid value with the series' last value when it is recent enough to
  // stand in for it, else 0 (an unknown consumption must not inflate rollups).
  const canCarry =
    state !== undefined &&
    intervalMs > 0 &&
    silenceMs(state, intervalStart, intervalMs) <= cfg.maxEstimateGapMs;
  const value = invalid ? (canCarry ? state.lastValue : 0) : raw;

  // --- Stateful checks. ---
  if (state === undefined || !(intervalMs > 0)) {
    return result(
      edited(reading, invalid, value, flags),
      findings,
      state ?? fresh(reading, value, invalid, cfg),
    );
  }
  if (intervalStart === state.lastStart) {
    (findings ??= []).push(
      finding(
        'duplicate',
        reading,
        raw === state.lastValue
          ? `interval ${iso(intervalStart)} received again (same value ${raw})`
          : `interval ${iso(intervalStart)} received again with ${raw}, first value was ${state.lastValue}`,
      ),
    );
    return result(edited(reading, invalid, value, flags | Quality.DUPLICATE), findings, state);
  }
  if (intervalStart < state.lastStart) {
    // Late data cannot be compared with neighbours it did not arrive between.
    return result(edited(reading, invalid, value, flags), findings, state);
  }
  if (reading.intervalSeconds !== state.intervalSeconds) {
    // Meter reprogrammed to another interval length: values are on a new scale, so the
    // history (median, run, gap grid) no longer applies. Start the series over.
    return result(edited(reading, invalid, value, flags), findings, fresh(reading, value, invalid, cfg));
  }

  // Gap: slots on the previous reading's grid strictly before this reading.
  let estimates: readonly MeterReading[] = NONE;
  const missing = Math.ceil((intervalStart - state.lastStart) / intervalMs) - 1;
  if (missing > 0) {
    const span = missing * intervalMs;
    const first = state.lastStart + intervalMs;
    const fill = span <= cfg.maxEstimateGapMs;
    (findings ??= []).push(
      finding(
        'gap',
        reading,
        `${missing} missing interval${missing === 1 ? '' : 's'} from ${iso(first)} to ${iso(first + span)}; ` +
          (fill ? 'estimated linearly' : `not estimated (over ${cfg.maxEstimateGapMs} ms)`),
        first,
      ),
    );
    if (fill) estimates = linearEstimates(state, reading, value);
  }

  if (invalid) {
    // An edited value is not a measurement: it must not feed the spike median, and it breaks
    // any frozen run (its value is a copy of the last one by construction).
    const next = { ...state, lastStart: intervalStart, lastValue: value, repeats: 0 };
    return result(edited(reading, invalid, value, flags), findings, next, estimates);
  }

  // The median itself is taken only for the message of a spike found (exceedsMedianTimes).
  if (state.recent.length >= 4 && value > cfg.spikeMinValue) {
    const { data, from, to } = state.recent.range();
    if (exceedsMedianTimes(data, from, to, value, cfg.spikeFactor)) {
      flags |= Quality.SPIKE;
      (findings ??= []).push(
        finding(
          'spike',
          reading,
          `value ${value} is over ${cfg.spikeFactor}x the recent median ${median(data, from, to)} (${state.recent.length} values)`,
        ),
      );
    }
  }

  const consecutive = intervalStart === state.lastStart + intervalMs;
  const repeats = consecutive && value === state.lastValue ? state.repeats + 1 : 1;
  if (value !== 0 && repeats >= cfg.frozenRepeats) {
    flags |= Quality.FROZEN;
    (findings ??= []).push(
      finding('frozen', reading, `value ${value} repeated in ${repeats} consecutive intervals`),
    );
  }

  const next: SeriesState = {
    lastStart: intervalStart,
    lastValue: value,
    intervalSeconds: reading.intervalSeconds,
    repeats,
    recent: state.recent.push(value, cfg.recentWindow),
  };
  return result(edited(reading, invalid, value, flags), findings, next, estimates);
}
