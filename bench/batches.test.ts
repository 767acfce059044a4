import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_WARMUP,
  FLEET_SEED,
  makeRows,
  toBodies,
  untilDrained,
  valueMode,
  warmupCount,
  type Row,
} from './batches.ts';
import { generateFleet } from '../src/simulator/index.ts';
import { transformerLoading, loadingLevel } from '../src/domain/transformer-loading.ts';

const t0 = Date.UTC(2026, 0, 1);
const topology = generateFleet({ meters: 500, seed: FLEET_SEED });

/** Transformer quarter-hours at each loading level, as the processor would judge them. */
function levels(rows: Row[][]): Record<string, number> {
  const txOf = new Map(topology.meters.map((m) => [m.id, m.transformer_id]));
  const kva = new Map(topology.transformers.map((t) => [t.id, t.kva]));
  const out: Record<string, number> = { normal: 0, high: 0, overload: 0 };
  for (const interval of rows) {
    const energy = new Map<string, number>();
    for (const r of interval)
      energy.set(txOf.get(r.meter_id)!, (energy.get(txOf.get(r.meter_id)!) ?? 0) + r.value);
    for (const [tx, kwh] of energy)
      out[loadingLevel(transformerLoading(kwh, 900, kva.get(tx)!).loadingRatio)]!++;
  }
  return out;
}

test('bench rows: interval-major, every meter once an interval, the same for the same arguments', () => {
  const rows = makeRows(topology, 3, t0, 'fleet');
  assert.equal(rows.length, 3);
  for (const [i, interval] of rows.entries()) {
    assert.deepEqual(
      interval.map((r) => r.meter_id),
      topology.meters.map((m) => m.id),
    );
    assert.ok(interval.every((r) => r.interval_start === new Date(t0 + i * 900_000).toISOString()));
  }
  assert.deepEqual(makeRows(topology, 3, t0, 'fleet'), rows);
});

test('fleet values keep transformers within their rating; storm values overload most quarter-hours', () => {
  const fleet = makeRows(topology, 96, t0, 'fleet');
  const values = fleet.flat().map((r) => r.value);
  assert.ok(
    values.every((v) => v >= 0 && Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6),
    'kWh at Wh resolution',
  );
  assert.ok(new Set(values).size > 1000, 'values vary by meter and time');
  const calm = levels(fleet);
  assert.equal(calm.overload, 0);
  const storm = levels(makeRows(topology, 96, t0, 'storm'));
  assert.ok(storm.overload! > 0.8 * (calm.normal! + calm.high!), JSON.stringify(storm));
});

test('valueMode: fleet by default, storm on demand, anything else named in the error', () => {
  assert.equal(valueMode(undefined), 'fleet');
  assert.equal(valueMode('storm'), 'storm');
  assert.throws(() => valueMode('random'), /--values must be fleet or storm, got "random"/);
});

test('warmupCount: 200,000 by default, 0 for none, anything else named in the error', () => {
  assert.equal(warmupCount(undefined), DEFAULT_WARMUP);
  assert.equal(DEFAULT_WARMUP, 200_000);
  assert.equal(warmupCount('0'), 0);
  assert.equal(warmupCount('50000'), 50_000);
  for (const bad of ['-1', '1.5', 'many'])
    assert.throws(
      () => warmupCount(bad),
      new RegExp(`--warmup must be a count of readings \\(0 for none\\), got "${bad}"`),
    );
});

test('toBodies: JSON arrays of batchSize rows, the last one shorter; untilDrained waits for a zero lag', async () => {
  const rows = makeRows(topology, 1, t0, 'fleet')[0]!.slice(0, 7);
  const bodies = toBodies(rows, 3);
  assert.deepEqual(
    bodies.map((b) => (JSON.parse(b) as Row[]).length),
    [3, 3, 1],
  );
  assert.deepEqual(
    bodies.flatMap((b) => JSON.parse(b) as Row[]),
    rows,
  );
  const lags = [5, 2, 0, 9];
  let looks = 0;
  await untilDrained(async () => lags[looks++]!, 1);
  assert.equal(looks, 3);
});
