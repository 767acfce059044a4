// The read API on data that went through ingest and the processor: events and anomalies with
// keyset pagination, meter readings pagination, load forecast with its backtest, transformer
// listing and loading, query validation. Ingest back-pressure: ingest-back-pressure.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH, eventually, meterItem, startTestApp, type TestApp } from './support/test-app.ts';
import { API_DECIMALS } from '../src/modules/query/query-params.ts';
import { roundTo } from '../src/domain/decimals.ts';

/** What the API answers for an energy, power or ratio: rounded to API_DECIMALS. */
const atApi = (x: number) => roundTo(x, API_DECIMALS);

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

const metersOf = (txId: string) => app.topology.meters.filter((m) => m.transformer_id === txId);

async function get<T = Record<string, unknown>>(url: string, status = 200): Promise<T> {
  const res = await app.http.inject({ url, headers: AUTH });
  assert.equal(res.statusCode, status, `${url}: ${res.body}`);
  return res.json() as T;
}

const post = (payload: unknown[]) =>
  app.http.inject({ method: 'POST', url: '/v1/readings', headers: AUTH, payload });

/** The coded error of a request expected to fail with `status`. */
const errorOf = async (url: string, status: number) =>
  (await get<{ error: { code: string; message: string } }>(url, status)).error;

async function statsAtLeast(key: 'meter_readings' | 'sensor_readings', n: number): Promise<void> {
  await eventually(async () =>
    (await get<Record<string, number>>('/v1/stats'))[key]! >= n ? true : undefined,
  );
}

type EventOut = {
  id: string;
  type: string;
  subject_id: string;
  start: string;
  value: number | null;
  detail: string;
};
type EventPage = { events: EventOut[]; next_cursor: string | null };

/** Follows next_cursor from the first page to the end, asserting every page but the last is full. */
async function allPages(url: string, limit: number): Promise<EventOut[]> {
  const out: EventOut[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: EventPage = await get<EventPage>(
      `${url}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    assert.ok(page.events.length <= limit);
    out.push(...page.events);
    if (page.next_cursor === null) return out;
    assert.equal(page.events.length, limit, 'only a full page has a next page');
    cursor = page.next_cursor;
  }
  throw new Error('pagination did not end');
}

// Voltage samples one a minute: two dips to 150 V (65 % of 230 V) in a 230 V supply, per sensor.
const E = Date.UTC(2026, 10, 15, 8, 0);
const level = (volts: number, minutes: number): number[] => Array<number>(minutes).fill(volts);
const PROFILE = [...level(230, 12), ...level(150, 3), ...level(230, 12), ...level(150, 2), ...level(230, 12)];
const DIPPED = PROFILE.flatMap((v, i) => (v === 150 ? [E + i * 60_000] : []));
const EVENTS_URL = `/v1/events?from=${iso(E - H)}&to=${iso(E + 2 * H)}`;

test('events: voltage dips become events, paged through with limit and next_cursor', async () => {
  const sensors = app.topology.sensors.filter((s) => s.type === 'voltage');
  assert.ok(sensors.length >= 2);
  const items = sensors.flatMap((s) =>
    PROFILE.map((value, i) => ({
      sensor_id: s.id,
      sensor_type: 'voltage',
      ts: iso(E + i * 60_000),
      value,
      unit: 'V',
    })),
  );
  assert.equal((await post(items)).statusCode, 202);
  // A sensor's events are written with its samples, so once all samples are counted all are in.
  await statsAtLeast('sensor_readings', items.length);

  const dips = (await get<EventPage>(`${EVENTS_URL}&type=voltage_dip`)).events;
  assert.equal(dips.length, 2 * sensors.length);
  for (const d of dips) {
    assert.equal(d.value, 150);
    assert.match(d.detail, /voltage dip to 150 V \(65\.2 % of 230 V\)/);
    assert.ok(DIPPED.includes(Date.parse(d.start)));
  }
  const one = (await get<EventPage>(`${EVENTS_URL}&type=voltage_dip&subject_id=${sensors[0]!.id}`)).events;
  assert.deepEqual(
    one.map((e) => e.subject_id),
    [sensors[0]!.id, sensors[0]!.id],
  );

  const whole = (await get<EventPage>(`${EVENTS_URL}&limit=1000`)).events;
  assert.ok(whole.length >= 8, `${whole.length} events`);
  for (const limit of [1, 3, whole.length]) {
    const paged = await allPages(EVENTS_URL, limit);
    assert.deepEqual(
      paged.map((e) => e.id),
      whole.map((e) => e.id),
      `limit=${limit}: every event exactly once, in order`,
    );
  }
  const keys = whole.map((e) => [Date.parse(e.start), e.id] as const);
  const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  assert.deepEqual(keys, sorted, 'ordered by (start, id)');
});

test('anomalies: only anomaly events, at the dipped samples, paged the same way', async () => {
  const url = `/v1/anomalies?from=${iso(E - H)}&to=${iso(E + 2 * H)}`;
  const anomalies = (await get<EventPage>(`${url}&limit=1000`)).events;
  assert.ok(anomalies.length >= 4, `${anomalies.length} anomalies`);
  for (const a of anomalies) {
    assert.equal(a.type, 'anomaly');
    assert.ok(DIPPED.includes(Date.parse(a.start)), a.start);
    assert.ok(typeof a.value === 'number' && a.value < -6, `score ${a.value}`);
  }
  assert.deepEqual(
    (await allPages(url, 2)).map((e) => e.id),
    anomalies.map((e) => e.id),
  );
  // The fixed type wins over a type filter in the query.
  const typed = (await get<EventPage>(`${url}&type=voltage_dip&limit=1000`)).events;
  assert.deepEqual(
    typed.map((e) => e.id),
    anomalies.map((e) => e.id),
  );
});

test('a malformed cursor or page size is a 400 naming it', async () => {
  for (const url of [`${EVENTS_URL}&cursor=!!!`, `/v1/anomalies?cursor=${'x'.repeat(20)}`]) {
    const err = await errorOf(url, 400);
    assert.equal(err.code, 'SG_ERR_QUERY_INVALID');
    assert.match(err.message, /cursor is malformed/);
  }
  const meter = app.topology.meters[0]!.id;
  assert.match(
    (await errorOf(`/v1/meters/${meter}/readings?cursor=abc`, 400)).message,
    /cursor is malformed/,
  );
  for (const limit of [0, app.config.queryMaxLimit + 1]) {
    const e = await errorOf(`${EVENTS_URL}&limit=${limit}`, 400);
    assert.equal(e.code, 'SG_ERR_QUERY_INVALID');
    assert.match(e.message, /limit/);
  }
});

// Three days of hourly readings for the meters of one transformer, ending at the last complete
// hour; each meter repeats the same daily shape, so the feeder's load is exactly periodic.
const LAST = Date.now() - (Date.now() % H) - H;
const HOURS = 72;
const hourly = (j: number, ts: number) =>
  0.2 + 0.3 * (1 + Math.sin((2 * Math.PI * (ts / H)) / 24)) + j / 1000;

test('forecast: horizon points on the grid after the history, with a numeric backtest MAPE', async () => {
  const tx = app.topology.transformers[0]!;
  const meters = metersOf(tx.id);
  const feeder = tx.feeder_id;
  const items = meters.flatMap((m, j) =>
    Array.from({ length: HOURS }, (_, k) => {
      const ts = LAST - (HOURS - 1 - k) * H;
      return { ...meterItem(m.id, ts, hourly(j, ts)), interval_s: 3600 };
    }),
  );
  assert.equal((await post(items)).statusCode, 202);
  const loadUrl = `/v1/feeders/${feeder}/load?resolution=1h&from=${iso(LAST - (HOURS - 1) * H)}&to=${iso(LAST + H)}`;
  await eventually(async () => {
    const b = (await get<{ buckets: { readings: number }[] }>(loadUrl)).buckets;
    return b.length === HOURS && b.every((x) => x.readings === meters.length) ? true : undefined;
  }, 20_000);
  const feederAt = (ts: number) => meters.reduce((sum, _m, j) => sum + hourly(j, ts), 0);

  type Forecast = {
    history_points: number;
    backtest: { mape_percent: number | null; folds: number; points: number };
    forecast: { start: string; energy_kwh: number }[];
  };
  for (const method of ['seasonal-naive', 'similar-day']) {
    const f = await get<Forecast>(
      `/v1/forecast?feeder_id=${feeder}&resolution=1h&horizon=24&method=${method}`,
    );
    assert.equal(f.history_points, HOURS);
    assert.deepEqual(
      f.forecast.map((p) => p.start),
      Array.from({ length: 24 }, (_, i) => iso(LAST + (i + 1) * H)),
    );
    for (const p of f.forecast) {
      assert.equal(p.energy_kwh, atApi(feederAt(Date.parse(p.start) - 24 * H)), `${method} ${p.start}`);
    }
    assert.equal(typeof f.backtest.mape_percent, 'number');
    assert.ok(Number.isFinite(f.backtest.mape_percent) && f.backtest.mape_percent! < 1e-6, method);
    assert.deepEqual([f.backtest.folds, f.backtest.points], [2, 48]);
  }
  // Default 15-minute grid and horizon (96 points), and the transformer level.
  const quarter = await get<Forecast>(`/v1/forecast?feeder_id=${feeder}`);
  assert.equal(quarter.forecast.length, 96);
  assert.equal(quarter.forecast[95]!.start, iso(LAST + 96 * 900_000));
  assert.equal(
    (await get<Forecast>(`/v1/forecast?transformer_id=${tx.id}&resolution=1h`)).history_points,
    HOURS,
  );
});

test('forecast: exactly one of feeder_id or transformer_id, of a known element', async () => {
  const feeder = app.topology.feeders[0]!.id;
  const tx = app.topology.transformers[0]!.id;
  for (const q of ['', `feeder_id=${feeder}&transformer_id=${tx}`]) {
    const e = await errorOf(`/v1/forecast?${q}`, 400);
    assert.equal(e.code, 'SG_ERR_QUERY_INVALID');
    assert.match(e.message, /exactly one of feeder_id or transformer_id/);
  }
  assert.equal((await errorOf('/v1/forecast?feeder_id=FDR-NOPE', 404)).code, 'SG_ERR_NOT_FOUND');
  assert.match((await errorOf(`/v1/forecast?feeder_id=${feeder}&horizon=0`, 400)).message, /horizon/);
});

test('meter readings page through next_cursor', async () => {
  const meter = metersOf(app.topology.transformers[0]!.id)[0]!.id;
  const url = `/v1/meters/${meter}/readings?from=${iso(LAST - (HOURS - 1) * H)}&to=${iso(LAST + H)}&limit=10`;
  const starts: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { readings: { interval_start: string }[]; next_cursor: string | null } = await get(
      cursor === null ? url : `${url}&cursor=${cursor}`,
    );
    starts.push(...page.readings.map((r) => r.interval_start));
    cursor = page.next_cursor;
  } while (cursor !== null);
  assert.deepEqual(
    starts,
    Array.from({ length: HOURS }, (_, k) => iso(LAST - (HOURS - 1 - k) * H)),
  );
});

test('transformers: listing by feeder', async () => {
  const feeder = app.topology.feeders[0]!.id;
  type List = { transformers: { id: string; feeder_id: string; kva: number; meters: number }[] };
  const listed = (await get<List>(`/v1/transformers?feeder_id=${feeder}`)).transformers;
  const expected = app.topology.transformers.filter((t) => t.feeder_id === feeder);
  assert.deepEqual(
    listed,
    expected.map((t) => ({
      id: t.id,
      feeder_id: feeder,
      kva: t.kva,
      meters: app.topology.meters.filter((m) => m.transformer_id === t.id).length,
    })),
  );
  assert.deepEqual((await get<List>('/v1/transformers?feeder_id=FDR-NOPE')).transformers, []);
  assert.equal((await get<List>('/v1/transformers')).transformers.length, app.topology.transformers.length);
});

test('transformers: a misspelt query parameter is rejected, not ignored', async () => {
  const e = await errorOf('/v1/transformers?feeder=FDR-NOPE', 400);
  assert.equal(e.code, 'SG_ERR_QUERY_INVALID');
  assert.match(e.message, /feeder/);
});

test('transformer load: loading_ratio is the average kVA over the nameplate rating', async () => {
  const tx = app.topology.transformers[1]!;
  const meters = metersOf(tx.id);
  const T = Date.UTC(2026, 9, 1, 10, 0); // far outside the forecast's history window
  const value = (j: number, k: number) => 0.3 + 0.05 * k + j / 100;
  const items = meters.flatMap((m, j) =>
    [0, 1, 2, 3].map((k) => meterItem(m.id, T + k * 900_000, value(j, k))),
  );
  assert.equal((await post(items)).statusCode, 202);
  type Load = {
    kva: number;
    buckets: { start: string; energy_kwh: number; avg_kw: number; loading_ratio: number; readings: number }[];
  };
  const url = (res: string) =>
    `/v1/transformers/${tx.id}/load?resolution=${res}&from=${iso(T)}&to=${iso(T + H)}`;
  const hour = await eventually(async () => {
    const b = await get<Load>(url('1h'));
    return b.buckets[0]?.readings === items.length ? b : undefined;
  });
  const energy = meters.reduce((s, _m, j) => s + [0, 1, 2, 3].reduce((t, k) => t + value(j, k), 0), 0);
  assert.equal(hour.kva, tx.kva);
  assert.equal(hour.buckets.length, 1);
  const b = hour.buckets[0]!;
  assert.equal(b.energy_kwh, atApi(energy));
  assert.equal(b.avg_kw, atApi(energy), 'one hour: kW equals kWh');
  // Average kVA drawn = |kW| / power factor 0.95, over the nameplate kVA.
  assert.equal(b.loading_ratio, atApi(energy / 0.95 / tx.kva));
  const quarters = (await get<Load>(url('15m'))).buckets;
  assert.equal(quarters.length, 4);
  quarters.forEach((q, k) => {
    const e = meters.reduce((s, _m, j) => s + value(j, k), 0);
    assert.equal(q.avg_kw, atApi(e * 4));
    assert.equal(q.loading_ratio, atApi((e * 4) / 0.95 / tx.kva));
  });
  assert.equal((await errorOf(`/v1/transformers/TX-NOPE/load`, 404)).code, 'SG_ERR_NOT_FOUND');
});
