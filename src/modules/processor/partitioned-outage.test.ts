// Several processors split the bus partitions between them. Outage detection counts a
// transformer's meters, so every reading of one transformer must reach the same processor:
// with meter-keyed partitions each processor saw part of the meters, and an outage on 6 of
// 10 meters could be 3 + 3 (both under the threshold of 5) and raise nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessorCore } from './processor-core.ts';
import { busKey, buildTopology } from '../../domain/topology.ts';
import { MemoryStore, oneTransformer } from './core-test-helpers.ts';
import { Quality, type Reading } from '../../domain/readings.ts';
import { encodeReading } from '../../adapters/bus/reading-codec.ts';
import { partitionFor, type ConsumedRecord } from '../../adapters/bus/bus.ts';
import type { GridEvent } from '../../domain/events.ts';

const T0 = Date.UTC(2026, 10, 26, 12);
const meters = Array.from({ length: 10 }, (_, i) => `MTR-${i}`);
const topology = oneTransformer(meters);

const reading = (meterId: string, slot: number, quality = 0): Reading => ({
  kind: 'meter',
  meterId,
  obis: '1-0:1.8.0',
  intervalStart: T0 + slot * 900_000,
  intervalSeconds: 900,
  value: 0.4,
  unit: 'kWh',
  quality,
  receivedAt: T0 + 10 * 900_000,
});

test('an outage on 6 of 10 meters is raised when two processors split the partitions', async () => {
  const partitions = 2;
  const readings = [
    ...meters.map((m) => reading(m, 0)),
    ...meters.slice(0, 6).map((m) => reading(m, 1, Quality.LAST_GASP)),
    ...meters.slice(6).flatMap((m) => [1, 2].map((slot) => reading(m, slot))),
  ];
  const owned: ConsumedRecord[][] = Array.from({ length: partitions }, () => []);
  readings.forEach((r, offset) => {
    const partition = partitionFor(busKey(topology, r), partitions);
    owned[partition]!.push({ partition, offset, key: busKey(topology, r), value: encodeReading(r) });
  });
  const events: GridEvent[] = [];
  for (const records of owned) {
    const store = new MemoryStore();
    await new ProcessorCore(topology, store).process(records);
    events.push(...store.events);
  }
  const outages = events.filter((e) => e.type === 'outage');
  assert.equal(outages.length, 1, 'one processor saw the whole transformer');
  assert.equal(outages[0]!.subjectId, 'TX');
});

test('busKey: the transformer for known meters and sensors, the device id otherwise', () => {
  const t = buildTopology({
    substations: [{ id: 'S' }],
    feeders: [{ id: 'F', substation_id: 'S' }],
    transformers: [{ id: 'TX-1', feeder_id: 'F', kva: 50 }],
    meters: [{ id: 'M-1', customer_id: 'C', transformer_id: 'TX-1', class: 'household' }],
    sensors: [{ id: 'V-1', type: 'voltage', transformer_id: 'TX-1' }],
  });
  const sensor = (sensorId: string): Reading => ({
    kind: 'sensor',
    sensorId,
    sensorType: 'voltage',
    ts: T0,
    value: 230,
    unit: 'V',
    receivedAt: T0,
  });
  assert.equal(busKey(t, reading('M-1', 0)), 'TX-1');
  assert.equal(busKey(t, sensor('V-1')), 'TX-1');
  assert.equal(busKey(t, reading('M-404', 0)), 'M-404');
  assert.equal(busKey(t, sensor('V-404')), 'V-404');
});
