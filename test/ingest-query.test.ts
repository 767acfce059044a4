// Ingest -> processor -> query through app.inject(), on the real embedded adapters.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AUTH, eventually, meterItem, startTestApp, type TestApp } from './support/test-app.ts';

let app: TestApp;
const Q = Date.UTC(2026, 10, 26, 0, 0);
before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

test('accepted readings become feeder rollups, readable through the query API', async () => {
  const meters = app.topology.meters.slice(0, 5);
  const items = meters.flatMap((m) => [0, 1, 2, 3].map((i) => meterItem(m.id, Q + i * 900_000, 0.5)));
  const res = await app.http.inject({ method: 'POST', url: '/v1/readings', headers: AUTH, payload: items });
  assert.equal(res.statusCode, 202, res.body);
  assert.deepEqual(res.json(), { accepted: 20, meters: 20, sensors: 0 });

  const tx = app.topology.transformers.find((t) => t.id === meters[0]!.transformer_id)!;
  const expected =
    meters.filter(
      (m) => app.topology.transformers.find((t) => t.id === m.transformer_id)!.feeder_id === tx.feeder_id,
    ).length * 2;
  const url = `/v1/feeders/${tx.feeder_id}/load?resolution=1h&from=2026-11-26T00:00:00Z&to=2026-11-26T02:00:00Z`;
  const body = await eventually(async () => {
    const r = await app.http.inject({ url, headers: AUTH });
    const b = r.json() as { buckets: { energy_kwh: number; readings: number }[] };
    return b.buckets[0]?.energy_kwh === expected ? b : undefined;
  });
  assert.equal(body.buckets.length, 1);

  const readings = await app.http.inject({
    url: `/v1/meters/${meters[0]!.id}/readings?from=2026-11-26T00:00:00Z&to=2026-11-26T01:00:00Z`,
    headers: AUTH,
  });
  assert.equal(readings.statusCode, 200);
  assert.equal((readings.json() as { readings: unknown[] }).readings.length, 4);
});

test('resending an accepted batch changes nothing (idempotent on meter, channel, interval start)', async () => {
  const m = app.topology.meters[10]!;
  const items = [meterItem(m.id, Q, 1.25), meterItem(m.id, Q + 900_000, 1.25)];
  for (let i = 0; i < 3; i++) {
    assert.equal(
      (await app.http.inject({ method: 'POST', url: '/v1/readings', headers: AUTH, payload: items }))
        .statusCode,
      202,
    );
  }
  const url = `/v1/meters/${m.id}/rollups?resolution=1h&from=2026-11-26T00:00:00Z&to=2026-11-26T01:00:00Z`;
  const b = await eventually(async () => {
    const r = (await app.http.inject({ url, headers: AUTH })).json() as {
      buckets: { energy_kwh: number; readings: number }[];
    };
    return r.buckets[0]?.readings === 2 ? r : undefined;
  });
  // Wait a little longer to be sure the duplicates were processed too, then check nothing moved.
  await eventually(async () =>
    (await app.http.inject({ url: '/v1/stats', headers: AUTH })).json().meter_readings >= 22
      ? true
      : undefined,
  );
  await new Promise((r) => setTimeout(r, 300));
  const again = (await app.http.inject({ url, headers: AUTH })).json() as {
    buckets: { energy_kwh: number; readings: number }[];
  };
  assert.deepEqual(again.buckets, b.buckets);
  assert.equal(again.buckets[0]?.energy_kwh, 2.5);
});

test('rollups answer energies and powers without the binary noise of their sums', async () => {
  const m = app.topology.meters[20]!;
  const hour = Q + 5 * 3_600_000;
  const items = [0.1, 0.1, 0.1, 1.1].map((v, i) => meterItem(m.id, hour + i * 900_000, v));
  const res = await app.http.inject({ method: 'POST', url: '/v1/readings', headers: AUTH, payload: items });
  assert.equal(res.statusCode, 202, res.body);
  const url = `/v1/meters/${m.id}/rollups?resolution=1h&from=2026-11-26T05:00:00Z&to=2026-11-26T06:00:00Z`;
  const b = await eventually(async () => {
    const r = (await app.http.inject({ url, headers: AUTH })).json() as {
      buckets: { energy_kwh: number; avg_kw: number; readings: number }[];
    };
    return r.buckets[0]?.readings === 4 ? r : undefined;
  });
  // Added as floats, in any order, 0.1 + 0.1 + 0.1 + 1.1 is not 1.4 (1.4000000000000001 or
  // 1.4000000000000004); the answer is.
  assert.equal(b.buckets[0]!.energy_kwh, 1.4);
  assert.equal(b.buckets[0]!.avg_kw, 1.4);
});

test('readings of meters missing from the topology are kept apart and counted', async () => {
  const res = await app.http.inject({
    method: 'POST',
    url: '/v1/readings',
    headers: AUTH,
    payload: [meterItem('MTR-NOT-IN-GRID', Q)],
  });
  assert.equal(res.statusCode, 202);
  await eventually(async () => {
    const s = (await app.http.inject({ url: '/v1/stats', headers: AUTH })).json() as {
      unknown_device_readings: number;
    };
    return s.unknown_device_readings >= 1 ? true : undefined;
  });
});

test('every non-health endpoint needs an API key; health does not', async () => {
  for (const url of ['/v1/feeders', '/metrics', '/v1/events']) {
    const r = await app.http.inject({ url });
    assert.equal(r.statusCode, 401, url);
    assert.equal(r.json().error.code, 'SG_ERR_UNAUTHORIZED');
  }
  assert.equal(
    (await app.http.inject({ url: '/v1/feeders', headers: { authorization: 'Bearer wrong' } })).statusCode,
    401,
  );
  assert.equal((await app.http.inject({ url: '/livez' })).statusCode, 200);
  const ready = await app.http.inject({ url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.ok((ready.json() as { modules: { name: string }[] }).modules.some((m) => m.name === 'processor'));
});

test('/metrics exports the ingest counter and no meter id label', async () => {
  const text = (await app.http.inject({ url: '/metrics', headers: AUTH })).body;
  assert.match(text, /smartgrid_ingest_readings_total\{kind="meter"\} \d+/);
  assert.match(text, /smartgrid_http_request_duration_seconds_bucket\{/);
  assert.doesNotMatch(text, /MTR-/);
  assert.ok(!app.logs.some((l) => l.includes(app.config.apiKeys)), 'the API key never reaches the log');
});

test('query validation names the field', async () => {
  const r = await app.http.inject({
    url: `/v1/feeders/${app.topology.feeders[0]!.id}/load?resolution=5m`,
    headers: AUTH,
  });
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().error.code, 'SG_ERR_QUERY_INVALID');
  assert.match(r.json().error.message, /resolution/);
  const range = await app.http.inject({
    url: `/v1/events?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
    headers: AUTH,
  });
  assert.equal(range.statusCode, 400);
  assert.match(range.json().error.message, /more than 31 days/);
  const missing = await app.http.inject({ url: '/v1/feeders/FDR-NOPE/load', headers: AUTH });
  assert.equal(missing.statusCode, 404);
});

test('a transformer loaded past its nameplate raises one overload event per quarter-hour', async () => {
  const tx = app.topology.transformers[1]!;
  const meters = app.topology.meters.filter((m) => m.transformer_id === tx.id);
  // Enough energy in one quarter-hour to draw 1.5x the nameplate kVA at power factor 0.95.
  const perMeter = (tx.kva * 1.5 * 0.95 * 0.25) / meters.length;
  const start = Date.UTC(2026, 10, 25, 18, 0);
  const items = meters.map((m) => meterItem(m.id, start, Math.round(perMeter * 1000) / 1000));
  assert.equal(
    (await app.http.inject({ method: 'POST', url: '/v1/readings', headers: AUTH, payload: items }))
      .statusCode,
    202,
  );
  const url = `/v1/events?type=transformer_overload&subject_id=${tx.id}&from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z`;
  const events = await eventually(async () => {
    const b = (await app.http.inject({ url, headers: AUTH })).json() as {
      events: { value: number; start: string }[];
    };
    return b.events.length > 0 ? b.events : undefined;
  });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.start, '2026-11-25T18:00:00.000Z');
  assert.ok(Math.abs(events[0]!.value - 1.5) < 0.01, `loading ratio ${events[0]!.value}`);
});

test('ingest keys bus records by transformer, so one processor sees a whole transformer', async () => {
  const ingest = await startTestApp({ target: 'ingest' });
  try {
    const [a, b] = ingest.topology.meters;
    const items = [meterItem(a!.id, Q, 0.1), meterItem(b!.id, Q, 0.2), meterItem('MTR-NOT-THERE', Q, 0.3)];
    const res = await ingest.http.inject({
      method: 'POST',
      url: '/v1/readings',
      headers: AUTH,
      payload: items,
    });
    assert.equal(res.statusCode, 202, res.body);
    const db = new DatabaseSync(join(ingest.dir, 'data', 'bus.db'), { readOnly: true });
    const keys = (db.prepare('SELECT keys FROM bus_log').all() as { keys: string }[])
      .flatMap((r) => r.keys.split('\n'))
      .sort();
    db.close();
    assert.deepEqual(keys, [a!.transformer_id, b!.transformer_id, 'MTR-NOT-THERE'].sort());
  } finally {
    await ingest.close();
  }
});
