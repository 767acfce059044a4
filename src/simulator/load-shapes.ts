// Daily, weekly and seasonal load shapes. The fleet sits in central Europe (50 Hz, 230 V), so
// people live on CET: shapes are evaluated at UTC+1 (daylight saving is ignored on purpose; a
// one-hour shift twice a year would only make tests and kVA sizing date-dependent).

export const LOCAL_OFFSET_MS = 3_600_000;
const DAY_MS = 86_400_000;
const YEAR_MS = 365.2425 * DAY_MS;

export interface LocalTime {
  /** Hour of day, fractional, 0 <= hour < 24. */
  hour: number;
  /** 0 = Sunday ... 6 = Saturday. */
  dayOfWeek: number;
  /** Fraction of the year since 1 January, 0..1 (good to a day, which is all seasons need). */
  yearFraction: number;
}

export function localTime(ms: number): LocalTime {
  const local = ms + LOCAL_OFFSET_MS;
  const days = Math.floor(local / DAY_MS);
  const hour = (local - days * DAY_MS) / 3_600_000;
  const dayOfWeek = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const yearFraction = (((local / YEAR_MS) % 1) + 1) % 1; // 1970 started on 1 January
  return { hour, dayOfWeek, yearFraction };
}

/** Bump centred on `mu` hours with width `sigma`, wrapping around midnight. */
function bump(hour: number, mu: number, sigma: number): number {
  const d = Math.abs(hour - mu);
  const dist = Math.min(d, 24 - d);
  return Math.exp(-0.5 * (dist / sigma) ** 2);
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Winter-high heating/lighting factor, peaking mid-January (northern hemisphere). */
export function seasonFactor(yearFraction: number, amplitude: number): number {
  return 1 + amplitude * Math.cos(2 * Math.PI * (yearFraction - 0.04));
}

/**
 * Mean household demand in kW for a median household: low at night, a breakfast peak, a big
 * evening peak (cooking, lighting); weekends start later and stay busier around noon.
 */
export function householdKw(t: LocalTime): number {
  const weekend = t.dayOfWeek === 0 || t.dayOfWeek === 6;
  const h = t.hour;
  const morning = weekend ? 0.35 * bump(h, 9.5, 1.5) : 0.45 * bump(h, 7.25, 0.9);
  const midday = (weekend ? 0.3 : 0.12) * bump(h, 13, 2);
  const evening = 0.95 * bump(h, 19.25, 1.6);
  return (0.22 + morning + midday + evening) * seasonFactor(t.yearFraction, 0.2);
}

/**
 * Mean commercial demand as a fraction of the site's peak: a business-hours plateau on
 * weekdays (08:00-18:30), a short Saturday, base load only on Sundays.
 */
export function commercialShare(t: LocalTime): number {
  const h = t.hour;
  const open = logistic((h - 7.75) / 0.4) * logistic((18.5 - h) / 0.4);
  const saturdayOpen = logistic((h - 8.75) / 0.4) * logistic((14 - h) / 0.4);
  let activity = 0;
  if (t.dayOfWeek >= 1 && t.dayOfWeek <= 5) activity = 0.75 * open;
  else if (t.dayOfWeek === 6) activity = 0.35 * saturdayOpen;
  return (0.22 + activity) * seasonFactor(t.yearFraction, 0.08);
}

/** Outdoor temperature in degC: winter around 1, summer around 19, warmest mid-afternoon. */
export function ambientTemperature(t: LocalTime): number {
  const seasonal = 10 + 9 * Math.cos(2 * Math.PI * (t.yearFraction - 0.55));
  return seasonal + 4 * Math.cos((2 * Math.PI * (t.hour - 15)) / 24);
}
