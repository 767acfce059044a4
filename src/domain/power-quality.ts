// EN 50160 power-quality rules on grid sensor samples, streaming with explicit state per sensor.
// Voltage: 10-minute mean within nominal +/-10 %, plus per-sample dips (< 90 %) and
// interruptions (< 1 %). Frequency: per-sample deviation beyond +/-1 % of nominal.
import { bucketStart, MS } from './readings.ts';

export type PqEventType = 'voltage_deviation' | 'voltage_dip' | 'interruption' | 'frequency_deviation';

export interface PqEvent {
  type: PqEventType;
  sensorId: string;
  start: number;
  end: number;
  /** Window mean (deviation), minimum (dip, interruption) or value furthest from nominal (frequency). */
  value: number;
  nominal: number;
  detail: string;
}

export interface PqState {
  /** Start of the 10-minute window being accumulated (UTC-aligned). */
  windowStart: number;
  sum: number;
  count: number;
  /** A dip, interruption or frequency deviation still going on. */
  openEvent?: PqEvent;
}

type PqSample = { sensorId: string; sensorType: 'voltage' | 'frequency'; ts: number; value: number };

const WINDOW_MS = 10 * MS.minute;
const VOLTAGE_BAND = 0.1;
const DIP_BELOW = 0.9;
const INTERRUPTION_BELOW = 0.01;
const FREQUENCY_BAND = 0.01;

// Thresholds are decimal percentages of the nominal; 0.01 * 230 is 2.3000000000000003 in binary
// floating point, which would make a sample of exactly 1 % an interruption. A tolerance far
// below any instrument's resolution keeps "at the limit" on the side EN 50160 puts it.
const EPS = 1e-9;
function below(value: number, fraction: number, nominal: number): boolean {
  return value < (fraction - EPS) * nominal;
}
function outside(value: number, band: number, nominal: number): boolean {
  return Math.abs(value - nominal) > (band + EPS) * nominal;
}

function pct(value: number, nominal: number): string {
  return `${((value / nominal) * 100).toFixed(1)} %`;
}

/** The per-sample event kind a sample belongs to, or undefined for a normal sample. */
function classify(
  sensorType: PqSample['sensorType'],
  value: number,
  nominal: number,
): PqEventType | undefined {
  if (sensorType === 'frequency') {
    return outside(value, FREQUENCY_BAND, nominal) ? 'frequency_deviation' : undefined;
  }
  if (below(value, INTERRUPTION_BELOW, nominal)) return 'interruption';
  if (below(value, DIP_BELOW, nominal)) return 'voltage_dip';
  return undefined;
}

function describe(type: PqEventType, value: number, nominal: number, unit: string): string {
  switch (type) {
    case 'voltage_dip':
      return `voltage dip to ${value} ${unit} (${pct(value, nominal)} of ${nominal} ${unit})`;
    case 'interruption':
      return `supply interruption, voltage ${value} ${unit} (${pct(value, nominal)} of ${nominal} ${unit})`;
    case 'frequency_deviation':
      return `frequency ${value} ${unit} outside ${nominal} ${unit} +/-1 %`;
    case 'voltage_deviation':
      return `10-minute mean voltage ${value.toFixed(1)} ${unit} (${pct(value, nominal)} of ${nominal} ${unit}) outside +/-10 %`;
  }
}

/** Merges a sample into an open event of the same kind, keeping the most severe value. */
function extend(event: PqEvent, ts: number, value: number, unit: string): PqEvent {
  const worse =
    event.type === 'frequency_deviation'
      ? Math.abs(value - event.nominal) > Math.abs(event.value - event.nominal)
      : value < event.value;
  const extreme = worse ? value : event.value;
  return {
    ...event,
    start: Math.min(event.start, ts),
    end: Math.max(event.end, ts),
    value: extreme,
    detail: describe(event.type, extreme, event.nominal, unit),
  };
}

function closeWindow(state: PqState, sensorId: string, nominal: number): PqEvent[] {
  if (state.count === 0) return [];
  const mean = state.sum / state.count;
  if (!outside(mean, VOLTAGE_BAND, nominal)) return [];
  return [
    {
      type: 'voltage_deviation',
      sensorId,
      start: state.windowStart,
      end: state.windowStart + WINDOW_MS,
      value: mean,
      nominal,
      detail: describe('voltage_deviation', mean, nominal, 'V'),
    },
  ];
}

function byStart(a: PqEvent, b: PqEvent): number {
  return a.start - b.start;
}

/**
 * Feeds one sample. Events come out when they end: a 10-minute deviation when a sample of a
 * later window arrives, a dip/interruption/frequency event when a sample of another kind does.
 * Samples older than the current window are dropped (the window they belong to was already
 * judged), as are non-finite values (validation's business, and NaN compares as "normal").
 */
export function pqStep(
  state: PqState | undefined,
  sample: PqSample,
  nominal: number,
): { state: PqState; events: PqEvent[] } {
  const { sensorId, sensorType, ts, value } = sample;
  const unit = sensorType === 'voltage' ? 'V' : 'Hz';
  if (!Number.isFinite(value) || !Number.isFinite(ts) || !(nominal > 0)) {
    // An empty window that any real sample will replace.
    const start = Number.isFinite(ts) ? bucketStart(ts, WINDOW_MS) : -Infinity;
    return { state: state ? { ...state } : { windowStart: start, sum: 0, count: 0 }, events: [] };
  }
  const window = bucketStart(ts, WINDOW_MS);
  if (state !== undefined && window < state.windowStart) return { state: { ...state }, events: [] };

  const events: PqEvent[] = [];
  let { windowStart, sum, count } = state ?? { windowStart: window, sum: 0, count: 0 };
  if (window > windowStart) {
    if (sensorType === 'voltage' && state) events.push(...closeWindow(state, sensorId, nominal));
    windowStart = window;
    sum = 0;
    count = 0;
  }

  const kind = classify(sensorType, value, nominal);
  // EN 50160 judges supply voltage variations "excluding the periods with interruptions", so
  // an interruption must not also drag the 10-minute mean into a voltage_deviation.
  if (kind !== 'interruption') {
    sum += value;
    count += 1;
  }

  let open = state?.openEvent;
  if (open !== undefined && open.type !== kind) {
    events.push(open);
    open = undefined;
  }
  if (kind !== undefined) {
    open =
      open === undefined
        ? {
            type: kind,
            sensorId,
            start: ts,
            end: ts,
            value,
            nominal,
            detail: describe(kind, value, nominal, unit),
          }
        : extend(open, ts, value, unit);
  }

  const next: PqState = { windowStart, sum, count };
  if (open !== undefined) next.openEvent = open;
  return { state: next, events: events.sort(byStart) };
}

/** End of stream: judges the current 10-minute window and closes any open event. */
export function pqFlush(
  state: PqState | undefined,
  sensorType: 'voltage' | 'frequency',
  sensorId: string,
  nominal: number,
): PqEvent[] {
  if (state === undefined) return [];
  const events = sensorType === 'voltage' && nominal > 0 ? closeWindow(state, sensorId, nominal) : [];
  if (state.openEvent !== undefined) events.push(state.openEvent);
  return events.sort(byStart);
}

/** Batch helper: the mean of every UTC-aligned 10-minute window that has samples, oldest first. */
export function tenMinuteMeans(
  samples: { ts: number; value: number }[],
): { start: number; mean: number; count: number }[] {
  const windows = new Map<number, { sum: number; count: number }>();
  for (const { ts, value } of samples) {
    if (!Number.isFinite(value) || !Number.isFinite(ts)) continue;
    const start = bucketStart(ts, WINDOW_MS);
    const w = windows.get(start) ?? { sum: 0, count: 0 };
    w.sum += value;
    w.count += 1;
    windows.set(start, w);
  }
  return [...windows]
    .sort(([a], [b]) => a - b)
    .map(([start, { sum, count }]) => ({ start, mean: sum / count, count }));
}
