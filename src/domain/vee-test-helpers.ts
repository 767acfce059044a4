// Fixtures shared by the VEE test files (not a test file itself).
import { MS, OBIS, Quality, type MeterReading } from './readings.ts';
import { applyVee, type SeriesState, type VeeResult } from './vee.ts';

export const T0 = Date.UTC(2026, 0, 5, 10, 0); // aligned to 15 min
export const Q = 15 * MS.minute;

export function reading(slot: number, value: number, over: Partial<MeterReading> = {}): MeterReading {
  const intervalStart = T0 + slot * Q;
  return {
    eventId: `e-${slot}`,
    meterId: 'MTR-1',
    customerId: 'CUST-1',
    obis: OBIS.ACTIVE_IMPORT,
    intervalStart,
    intervalSeconds: 900,
    value,
    unit: 'kWh',
    quality: Quality.VALID,
    receivedAt: intervalStart + Q + 30_000,
    ...over,
  };
}

/** Feeds values into consecutive slots from slot 0 and returns every result. */
export function run(values: number[]): VeeResult[] {
  let state: SeriesState | undefined;
  return values.map((v, i) => {
    const r = applyVee(reading(i, v), state);
    state = r.state;
    return r;
  });
}

export function rules(r: VeeResult): string[] {
  return r.findings.map((f) => f.rule);
}

/** A series state with its recent values as a plain array, for deepEqual. */
export function plain(state: SeriesState): Omit<SeriesState, 'recent'> & { recent: number[] } {
  return { ...state, recent: state.recent.toArray() };
}
