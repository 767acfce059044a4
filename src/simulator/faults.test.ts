import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology } from '../domain/topology.ts';
import { FAULT_KINDS, parseFaultList, type FaultKind } from './faults.ts';
import { FleetSimulator } from './fleet-simulator.ts';
import { backfill, byKey, T0, type Collected } from './test-support.ts';

const clean = await backfill({});
const cleanByKey = byKey(clean.meters);
const runs = new Map<FaultKind, Collected>();
async function only(kind: FaultKind, rate?: number): Promise<Collected> {
  const run =
    runs.get(kind) ?? (await backfill({ faults: [kind], faultRates: rate ? { [kind]: rate } : {} }));
  runs.set(kind, run);
  const records = run.journal.filter((r) => r.kind === kind);
  assert.ok(records.length > 0, `no ${kind} injected`);
  assert.equal(records.length, run.journal.length, 'only the enabled kind is injected');
  return run;
}
const cleanValue = (meterId: string, start: string): number =>
  cleanByKey.get(`${meterId}|${start}`)![0]!.value;
const ms = (iso: string): number => Date.parse(iso);

test('parseFaultList: lists, all, none, unknown', () => {
  assert.deepEqual(parseFaultList('gaps, outage,gaps'), ['gaps', 'outage']);
  assert.deepEqual(parseFaultList('all'), [...FAULT_KINDS]);
  assert.deepEqual(parseFaultList('none'), []);
  assert.throws(() => parseFaultList('gaps,lightning'), /unknown fault "lightning"/);
});

test('no faults: every meter reports every interval, on the grid, positive', () => {
  assert.equal(clean.journal.length, 0);
  assert.equal(clean.meters.length, 200 * 96);
  assert.equal(cleanByKey.size, 200 * 96);
  assert.ok(clean.meters.every((m) => m.value > 0 && ms(m.interval_start) % 900_000 === 0 && !m.quality));
  const last = Date.UTC(2026, 0, 14, 11, 45);
  assert.equal(Math.max(...clean.meters.map((m) => ms(m.interval_start))), last);
});

test('readings without a fault are identical whether faults are on or off', async () => {
  const run = await backfill({ faults: [...FAULT_KINDS] });
  // Sags only touch a voltage sensor; outage and overload touch all meters of a transformer.
  const meterWide = new Set<string>(['outage', 'overload']);
  const touched = new Set(
    run.journal.flatMap((r) => [r.meterId, meterWide.has(r.kind) ? r.transformerId : undefined]),
  );
  const topo = buildTopology(run.topology);
  const untouched = run.meters.filter(
    (m) => !touched.has(m.meter_id) && !touched.has(topo.meterById.get(m.meter_id)!.transformer_id),
  );
  assert.ok(untouched.length > 5000, `${untouched.length} untouched readings`);
  for (const m of untouched) assert.deepEqual(m, cleanByKey.get(`${m.meter_id}|${m.interval_start}`)![0]);
});

test('gaps: the journaled intervals are missing', async () => {
  const run = await only('gaps');
  const keys = byKey(run.meters);
  for (const r of run.journal) assert.equal(keys.has(`${r.meterId}|${r.start}`), false);
  assert.equal(run.meters.length, 200 * 96 - run.journal.length);
});

test('spikes and negative values', async () => {
  const spikes = await only('spikes', 0.005);
  for (const r of spikes.journal) {
    const item = spikes.meters.find((m) => m.event_id === r.eventId)!;
    assert.ok(item.value >= 7.9 * cleanValue(r.meterId!, r.start), r.detail);
  }
  const negative = await only('negative', 0.005);
  for (const r of negative.journal)
    assert.ok(negative.meters.find((m) => m.event_id === r.eventId)!.value < 0);
});

test('duplicates: repeated (meter_id, interval_start), some with another value', async () => {
  const run = await only('duplicates', 0.01);
  const keys = byKey(run.meters);
  let changed = 0;
  for (const r of run.journal) {
    const same = keys.get(`${r.meterId}|${r.start}`)!;
    assert.equal(same.length, 2);
    if (same[0]!.value !== same[1]!.value) {
      changed++;
      assert.notEqual(same[0]!.event_id, same[1]!.event_id);
    } else {
      assert.deepEqual(same[0], same[1]); // a resend: same event_id, same bytes
    }
  }
  assert.ok(changed > 0 && changed < run.journal.length);
});

test('clock-skew: interval_start off the grid or ahead of now', async () => {
  const run = await only('clock-skew', 0.005);
  const kinds = new Set<string>();
  for (const r of run.journal) {
    const item = run.meters.find((m) => m.event_id === r.eventId)!;
    const start = ms(item.interval_start);
    if (start > T0) kinds.add('ahead');
    else if (start % 900_000 !== 0) kinds.add('off-grid');
    else assert.fail(`not skewed: ${item.interval_start}`);
  }
  assert.deepEqual([...kinds].sort(), ['ahead', 'off-grid']);
});

test('outage: last_gasp from every meter of the transformer, then silence, then back', async () => {
  const run = await only('outage', 6);
  const topo = buildTopology(run.topology);
  for (const r of run.journal) {
    const meters = topo.metersByTransformer.get(r.transformerId!)!.map((m) => m.id);
    const gaspStart = Math.floor(ms(r.start) / 900_000) * 900_000;
    const mine = run.meters.filter((m) => meters.includes(m.meter_id));
    const inGasp = mine.filter((m) => ms(m.interval_start) === gaspStart);
    assert.ok(inGasp.every((m) => m.quality?.[0] === 'last_gasp'));
    assert.deepEqual(inGasp.map((m) => m.meter_id).sort(), [...meters].sort());
    const silent = mine.filter((m) => ms(m.interval_start) > gaspStart && ms(m.interval_start) < ms(r.end));
    assert.deepEqual(silent, []);
    const sensors = run.sensors.filter(
      (s) =>
        topo.sensorById.get(s.sensor_id)!.transformer_id === r.transformerId && s.sensor_type !== 'frequency',
    );
    assert.deepEqual(
      sensors.filter((s) => ms(s.ts) >= ms(r.start) && ms(s.ts) < ms(r.end)),
      [],
    );
    if (ms(r.end) < T0 - 900_000) {
      assert.equal(mine.filter((m) => m.interval_start === r.end).length, meters.length, 'meters come back');
    }
  }
});

test('theft: the meter reports ~10 % of what it consumes', async () => {
  const run = await only('theft', 4);
  for (const r of run.journal) {
    const after = run.meters.filter((m) => m.meter_id === r.meterId && ms(m.interval_start) >= ms(r.start));
    assert.ok(after.length > 0);
    for (const m of after) {
      const ratio = m.value / cleanValue(m.meter_id, m.interval_start);
      assert.ok(ratio > 0.06 && ratio < 0.14, `ratio ${ratio}`);
    }
  }
});

test('voltage-sag: a 3-sample dip below 90 % and a 10-minute stretch at ~85 %', async () => {
  const run = await only('voltage-sag', 6);
  for (const r of run.journal) {
    const samples = run.sensors.filter(
      (s) => s.sensor_id === r.sensorId && ms(s.ts) >= ms(r.start) && ms(s.ts) < ms(r.end),
    );
    if (r.detail.startsWith('dip')) {
      assert.equal(samples.length, 3);
      assert.ok(samples.every((s) => s.value < 0.9 * 230 && s.value > 0.86 * 230));
    } else {
      assert.equal(samples.length, 11);
      assert.equal(ms(samples.at(-1)!.ts) - ms(samples[0]!.ts), 10 * 60_000);
      assert.ok(samples.every((s) => Math.abs(s.value / 230 - 0.85) < 0.005));
    }
  }
  const normal = run.sensors.filter(
    (s) => s.sensor_type === 'voltage' && !run.journal.some((r) => r.sensorId === s.sensor_id),
  );
  assert.ok(normal.every((s) => s.value > 0.95 * 230 && s.value < 1.05 * 230));
});

test('frozen: the same value 4+ intervals in a row', async () => {
  const run = await only('frozen', 6);
  for (const r of run.journal) {
    const values = run.meters
      .filter(
        (m) =>
          m.meter_id === r.meterId && ms(m.interval_start) >= ms(r.start) && ms(m.interval_start) < ms(r.end),
      )
      .map((m) => m.value);
    const expected = Math.min((ms(r.end) - ms(r.start)) / 900_000, ((T0 - ms(r.start)) / 900_000) | 0);
    assert.equal(values.length, expected);
    assert.ok(new Set(values).size === 1 && values[0]! > 0);
    if (ms(r.end) < T0) assert.ok(values.length >= 4);
  }
});

test("overload: the transformer's meters draw 1.5x+ and its loading passes 100 %", async () => {
  const run = await only('overload', 4);
  const topo = buildTopology(run.topology);
  for (const r of run.journal) {
    const tx = topo.transformerById.get(r.transformerId!)!;
    const meters = new Set(topo.metersByTransformer.get(tx.id)!.map((m) => m.id));
    const during = run.meters.filter(
      (m) =>
        meters.has(m.meter_id) && ms(m.interval_start) >= ms(r.start) && ms(m.interval_start) < ms(r.end),
    );
    for (const m of during) assert.ok(m.value / cleanValue(m.meter_id, m.interval_start) > 1.49);
    const power = run.sensors.filter(
      (s) => s.sensor_id === `SNS-${tx.id.slice(3)}-P` && ms(s.ts) >= ms(r.start) && ms(s.ts) < ms(r.end),
    );
    assert.ok(Math.max(...power.map((s) => s.value / 0.95 / tx.kva)) > 1, r.detail);
  }
});

test('the in-memory journal is bounded; onFault still sees every record', async () => {
  let seen = 0;
  const sim = new FleetSimulator(clean.topology, {
    seed: 42,
    faults: ['gaps'],
    faultRates: { gaps: 0.5 },
    journalLimit: 10,
    onFault: () => seen++,
  });
  const idx = Math.floor(T0 / 900_000);
  sim.meterItems(idx, T0);
  assert.ok(seen > 50);
  assert.ok(sim.journal.length <= 10);
});
