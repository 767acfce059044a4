// Query-string schemas and the time-range rule every read endpoint shares: ISO-8601 from/to,
// to defaulting to now and from to 24 h before it, at most queryMaxRangeDays apart.
import { gridError } from '../../app/errors.ts';
import { isCalendarDate } from '../ingest/reading-schema.ts';

/** Decimals of the energies, powers and ratios the API answers with (see query-routes.ts). */
export const API_DECIMALS = 6;

const ISO = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$';

export const rangeProps = {
  from: { type: 'string', pattern: ISO },
  to: { type: 'string', pattern: ISO },
} as const;

export function pageProps(maxLimit: number) {
  return {
    limit: { type: 'integer', minimum: 1, maximum: maxLimit, default: Math.min(1000, maxLimit) },
    cursor: { type: 'string', maxLength: 512 },
  } as const;
}

export const resolutionProp = { type: 'string', enum: ['15m', '1h', '1d'], default: '15m' } as const;

export interface RangeQuery {
  from?: string;
  to?: string;
}

export function parseRange(q: RangeQuery, now: number, maxDays: number): { from: number; to: number } {
  const to = q.to !== undefined ? Date.parse(q.to) : now;
  const from = q.from !== undefined ? Date.parse(q.from) : to - 86_400_000;
  if (!Number.isFinite(to) || (q.to !== undefined && !isCalendarDate(q.to)))
    throw gridError('SG_ERR_QUERY_INVALID', ['to is not a real date']);
  if (!Number.isFinite(from) || (q.from !== undefined && !isCalendarDate(q.from)))
    throw gridError('SG_ERR_QUERY_INVALID', ['from is not a real date']);
  if (from >= to) throw gridError('SG_ERR_QUERY_INVALID', ['from must be before to']);
  if (to - from > maxDays * 86_400_000) {
    throw gridError('SG_ERR_QUERY_INVALID', [
      `from..to spans more than ${maxDays} days; page through smaller ranges`,
    ]);
  }
  return { from, to };
}

export const iso = (ms: number) => new Date(ms).toISOString();
