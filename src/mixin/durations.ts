// Prometheus durations (`5m`, `1h30m`, `30d`) as milliseconds and back, so window scaling and
// rule generation work on numbers and always print the shortest form Prometheus accepts.

const UNITS: [string, number][] = [
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const PART = /(\d+)(ms|[smhdw])/g;

/** Milliseconds of a Prometheus duration, or undefined when `text` is not one. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(ms|[smhdwy]))+$/.test(text) || text.includes('y')) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(PART)) {
    ms += Number(n) * (UNITS.find(([u]) => u === unit)?.[1] ?? 0);
  }
  return ms > 0 ? ms : undefined;
}

/** The canonical Prometheus duration of `ms` (largest units first, e.g. 90m -> 1h30m). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  // Weeks read badly in rule names (`ratio_rate1w`), so days are the largest unit printed.
  for (const [unit, size] of UNITS.slice(1)) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

export const MINUTE = 60_000;
export const DAY = 86_400_000;
