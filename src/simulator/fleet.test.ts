import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology } from '../domain/topology.ts';
import { generateFleet, KVA_RATINGS, POWER_FACTOR } from './fleet.ts';
import { FleetSimulator } from './fleet-simulator.ts';

test('same seed, same fleet; another seed, another fleet', () => {
  const a = JSON.stringify(generateFleet({ meters: 300, seed: 42 }));
  assert.equal(a, JSON.stringify(generateFleet({ meters: 300, seed: 42 })));
  assert.notEqual(a, JSON.stringify(generateFleet({ meters: 300, seed: 43 })));
});

test('the fleet is a valid topology with the documented ids and sensors', () => {
  const fleet = generateFleet({ meters: 1000, seed: 42 });
  const topo = buildTopology(fleet); // throws on any dangling reference or duplicate id
  assert.equal(fleet.meters.length, 1000);
  assert.equal(fleet.transformers.length, 50);
  assert.equal(fleet.feeders.length, 5);
  assert.equal(fleet.substations.length, 2);
  assert.equal(fleet.meters[0]!.id, 'MTR-0000001');
  assert.equal(fleet.meters[0]!.customer_id, 'CUST-0000001');
  assert.equal(fleet.transformers[0]!.id, 'TX-000001');
  assert.equal(fleet.feeders[4]!.id, 'FDR-002-01');
  assert.equal(fleet.substations[1]!.id, 'SUB-002');
  for (const t of fleet.transformers) {
    const types = fleet.sensors
      .filter((s) => s.transformer_id === t.id && s.type !== 'frequency')
      .map((s) => s.type);
    assert.deepEqual(types.sort(), ['active_power', 'current', 'temperature', 'voltage']);
    assert.ok(KVA_RATINGS.includes(t.kva));
    assert.ok(t.lat! > 47 && t.lat! < 55 && t.lon! > 5 && t.lon! < 16);
  }
  const freq = fleet.sensors.filter((s) => s.type === 'frequency');
  assert.deepEqual(
    freq.map(
      (s) => topo.feederById.get(topo.transformerById.get(s.transformer_id)!.feeder_id)!.substation_id,
    ),
    ['SUB-001', 'SUB-002'],
  );
  assert.equal(fleet.sensors.find((s) => s.type === 'voltage')!.nominal, 230);
  const commercial = fleet.meters.filter((m) => m.class === 'commercial').length;
  assert.ok(commercial > 60 && commercial < 140, `${commercial} commercial of 1000`);
});

test('layout options and bad sizes', () => {
  const fleet = generateFleet({
    meters: 45,
    seed: 1,
    metersPerTransformer: 10,
    transformersPerFeeder: 2,
    feedersPerSubstation: 2,
  });
  assert.equal(fleet.transformers.length, 5);
  assert.equal(fleet.feeders.length, 3);
  assert.equal(fleet.substations.length, 2);
  assert.throws(() => generateFleet({ meters: 0, seed: 1 }), /meters must be a positive integer/);
  assert.throws(() => generateFleet({ meters: 10, seed: 1, commercialShare: 2 }), /commercialShare/);
});

test('kVA sizing: a winter week peaks between ~50 % and 80 % of every rating', () => {
  const fleet = generateFleet({ meters: 1000, seed: 42 });
  const sim = new FleetSimulator(fleet, { seed: 42 });
  const peaks = new Float64Array(fleet.transformers.length);
  const monday = Date.UTC(2026, 0, 12) / 900_000;
  for (let k = monday; k < monday + 7 * 96; k++) {
    const st = sim.prepare(k);
    fleet.transformers.forEach((t, i) => {
      peaks[i] = Math.max(peaks[i]!, st.txKw[i]! / POWER_FACTOR / t.kva);
    });
  }
  assert.ok(Math.max(...peaks) < 0.8, `max peak loading ${Math.max(...peaks)}`);
  assert.ok(Math.min(...peaks) > 0.45, `min peak loading ${Math.min(...peaks)}`);
});
