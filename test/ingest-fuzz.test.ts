// Property tests of the ingest wire format: the validator never throws and always answers in
// the all-or-nothing shape the route relies on, accepts every valid item with its fields
// intact, pins a wrong-typed field on exactly that field, and the HTTP route never 5xxs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateItems, type ValidationOutcome } from '../src/modules/ingest/reading-schema.ts';
import { Quality } from '../src/domain/readings.ts';
import type { ErrorDetail } from '../src/app/errors.ts';
import { AUTH, eventually, meterItem, startTestApp, type TestApp } from './support/test-app.ts';
import {
  idArb,
  validItemArb,
  validMeterItemArb,
  validSensorItemArb,
  wire,
  wrongValueArb,
  type ValidItem,
  type WireItem,
} from './support/reading-arbitraries.ts';

const NOW = Date.now();

/** The shape every outcome has, whatever went in. */
function assertOutcomeShape(items: readonly unknown[], out: ValidationOutcome): void {
  assert.equal(out.readings.length + out.invalidItems, items.length);
  assert.equal(out.errors.length === 0, out.invalidItems === 0);
  assertErrorFields(items, out.errors);
}

/** Every error names an item of the batch (`/<index>` or `/<index>/<field>`) and says why. */
function assertErrorFields(items: readonly unknown[], errors: readonly ErrorDetail[]): void {
  assert.ok(errors.length <= 100);
  for (const e of errors) {
    const m = /^\/(\d+)(\/.*)?$/.exec(e.field ?? '');
    assert.ok(m, `field ${e.field} names an item`);
    assert.ok(Number(m[1]) < items.length);
    assert.ok(typeof e.message === 'string' && e.message !== '');
  }
}

const jsonSerialisable = (v: unknown) => {
  try {
    return JSON.stringify(v) !== undefined;
  } catch {
    return false;
  }
};

test('(a) validateItems never throws on arbitrary JSON values and answers in shape', () => {
  const anything = fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true });
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          anything.filter(jsonSerialisable),
          anything.filter(jsonSerialisable).map(wire),
        ),
        { maxLength: 20 },
      ),
      (items) => assertOutcomeShape(items, validateItems(items, NOW)),
    ),
    { numRuns: 1000 },
  );
});

test('(a) ... nor on almost-valid items: valid ones with fields replaced, dropped or added', () => {
  const almost = fc
    .tuple(
      validItemArb(NOW),
      fc.dictionary(
        fc.constantFrom(
          'meter_id',
          'sensor_id',
          'value',
          'unit',
          'obis',
          'interval_s',
          'ts',
          'quality',
          '__proto__',
          'x',
        ),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
        { maxKeys: 3 },
      ),
    )
    .map(([v, patch]) => wire({ ...v.item, ...patch }));
  fc.assert(
    fc.property(fc.array(almost, { maxLength: 10 }), (items) =>
      assertOutcomeShape(items, validateItems(items, NOW)),
    ),
    { numRuns: 1000 },
  );
});

function assertRoundTrip(v: ValidItem, r: ValidationOutcome['readings'][number]): void {
  const o = v.item;
  assert.equal(r.receivedAt, NOW);
  assert.equal(r.value, o.value);
  assert.equal(r.unit, o.unit);
  assert.equal(r.eventId, o.event_id);
  if (r.kind === 'meter') {
    assert.equal(v.kind, 'meter');
    assert.equal(r.meterId, o.meter_id);
    assert.equal(r.obis, o.obis);
    assert.equal(r.intervalStart, v.time);
    assert.equal(r.intervalStart, Date.parse(o.interval_start as string));
    assert.equal(r.intervalSeconds, o.interval_s);
    assert.equal(r.customerId, o.customer_id);
    const gasp = Array.isArray(o.quality) && o.quality.length > 0;
    assert.equal(r.quality, gasp ? Quality.LAST_GASP : 0);
  } else {
    assert.equal(v.kind, 'sensor');
    assert.equal(r.sensorId, o.sensor_id);
    assert.equal(r.sensorType, o.sensor_type);
    assert.equal(r.ts, v.time);
    assert.equal(r.lat, o.lat);
    assert.equal(r.lon, o.lon);
  }
}

test('(b) every valid item is accepted and its fields come out unchanged', () => {
  fc.assert(
    fc.property(fc.array(validItemArb(NOW), { minLength: 1, maxLength: 10 }), (valid) => {
      const batch = valid.map((v) => ({ ...v, item: wire(v.item) }));
      const out = validateItems(
        batch.map((v) => v.item),
        NOW,
      );
      assert.deepEqual(out.errors, []);
      assert.equal(out.readings.length, batch.length);
      batch.forEach((v, i) => assertRoundTrip(v, out.readings[i]!));
    }),
    { numRuns: 1000 },
  );
});

test('(b) the edges of the time window: 2000-01-01 and now + 24 h are valid, one ms beyond is not', () => {
  const at = (ms: number) => validateItems([wire(meterItem('M1', ms))], NOW);
  assert.equal(at(Date.UTC(2000, 0, 1)).readings.length, 1);
  assert.equal(at(Date.UTC(2000, 0, 1) - 1).errors[0]?.field, '/0/interval_start');
  assert.equal(at(NOW + 86_400_000).readings.length, 1);
  assert.equal(at(NOW + 86_400_000 + 1).errors[0]?.field, '/0/interval_start');
});

test('(c) one wrong-typed field yields exactly one invalid item and one error naming it', () => {
  const mutated = fc.array(validItemArb(NOW), { minLength: 1, maxLength: 5 }).chain((valid) =>
    fc.nat(valid.length - 1).chain((index) => {
      const fields = Object.keys(valid[index]!.item);
      return fc
        .constantFrom(...fields)
        .chain((field) => wrongValueArb(field).map((bad) => ({ valid, index, field, bad })));
    }),
  );
  fc.assert(
    fc.property(mutated, ({ valid, index, field, bad }) => {
      const items: WireItem[] = valid.map((v) => wire(v.item));
      items[index] = wire({ ...items[index], [field]: bad });
      const out = validateItems(items, NOW);
      assert.equal(out.invalidItems, 1);
      assert.equal(out.readings.length, items.length - 1);
      assert.deepEqual(
        out.errors.map((e) => e.field),
        [`/${index}/${field}`],
      );
    }),
    { numRuns: 1000 },
  );
});

test('(c) accepted timestamps are real calendar dates', () => {
  const day = fc.record({
    year: fc.integer({ min: 2000, max: 2025 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  });
  fc.assert(
    fc.property(day, ({ year, month, day: d }) => {
      const text = `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00Z`;
      const out = validateItems([{ ...meterItem('M1', 0), interval_start: text }], NOW);
      if (out.readings.length === 0) return;
      const parsed = new Date(out.readings[0]!.kind === 'meter' ? out.readings[0]!.intervalStart : NaN);
      assert.equal(`${parsed.getUTCMonth() + 1}-${parsed.getUTCDate()}`, `${month}-${d}`, text);
    }),
    { numRuns: 300 },
  );
});

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

test('(d) random small batches through the HTTP route: never a 5xx; a 202 accepts them all', async () => {
  const meterIds = fc.oneof(fc.constantFrom(...app.topology.meters.map((m) => m.id)), idArb);
  const sensorIds = fc.oneof(fc.constantFrom(...app.topology.sensors.map((s) => s.id)), idArb);
  const anyItem = fc.oneof(
    { weight: 4, arbitrary: validMeterItemArb(Date.now(), meterIds).map((v) => v.item) },
    { weight: 2, arbitrary: validSensorItemArb(Date.now(), sensorIds).map((v) => v.item) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const batchArb = fc.record({
    items: fc.array(anyItem, { maxLength: 8 }),
    ndjson: fc.boolean(),
  });
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(batchArb, async ({ items, ndjson }) => {
      const res = await app.http.inject({
        method: 'POST',
        url: '/v1/readings',
        headers: { ...AUTH, 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
        payload: ndjson ? items.map((i) => JSON.stringify(i)).join('\n') : JSON.stringify(items),
      });
      seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
      assert.ok(res.statusCode < 500, res.body);
      if (res.statusCode === 202) {
        const b = res.json() as { accepted: number; meters: number; sensors: number };
        assert.equal(b.accepted, items.length);
        assert.equal(b.meters + b.sensors, items.length);
      } else if (items.length === 0) {
        assert.equal(res.statusCode, 400, res.body);
      } else {
        assert.equal(res.statusCode, 422, res.body);
        assertErrorFields(items, (res.json() as { error: { details: ErrorDetail[] } }).error.details);
      }
    }),
    { numRuns: 50 },
  );
  assert.ok((seen.get(202) ?? 0) > 0 && (seen.get(422) ?? 0) > 0, JSON.stringify([...seen]));
  // The processor took whatever was accepted and is still working: a later reading is stored.
  const m = app.topology.meters[0]!.id;
  const start = NOW - (NOW % 3_600_000) - 48 * 3_600_000;
  const res = await app.http.inject({
    method: 'POST',
    url: '/v1/readings',
    headers: AUTH,
    payload: [meterItem(m, start, 0.123)],
  });
  assert.equal(res.statusCode, 202, res.body);
  const range = `from=${new Date(start).toISOString()}&to=${new Date(start + 900_000).toISOString()}`;
  await eventually(async () => {
    const r = await app.http.inject({ url: `/v1/meters/${m}/readings?${range}`, headers: AUTH });
    const readings = (r.json() as { readings: { value: number }[] }).readings;
    return readings.some((x) => x.value === 0.123) ? true : undefined;
  });
  assert.equal((await app.http.inject({ url: '/readyz' })).statusCode, 200);
  const errors = app.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
  assert.deepEqual(errors, [], 'nothing logged at error level');
});
