// VEE (Validation, Estimation, Editing) of meter interval readings, one series at a time.
// A series is (meterId, obis); the caller keeps one SeriesState per series and threads it
// through. Everything here is pure: inputs are never mutated, time comes from the readings.
import { bucketStart, Quality, type MeterReading } from './readings.ts';
import { exceedsMedianTimes, median } from './stats.ts';
import { ValueWindow } from './value-window.ts';

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
  estimates: MeterReading[];
  findings: VeeFinding[];
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
 * Estimates for the slots strictly between two readings of a series, on the grid of the first:
 * each on the straight line from `before.lastValue` to `value` (the second reading's value after
 * editing), flagged ESTIMATED, with the second reading's ids, unit and receive time.
 */
export function linearEstimates(
  before: Pick<SeriesState, 'lastStart' | 'lastValue'>,
  after: Pick<
    MeterReading,
    'meterId' | 'customerId' | 'obis' | 'intervalStart' | 'intervalSeconds' | 'unit' | 'receivedAt'
  >,
  value: number,
): MeterReading[] {
  const intervalMs = after.intervalSeconds * 1000;
  const missing = Math.ceil((after.intervalStart - before.lastStart) / intervalMs) - 1;
  const estimates: MeterReading[] = [];
  for (let k = 1; k <= missing; k++) {
    estimates.push({
      meterId: after.meterId,
      ...(after.customerId !== undefined && { customerId: after.customerId }),
      obis: after.obis,
      intervalStart: before.lastStart + k * intervalMs,
      intervalSeconds: after.intervalSeconds,
      value: before.lastValue + ((value - before.lastValue) * k) / (missing + 1),
      unit: after.unit,
      quality: Quality.ESTIMATED,
      receivedAt: after.receivedAt,
    });
  }
  return estimates;
}

export function applyVee(
  reading: MeterReading,
  state: SeriesState | undefined,
  cfg: VeeConfig = DEFAULT_VEE,
): VeeResult {
  const { meterId, obis, intervalStart } = reading;
  const intervalMs = reading.intervalSeconds * 1000;
  const findings: VeeFinding[] = [];
  const find = (rule: VeeRule, detail: string, at = intervalStart): void => {
    findings.push({ rule, meterId, obis, intervalStart: at, detail });
  };
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
    find(
      'range',
      Number.isFinite(raw)
        ? `value ${raw} ${reading.unit} exceeds ${limit} ${reading.unit} (${cfg.maxKw} kW over ${reading.intervalSeconds} s)`
        : `value ${raw} is not a finite number`,
    );
  } else if (raw < 0) {
    invalid = true;
    flags |= Quality.NEGATIVE;
    find('negative', `negative value ${raw} ${reading.unit}`);
  }

  if (!(intervalMs > 0)) {
    flags |= Quality.CLOCK_DRIFT;
    find('clock_drift', `interval length ${reading.intervalSeconds} s is not positive`);
  } else {
    if (bucketStart(intervalStart, intervalMs) !== intervalStart) {
      flags |= Quality.CLOCK_DRIFT;
      find(
        'clock_drift',
        `interval start ${iso(intervalStart)} is not aligned to ${reading.intervalSeconds} s (UTC)`,
      );
    }
    if (intervalStart + intervalMs > reading.receivedAt + cfg.maxClockAheadMs) {
      flags |= Quality.CLOCK_DRIFT;
      find(
        'clock_drift',
        `interval ends ${iso(intervalStart + intervalMs)}, more than ${cfg.maxClockAheadMs} ms after receipt at ${iso(reading.receivedAt)}`,
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
  // A reading nothing was found in is passed on as it came: a copy of every reading would outlive
  // the batch (the store writes it at the end) and cost the processor's garbage collector.
  const edited = (extra: number): MeterReading =>
    invalid
      ? { ...reading, value, rawValue: raw, quality: reading.quality | flags | extra | Quality.EDITED }
      : (flags | extra) === 0
        ? reading
        : { ...reading, quality: reading.quality | flags | extra };

  // --- Stateful checks. ---
  const fresh = (): SeriesState => ({
    lastStart: intervalStart,
    lastValue: value,
    intervalSeconds: reading.intervalSeconds,
    repeats: invalid ? 0 : 1,
    recent: invalid ? ValueWindow.EMPTY : ValueWindow.EMPTY.push(value, cfg.recentWindow),
  });

  if (state === undefined || !(intervalMs > 0)) {
    return { reading: edited(0), estimates: [], findings, state: state ?? fresh() };
  }
  if (intervalStart === state.lastStart) {
    find(
      'duplicate',
      raw === state.lastValue
        ? `interval ${iso(intervalStart)} received again (same value ${raw})`
        : `interval ${iso(intervalStart)} received again with ${raw}, first value was ${state.lastValue}`,
    );
    return { reading: edited(Quality.DUPLICATE), estimates: [], findings, state };
  }
  if (intervalStart < state.lastStart) {
    // Late data cannot be compared with neighbours it did not arrive between.
    return { reading: edited(0), estimates: [], findings, state };
  }
  if (reading.intervalSeconds !== state.intervalSeconds) {
    // Meter reprogrammed to another interval length: values are on a new scale, so the
    // history (median, run, gap grid) no longer applies. Start the series over.
    return { reading: edited(0), estimates: [], findings, state: fresh() };
  }

  // Gap: slots on the previous reading's grid strictly before this reading.
  const estimates: MeterReading[] = [];
  const missing = Math.ceil((intervalStart - state.lastStart) / intervalMs) - 1;
  if (missing > 0) {
    const span = missing * intervalMs;
    const first = state.lastStart + intervalMs;
    const fill = span <= cfg.maxEstimateGapMs;
    find(
      'gap',
      `${missing} missing interval${missing === 1 ? '' : 's'} from ${iso(first)} to ${iso(first + span)}; ` +
        (fill ? 'estimated linearly' : `not estimated (over ${cfg.maxEstimateGapMs} ms)`),
      first,
    );
    if (fill) estimates.push(...linearEstimates(state, reading, value));
  }

  if (invalid) {
    // An edited value is not a measurement: it must not feed the spike median, and it breaks
    // any frozen run (its value is a copy of the last one by construction).
    const next = { ...state, lastStart: intervalStart, lastValue: value, repeats: 0 };
    return { reading: edited(0), estimates, findings, state: next };
  }

  let extra = 0;
  // The median itself is taken only for the message of a spike found (exceedsMedianTimes).
  if (state.recent.length >= 4 && value > cfg.spikeMinValue) {
    const { data, from, to } = state.recent.range();
    if (exceedsMedianTimes(data, from, to, value, cfg.spikeFactor)) {
      extra |= Quality.SPIKE;
      find(
        'spike',
        `value ${value} is over ${cfg.spikeFactor}x the recent median ${median(data, from, to)} (${state.recent.length} values)`,
      );
    }
  }

  const consecutive = intervalStart === state.lastStart + intervalMs;
  const repeats = consecutive && value === state.lastValue ? state.repeats + 1 : 1;
  if (value !== 0 && repeats >= cfg.frozenRepeats) {
    extra |= Quality.FROZEN;
    find('frozen', `value ${value} repeated in ${repeats} consecutive intervals`);
  }

  return {
    reading: edited(extra),
    estimates,
    findings,
    state: {
      lastStart: intervalStart,
      lastValue: value,
      intervalSeconds: reading.intervalSeconds,
      repeats,
      recent: state.recent.push(value, cfg.recentWindow),
    },
  };
}
