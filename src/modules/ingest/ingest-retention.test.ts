// What a request keeps while its publish waits for the durable commit: counts only. The parsed
// body, the readings and the records must be collectable as soon as the bus has them; held by
// the handler until the commit answers (an fsync away), they outlived young collections by the
// thousand and were promoted, which cost the ingest thread more than half its time in GC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { registerIngestRoutes } from './ingest-routes.ts';
import type { BusProducer, BusRecord } from '../../adapters/bus/bus.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import { buildTopology } from '../../domain/topology.ts';
import { generateFleet } from '../../simulator/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a batch waiting for its commit keeps no record alive', async () => {
  const topology = buildTopology(generateFleet({ meters: 5, seed: 1 }));
  let held: WeakRef<BusRecord[]> | undefined;
  let commit!: () => void;
  let published!: () => void;
  const taken = new Promise<void>((resolve) => (published = resolve));
  // Takes the records as a bus that copies them would (it keeps nothing), then commits later.
  const bus: BusProducer = {
    lag: async () => 0,
    publish(records) {
      held = new WeakRef(records);
      published();
      return new Promise<void>((resolve) => (commit = resolve));
    },
    close: async () => undefined,
  };
  const app = Fastify();
  registerIngestRoutes(app, {
    producer: bus,
    group: 'g',
    metrics: createMetrics(),
    topology: () => topology,
    maxBatchItems: 1000,
    maxBusLag: 1_000_000,
  });
  const items = Array.from({ length: 500 }, (_, i) => ({
    meter_id: topology.meters[i % 5]!.id,
    obis: '1-0:1.8.0',
    interval_start: new Date(Date.UTC(2026, 0, 1) + i * 900_000).toISOString(),
    interval_s: 900,
    value: 0.25,
    unit: 'kWh',
  }));
  const answer = app.inject({ method: 'POST', url: '/v1/readings', payload: items });
  // A request refused before it reached the bus fails here rather than waiting for ever.
  const early = await Promise.race([taken.then(() => undefined), answer]);
  assert.equal(early, undefined, `answered before publishing: ${early?.body}`);
  await new Promise((r) => setImmediate(r));
  gc();
  assert.equal(held?.deref(), undefined, 'the records were still referenced while the commit was awaited');
  commit();
  const res = await answer;
  assert.equal(res.statusCode, 202, res.body);
  assert.deepEqual(res.json(), { accepted: 500, meters: 500, sensors: 0 });
});
