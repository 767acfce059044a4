// "Nothing was stored" as a measurable claim: the store's /v1/stats counters plus the ingest and
// bus metrics, read before and after a rejected request. The metrics move synchronously on
// publish; the store only after the processor ran, so a sentinel batch of the same meter (same
// bus partition, hence processed after anything published before it) is posted and awaited
// before the counters are compared.
import assert from 'node:assert/strict';
import { AUTH, eventually, meterItem, type TestApp } from './test-app.ts';

export interface Counters {
  meterReadings: number;
  sensorReadings: number;
  unknownReadings: number;
  /** smartgrid_ingest_readings_total{kind="meter"} */
  ingestMeter: number;
  /** smartgrid_ingest_readings_total{kind="sensor"} */
  ingestSensor: number;
  /** smartgrid_bus_published_records_total */
  busPublished: number;
}

/** The value of one Prometheus sample in exposition text; 0 when the series does not exist yet. */
export function metricValue(text: string, name: string, labels = ''): number {
  const head = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(head));
  return line === undefined ? 0 : Number(line.slice(head.length));
}

export async function readCounters(app: TestApp): Promise<Counters> {
  const stats = await app.http.inject({ url: '/v1/stats', headers: AUTH });
  assert.equal(stats.statusCode, 200, stats.body);
  const s = stats.json() as {
    meter_readings: number;
    sensor_readings: number;
    unknown_device_readings: number;
  };
  const metrics = await app.http.inject({ url: '/metrics', headers: AUTH });
  assert.equal(metrics.statusCode, 200, metrics.body);
  return {
    meterReadings: s.meter_readings,
    sensorReadings: s.sensor_readings,
    unknownReadings: s.unknown_device_readings,
    ingestMeter: metricValue(metrics.body, 'smartgrid_ingest_readings_total', 'kind="meter"'),
    ingestSensor: metricValue(metrics.body, 'smartgrid_ingest_readings_total', 'kind="sensor"'),
    busPublished: metricValue(metrics.body, 'smartgrid_bus_published_records_total'),
  };
}

const SENTINEL_ITEMS = 2;
const QUARTER = 900_000;

/**
 * Posts known-good readings of one meter and waits for them. Its intervals continue one
 * another so VEE never bridges a gap with estimates (which would add rows to the counters).
 */
export class Sentinel {
  private next = 0;
  private readonly app: TestApp;
  readonly meterId: string;
  private readonly base: number;

  constructor(app: TestApp, meterId: string, base: number) {
    this.app = app;
    this.meterId = meterId;
    this.base = base;
  }

  /**
   * Asserts that, apart from `extra` (what the caller knowingly stored since `before`), the
   * counters moved by exactly the sentinel batch.
   */
  async expectOnly(before: Counters, extra: Partial<Counters> = {}): Promise<Counters> {
    const items = Array.from({ length: SENTINEL_ITEMS }, () => {
      const i = this.next++;
      // Varying values: a run of equal values would be flagged frozen, noise for this purpose.
      return meterItem(this.meterId, this.base + i * QUARTER, 0.1 + (i % 7) * 0.01);
    });
    const res = await this.app.http.inject({
      method: 'POST',
      url: '/v1/readings',
      headers: AUTH,
      payload: items,
    });
    assert.equal(res.statusCode, 202, `sentinel batch: ${res.body}`);
    const d = (k: keyof Counters) => extra[k] ?? 0;
    const want: Counters = {
      meterReadings: before.meterReadings + SENTINEL_ITEMS + d('meterReadings'),
      sensorReadings: before.sensorReadings + d('sensorReadings'),
      unknownReadings: before.unknownReadings + d('unknownReadings'),
      ingestMeter: before.ingestMeter + SENTINEL_ITEMS + d('ingestMeter'),
      ingestSensor: before.ingestSensor + d('ingestSensor'),
      busPublished: before.busPublished + SENTINEL_ITEMS + d('busPublished'),
    };
    await eventually(async () => {
      const c = await readCounters(this.app);
      const drained =
        c.meterReadings >= want.meterReadings &&
        c.sensorReadings >= want.sensorReadings &&
        c.unknownReadings >= want.unknownReadings;
      return drained ? c : undefined;
    }, 20_000);
    // Other partitions are polled in the same pass; a short extra wait covers a slow one.
    await new Promise((r) => setTimeout(r, 100));
    const after = await readCounters(this.app);
    assert.deepEqual(after, want, 'counters moved by exactly the sentinel batch (and the expected extra)');
    return after;
  }
}
