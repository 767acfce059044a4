// The ingest API under broken and hostile input (the issue's acceptance): every bad request is
// a 4xx with a coded error that names what is wrong, nothing of it is stored (checked against
// the store counters and the ingest metrics after a sentinel batch drained), and the server
// survives all of it. Body size and batch size limits: ingest-size-limits.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { AUTH, meterItem, startTestApp, type TestApp } from './support/test-app.ts';
import { metricValue, readCounters, Sentinel } from './support/ingest-counters.ts';
import { expectError, postReadings, statuses } from './support/ingest-requests.ts';

let app: TestApp;
let sentinel: Sentinel;
let M = '';
let V = '';
const Q = Date.UTC(2026, 10, 26);
const DAY = 86_400_000;

before(async () => {
  app = await startTestApp();
  M = app.topology.meters[0]!.id;
  V = app.topology.sensors.find((s) => s.type === 'voltage')!.id;
  sentinel = new Sentinel(app, M, Date.UTC(2026, 10, 20));
});
after(async () => app.close());

const post = (payload: unknown, headers: Record<string, string> = {}) => postReadings(app, payload, headers);
const postJson = (text: string | Buffer, headers: Record<string, string> = {}) =>
  post(text, { 'content-type': 'application/json', ...headers });

/** Runs `body`, then proves with the sentinel that it stored nothing. */
async function storesNothing(body: () => Promise<void>): Promise<void> {
  const before = await readCounters(app);
  await body();
  await sentinel.expectOnly(before);
}

const item = (over: Record<string, unknown> = {}, drop: string[] = []) => {
  const o: Record<string, unknown> = { ...meterItem(M, Q), ...over };
  for (const k of drop) delete o[k];
  return o;
};
const sensorItem = (over: Record<string, unknown> = {}) => ({
  sensor_id: V,
  sensor_type: 'voltage',
  ts: new Date(Q).toISOString(),
  value: 231.5,
  unit: 'V',
  ...over,
});

// [case, the one item of the batch, the field its error must name, what the message must say]
const ITEM_CASES: [string, () => unknown, string, RegExp][] = [
  ['value as a string', () => item({ value: '1.5' }), '/0/value', /finite number/],
  ['interval_s not an integer', () => item({ interval_s: 900.5 }), '/0/interval_s', /integer/],
  ['interval_s out of range', () => item({ interval_s: 1e20 }), '/0/interval_s', /between 1 and 86400/],
  ['meter_id a number', () => item({ meter_id: 42 }), '/0/meter_id', /must be a string/],
  ['meter_id with a space', () => item({ meter_id: 'MTR 1' }), '/0/meter_id', /letters, digits/],
  ['meter_id of 65 characters', () => item({ meter_id: 'M'.repeat(65) }), '/0/meter_id', /1-64/],
  ['value "NaN" as a JSON string', () => item({ value: 'NaN' }), '/0/value', /finite number/],
  ['value "Infinity" as a JSON string', () => item({ value: 'Infinity' }), '/0/value', /finite number/],
  ['value "-Infinity" as a JSON string', () => item({ value: '-Infinity' }), '/0/value', /finite/],
  ['value null', () => item({ value: null }), '/0/value', /finite number/],
  ['value missing', () => item({}, ['value']), '/0/value', /is required/],
  [
    'interval_start before 1970',
    () => item({ interval_start: '1969-12-31T23:59:59Z' }),
    '/0/interval_start',
    /before 2000-01-01/,
  ],
  [
    'interval_start in month 13',
    () => item({ interval_start: '2026-13-01T00:00:00Z' }),
    '/0/interval_start',
    /not a real date/,
  ],
  [
    'interval_start 3 days in the future',
    () => item({ interval_start: new Date(Date.now() + 3 * DAY).toISOString() }),
    '/0/interval_start',
    /24 h in the future/,
  ],
  [
    'interval_start without a zone',
    () => item({ interval_start: '2026-11-26T00:00:00' }),
    '/0/interval_start',
    /with a zone/,
  ],
  ['interval_start as epoch ms', () => item({ interval_start: Q }), '/0/interval_start', /ISO-8601/],
  ['unit Wh on OBIS 1-0:1.8.0', () => item({ unit: 'Wh' }), '/0/unit', /must be "kWh"/],
  ['OBIS without its A-B: part', () => item({ obis: '1.8.0' }), '/0/obis', /OBIS code/],
  ['an unknown field', () => item({ colour: 'red' }), '/0/colour', /not a known field/],
  [
    'a "constructor" key',
    () => item({ constructor: { prototype: { polluted: true } } }),
    '/0/constructor',
    /not a known field/,
  ],
  ['a "prototype" key', () => item({ prototype: { polluted: true } }), '/0/prototype', /not a known field/],
  ['an unknown quality flag', () => item({ quality: ['estimated'] }), '/0/quality', /last_gasp/],
  ['both meter_id and sensor_id', () => item({ sensor_id: V }), '/0/sensor_id', /exactly one of/],
  ['neither meter_id nor sensor_id', () => item({}, ['meter_id']), '/0/meter_id', /exactly one of/],
  ['sensor of an unknown type', () => sensorItem({ sensor_type: 'humidity' }), '/0/sensor_type', /one of/],
  ['sensor at latitude 91', () => sensorItem({ lat: 91, lon: 8 }), '/0/lat', /between -90 and 90/],
  ['sensor unit mismatch', () => sensorItem({ unit: 'kV' }), '/0/unit', /must be "V"/],
  ['sensor ts without a zone', () => sensorItem({ ts: '2026-11-26T00:00' }), '/0/ts', /with a zone/],
];

for (const [name, make, field, message] of ITEM_CASES) {
  test(`422 names ${field}: ${name}`, async () => {
    await storesNothing(async () => {
      const err = expectError(await post([make()]), 422, 'SG_ERR_VALIDATION');
      assert.match(err.message, /^1 item\(s\) failed validation; nothing was stored$/);
      const hit = err.details!.find((d) => d.field === field);
      assert.ok(hit, `a detail names ${field}: ${JSON.stringify(err.details)}`);
      assert.match(hit.message, message);
      assert.ok(err.details!.every((d) => d.field!.startsWith('/0/')));
    });
  });
}

test('422: a date that does not exist (30 February) is rejected, not moved to March', async () => {
  // Its own meter, and drained whatever the answer, so a wrong 202 cannot leak into other cases.
  const before = await readCounters(app);
  const meter = app.topology.meters[3]!.id;
  const res = await post([
    meterItem(meter, Q),
    { ...meterItem(meter, Q), interval_start: '2026-02-30T00:00:00Z' },
  ]);
  const n = res.statusCode === 202 ? 2 : 0;
  await sentinel.expectOnly(before, { meterReadings: n, ingestMeter: n, busPublished: n });
  const err = expectError(res, 422, 'SG_ERR_VALIDATION');
  assert.deepEqual(err.details, [{ field: '/1/interval_start', message: 'is not a real date' }]);
});

test('400: NaN and Infinity as raw tokens are malformed JSON; 1e999 overflows to a non-finite value', async () => {
  await storesNothing(async () => {
    const valid = JSON.stringify(item());
    for (const token of ['NaN', 'Infinity', '-Infinity']) {
      const text = `[${valid.replace('"value":0.25', `"value":${token}`)}]`;
      assert.notEqual(text, `[${valid}]`);
      expectError(await postJson(text), 400, 'SG_ERR_BODY_INVALID', /malformed JSON/);
    }
    const huge = `[${valid.replace('"value":0.25', '"value":1e999')}]`;
    const err = expectError(await postJson(huge), 422, 'SG_ERR_VALIDATION');
    assert.equal(err.details![0]!.field, '/0/value');
  });
});

test('400: bodies that are not a batch', async () => {
  await storesNothing(async () => {
    const cases: [string, RegExp][] = [
      [`[{"meter_id": "${M}",`, /malformed JSON/],
      ['', /malformed JSON/],
      [JSON.stringify(item()), /must be a JSON array/],
      ['{"__proto__": []}', /must be a JSON array/],
      ['null', /must be a JSON array/],
      ['"[]"', /must be a JSON array/],
      ['[]', /the batch is empty/],
    ];
    for (const [text, message] of cases)
      expectError(await postJson(text), 400, 'SG_ERR_BODY_INVALID', message);
  });
});

test('422: items that are not objects are named by index', async () => {
  await storesNothing(async () => {
    const err = expectError(await post([item(), 1, null, 'x', [item()]]), 422, 'SG_ERR_VALIDATION');
    assert.match(err.message, /^4 item\(s\) failed/);
    assert.deepEqual(
      err.details!.map((d) => [d.field, d.message]),
      ['/1', '/2', '/3', '/4'].map((f) => [f, 'must be an object']),
    );
  });
});

test('422: __proto__, constructor and prototype keys are rejected and pollute nothing', async () => {
  const valid = JSON.stringify(item()).slice(1); // the item's fields, without the opening brace
  await storesNothing(async () => {
    const bodies: [string, string][] = [
      [`[{"__proto__": {"polluted": true}, ${valid}]`, '/0/__proto__'],
      [`[{"constructor": {"prototype": {"polluted": true}}, ${valid}]`, '/0/constructor'],
      [`[{"prototype": {"polluted": true}, ${valid}]`, '/0/prototype'],
      [`[{${valid}, {"__proto__": {"meter_id": "${M}"}, "sensor_id": "${V}"}]`, '/1/__proto__'],
    ];
    for (const [text, field] of bodies) {
      const err = expectError(await postJson(text), 422, 'SG_ERR_VALIDATION');
      assert.ok(
        err.details!.some((d) => d.field === field && /not a known field/.test(d.message)),
        `${field} in ${JSON.stringify(err.details)}`,
      );
    }
    const ndjson = `${JSON.stringify(item())}\n{"__proto__": {"polluted": true}, ${valid}\n`;
    const err = expectError(
      await post(ndjson, { 'content-type': 'application/x-ndjson' }),
      422,
      'SG_ERR_VALIDATION',
    );
    assert.equal(err.details![0]!.field, '/1/__proto__');
  });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
});

test('422: one invalid item among 999 valid ones stores none of the 999', async () => {
  await storesNothing(async () => {
    // Same meter as the sentinel, so had any been published they would be processed before it.
    const items = Array.from({ length: 1000 }, (_, i) => meterItem(M, Date.UTC(2026, 10, 10) + i * 900_000));
    items[500]!.value = 'NaN';
    const err = expectError(await post(items), 422, 'SG_ERR_VALIDATION', /^1 item\(s\) failed/);
    assert.deepEqual(err.details, [{ field: '/500/value', message: 'must be a finite number' }]);
  });
});

test('422: a batch of 1000 invalid items reports them all but caps the details at 100', async () => {
  await storesNothing(async () => {
    const items = Array.from({ length: 1000 }, () => item({ unit: 'Wh' }));
    const err = expectError(await post(items), 422, 'SG_ERR_VALIDATION', /^1000 item\(s\) failed/);
    assert.equal(err.details!.length, 100);
    assert.deepEqual(err.details![99], { field: '/99/unit', message: 'must be "kWh" for this channel' });
  });
});

test('400: NDJSON with a broken line names the line', async () => {
  await storesNothing(async () => {
    const text = [item(), item({ interval_start: new Date(Q + 900_000).toISOString() })]
      .map((o) => JSON.stringify(o))
      .concat(['{"meter_id": "broken'])
      .join('\n');
    expectError(
      await post(text, { 'content-type': 'application/x-ndjson' }),
      400,
      'SG_ERR_BODY_INVALID',
      /malformed NDJSON at line 3/,
    );
  });
});

test('415 and 400: unsupported media type and content encoding', async () => {
  await storesNothing(async () => {
    const text = JSON.stringify([item()]);
    expectError(
      await post('<readings/>', { 'content-type': 'application/xml' }),
      415,
      'SG_ERR_UNSUPPORTED_MEDIA_TYPE',
      /application\/xml/,
    );
    expectError(await post(text, { 'content-type': '' }), 415, 'SG_ERR_UNSUPPORTED_MEDIA_TYPE');
    expectError(
      await postJson(text, { 'content-encoding': 'br' }),
      400,
      'SG_ERR_BODY_INVALID',
      /content-encoding "br"/,
    );
    expectError(
      await postJson(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }),
      400,
      'SG_ERR_BODY_INVALID',
    );
  });
});

test('415: text/plain is not a readings format', async () => {
  await storesNothing(async () => {
    const res = await post(JSON.stringify([item()]), { 'content-type': 'text/plain' });
    expectError(res, 415, 'SG_ERR_UNSUPPORTED_MEDIA_TYPE', /text\/plain/);
  });
});

test('202: valid NDJSON and valid gzip JSON are stored, exactly', async () => {
  const before = await readCounters(app);
  const [a, b] = [app.topology.meters[1]!.id, app.topology.meters[2]!.id];
  const nd = [0, 1].map((i) => JSON.stringify(meterItem(a, Q + i * 900_000, 0.2 + i / 10))).join('\n');
  const ndRes = await post(`${nd}\n`, { 'content-type': 'application/x-ndjson' });
  assert.equal(ndRes.statusCode, 202, ndRes.body);
  assert.deepEqual(ndRes.json(), { accepted: 2, meters: 2, sensors: 0 });
  const gz = gzipSync(JSON.stringify([0, 1].map((i) => meterItem(b, Q + i * 900_000, 0.3 + i / 10))));
  const gzRes = await postJson(gz, { 'content-encoding': 'gzip' });
  assert.equal(gzRes.statusCode, 202, gzRes.body);
  assert.equal(gzRes.json().accepted, 2);
  await sentinel.expectOnly(before, { meterReadings: 4, ingestMeter: 4, busPublished: 4 });
});

test('202: readings of meters missing from the topology are kept apart and counted', async () => {
  const before = await readCounters(app);
  const ids = ['MTR-NOT-IN-GRID', 'constructor', 'prototype', 'hasOwnProperty'];
  const res = await post(ids.map((id) => meterItem(id, Q)));
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().accepted, ids.length);
  await sentinel.expectOnly(before, { unknownReadings: 4, ingestMeter: 4, busPublished: 4 });
});

test('the server survives all of it: /livez answers, no 5xx, no error logged', async () => {
  const live = await app.http.inject({ url: '/livez' });
  assert.equal(live.statusCode, 200);
  assert.ok(statuses.length > 40, `${statuses.length} requests made`);
  assert.deepEqual(
    statuses.filter((s) => s >= 500),
    [],
  );
  const metrics = (await app.http.inject({ url: '/metrics', headers: AUTH })).body;
  assert.doesNotMatch(metrics, /smartgrid_http_requests_total\{[^}]*status="5\d\d"/);
  assert.ok(metricValue(metrics, 'smartgrid_ingest_rejected_items_total', 'reason="validation"') > 1000);
  const errors = app.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
  assert.deepEqual(errors, []);
});
