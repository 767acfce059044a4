import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology } from '../../domain/topology.ts';
import type { Reading } from '../../domain/readings.ts';
import { seriesOf } from './series-of.ts';
import { SeriesTracker } from './series-tracker.ts';

const grid = buildTopology({
  substations: [{ id: 'SUB' }],
  feeders: [{ id: 'FDR', substation_id: 'SUB' }],
  transformers: [{ id: 'TX', feeder_id: 'FDR', kva: 100 }],
  meters: ['M1', 'M2'].map((id) => ({
    id,
    customer_id: `C-${id}`,
    transformer_id: 'TX',
    class: 'household' as const,
  })),
  sensors: [{ id: 'V1', type: 'voltage', transformer_id: 'TX' }],
});

const meter = (meterId: string, slot: number, obis = '1-0:1.8.0'): Reading => ({
  kind: 'meter',
  meterId,
  obis,
  intervalStart: slot * 900_000,
  intervalSeconds: 900,
  value: 1,
  unit: 'kWh',
  quality: 0,
  receivedAt: 0,
});
const volts = (ts: number): Reading => ({
  kind: 'sensor',
  sensorId: 'V1',
  sensorType: 'voltage',
  ts,
  value: 230,
  unit: 'V',
  receivedAt: 0,
});

test('seriesOf finds each series once; unknown devices get none; only unloaded meter series are to load', () => {
  const tracker = new SeriesTracker();
  tracker.series('M2', '1-0:1.8.0').loaded = true;
  const readings = [
    meter('M1', 1),
    volts(5),
    meter('M1', 2),
    meter('NOPE', 1),
    meter('M2', 1),
    meter('M1', 1, '1-0:2.8.0'),
  ];
  const { series, meterSeries, ordered } = seriesOf(grid, tracker, readings, 1, [3, 3, 3, 3, 3, 3]);
  assert.equal(ordered, true);
  assert.equal(series[0], series[2], 'one series per meter channel');
  assert.notEqual(series[0], series[5], 'another channel, another series');
  assert.equal(series[1], tracker.series('V1', 'voltage'));
  assert.equal(series[3], undefined, 'a meter missing from the topology');
  assert.deepEqual(
    meterSeries.map((s) => `${s.id}/${s.channel}`),
    ['M1/1-0:1.8.0', 'M1/1-0:1.8.0', 'M1/1-0:2.8.0'],
    'M2 is loaded already; the sensor has no VEE history',
  );
  assert.ok(
    series.every((s) => s === undefined || s.partition === 3),
    'partition recorded',
  );
});

test('seriesOf tells a batch with a series out of time order; a new pass forgets the old marks', () => {
  const tracker = new SeriesTracker();
  assert.equal(seriesOf(grid, tracker, [meter('M1', 2), meter('M2', 1), meter('M1', 1)], 1).ordered, false);
  assert.equal(seriesOf(grid, tracker, [volts(10), volts(9)], 2).ordered, false);
  // Pass 3 meets M1 at slot 1 again, behind pass 1's mark (slot 2): a new batch, not disorder.
  assert.equal(seriesOf(grid, tracker, [meter('M1', 1), meter('M2', 1), meter('M1', 1)], 3).ordered, true);
});
