// Ingest back-pressure: when the processor falls behind by more than maxBusLag readings,
// POST /v1/readings answers 503 SG_ERR_OVERLOADED with Retry-After, and a rejected batch never
// reaches the bus (so retrying it later cannot double-count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH, meterItem, startTestApp, type TestApp } from './support/test-app.ts';
import { metricValue } from './support/ingest-counters.ts';

const post = (app: TestApp, payload: unknown[]) =>
  app.http.inject({ method: 'POST', url: '/v1/readings', headers: AUTH, payload });

test('back-pressure: over maxBusLag ingest answers 503 with Retry-After and publishes nothing', async () => {
  // No processor: nothing drains the bus, so the first batch alone puts it over the limit.
  const ingest = await startTestApp({ target: 'ingest,query', maxBusLag: 1 });
  try {
    const m = ingest.topology.meters[0]!.id;
    const batch = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => meterItem(m, Date.UTC(2026, 10, 26) + (from + i) * 900_000));
    const first = await post(ingest, batch(2, 0));
    assert.equal(first.statusCode, 202, first.body);
    for (const [n, from] of [
      [3, 2],
      [1, 5],
    ] as const) {
      // The lag is re-read at most every 200 ms.
      await new Promise((r) => setTimeout(r, 250));
      const res = await post(ingest, batch(n, from));
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.headers['retry-after'], '5');
      const err = (res.json() as { error: { code: string; message: string } }).error;
      assert.equal(err.code, 'SG_ERR_OVERLOADED');
      // Read back from the bus: still exactly the first batch, none of a rejected one.
      assert.match(err.message, /^overloaded: 2 readings await processing; retry after/);
    }
    const metrics = (await ingest.http.inject({ url: '/metrics', headers: AUTH })).body;
    assert.equal(metricValue(metrics, 'smartgrid_ingest_readings_total', 'kind="meter"'), 2);
    assert.equal(metricValue(metrics, 'smartgrid_bus_published_records_total'), 2);
    assert.equal(metricValue(metrics, 'smartgrid_bus_lag_records'), 2);
    assert.equal(metricValue(metrics, 'smartgrid_ingest_overload_rejections_total'), 2);
  } finally {
    await ingest.close();
  }
});
