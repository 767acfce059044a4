// Drain at shutdown: every batch admitted before it is answered before the bus may close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { registerIngestRoutes } from './ingest-routes.ts';
import type { BusProducer, BusRecord } from '../../adapters/bus/bus.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import { buildTopology } from '../../domain/topology.ts';
import { generateFleet } from '../../simulator/index.ts';

/** A bus whose lag answers only when told to, and that refuses publishes once closed. */
function slowLagBus() {
  let answerLag!: () => void;
  let asked!: () => void;
  const lagAsked = new Promise<void>((resolve) => (asked = resolve));
  const published: BusRecord[] = [];
  let closed = false;
  const bus: BusProducer = {
    lag() {
      asked();
      return new Promise<number>((resolve) => (answerLag = () => resolve(0)));
    },
    async publish(records) {
      if (closed) throw new Error('the bus producer is closed');
      published.push(...records);
    },
    async close() {
      closed = true;
    },
  };
  return { bus, lagAsked, answerLag: () => answerLag(), published };
}

test('drain waits for a batch that was admitted and is still reading the lag', async () => {
  const topology = buildTopology(generateFleet({ meters: 5, seed: 1 }));
  const { bus, lagAsked, answerLag, published } = slowLagBus();
  const app = Fastify();
  const { drain } = registerIngestRoutes(app, {
    producer: bus,
    group: 'g',
    metrics: createMetrics(),
    topology: () => topology,
    maxBatchItems: 100,
    maxBusLag: 1000,
  });
  const item = {
    meter_id: topology.meters[0]!.id,
    obis: '1-0:1.8.0',
    interval_start: new Date(Date.UTC(2026, 10, 26)).toISOString(),
    interval_s: 900,
    value: 0.25,
    unit: 'kWh',
  };
  const answer = app.inject({ method: 'POST', url: '/v1/readings', payload: [item] });
  await lagAsked;
  let drained = false;
  const draining = drain().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false, 'drain returned while an admitted batch was still running');
  answerLag();
  await draining;
  // Shutdown closes the bus only now; the batch got there first and was acknowledged.
  await bus.close();
  const res = await answer;
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(published.length, 1);
  // A batch after the drain is refused without touching the bus.
  const late = await app.inject({ method: 'POST', url: '/v1/readings', payload: [item] });
  assert.equal(late.statusCode, 503);
  assert.equal(published.length, 1);
});
