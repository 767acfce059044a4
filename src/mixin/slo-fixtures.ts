// Input series for the generated SLO tests: for each SLO, raw metrics as the program exports them
// in a healthy or a broken phase. The SLO's own queries turn them into SLI rates, so a test
// exercises the whole chain from exported metric to burn-rate alert.
import type { SeriesInput } from './rule-types.ts';

export interface Phase {
  minutes: number;
  /** Requests or records per minute (ignored by gauge-based SLIs). */
  perMinute: number;
  /** Share of events that fail (0 healthy, 1 everything fails). */
  errorRatio: number;
}

export interface SloFixture {
  /** Whether the fixture can show a partial error ratio; a threshold gauge is only in or out. */
  partial: boolean;
  series(phases: Phase[]): SeriesInput[];
}

const J = 'job="gridops",instance="127.0.0.1:8080"';

/** A counter growing by `inc(phase)` per minute, in promtool's expanding notation. */
export function counterValues(phases: Phase[], inc: (p: Phase) => number): string {
  let value = 0;
  return phases
    .map((p, i) => {
      const step = inc(p);
      // The first segment includes t=0; later ones start one step after the previous end.
      const start = i === 0 ? value : value + step;
      const n = i === 0 ? p.minutes : p.minutes - 1;
      value = start + step * n;
      // Printed at full precision: promtool computes start + step * n the same way, so the next
      // segment never starts below the previous end (which would read as a counter reset).
      return `${start}+${step}x${n}`;
    })
    .join(' ');
}

export function gaugeValues(phases: Phase[], level: (p: Phase) => number): string {
  return phases.map((p, i) => `${level(p)}x${i === 0 ? p.minutes : p.minutes - 1}`).join(' ');
}

const bad = (p: Phase) => p.perMinute * p.errorRatio;
const ok = (p: Phase) => p.perMinute - bad(p);
const all = (p: Phase) => p.perMinute;

function httpErrors(route: string, method: string, okStatus: string): SloFixture {
  const s = (status: string) =>
    `smartgrid_http_requests_total{${J},route="${route}",method="${method}",status="${status}"}`;
  return {
    partial: true,
    series: (phases) => [
      { series: s(okStatus), values: counterValues(phases, ok) },
      { series: s('503'), values: counterValues(phases, bad) },
    ],
  };
}

function httpLatency(route: string, method: string, le: string): SloFixture {
  const h = (suffix: string, extra = '') =>
    `smartgrid_http_request_duration_seconds_${suffix}{${J},route="${route}",method="${method}"${extra}}`;
  return {
    partial: true,
    series: (phases) => [
      { series: h('bucket', `,le="${le}"`), values: counterValues(phases, ok) },
      { series: h('bucket', ',le="+Inf"'), values: counterValues(phases, all) },
      { series: h('count'), values: counterValues(phases, all) },
    ],
  };
}

export const SLO_FIXTURES: Record<string, SloFixture> = {
  'ingest-availability': httpErrors('/v1/readings', 'POST', '202'),
  'ingest-latency': httpLatency('/v1/readings', 'POST', '1'),
  'query-availability': httpErrors('/v1/feeders/:id/load', 'GET', '200'),
  'query-latency': httpLatency('/v1/meters/:id/readings', 'GET', '0.5'),
  'data-freshness': {
    partial: false,
    series: (phases) => [
      {
        series: `smartgrid_data_freshness_seconds{${J}}`,
        values: gaugeValues(phases, (p) => (p.errorRatio > 0 ? 7200 : 600)),
      },
    ],
  },
  'data-completeness': {
    partial: true,
    series: (phases) => [
      {
        series: `smartgrid_data_completeness_ratio{${J}}`,
        values: gaugeValues(phases, (p) => 1 - p.errorRatio),
      },
    ],
  },
  'processing-dead-letter': {
    partial: true,
    series: (phases) => [
      { series: `smartgrid_bus_published_records_total{${J}}`, values: counterValues(phases, all) },
      {
        series: `smartgrid_bus_dead_letter_records_total{${J},reason="decode"}`,
        values: counterValues(phases, bad),
      },
    ],
  },
};
