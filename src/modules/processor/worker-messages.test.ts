// The last hop of every processor metric: a worker's message, turned into samples of the main
// thread's registry (which /metrics serves), plus the worker state readiness reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../telemetry/metrics.ts';
import { metricValue } from '../../../test/support/ingest-counters.ts';
import { emptyStats } from './batch-stats.ts';
import { workerMessages, type WorkerSlot } from './worker-messages.ts';

function setup() {
  const metrics = createMetrics({ defaultMetrics: false });
  const slots: WorkerSlot[] = [
    { running: false, outages: 0 },
    { running: false, outages: 0 },
  ];
  const logged: string[] = [];
  const log = {
    info: (_: unknown, msg: string) => logged.push(`info ${msg}`),
    warn: (_: unknown, msg: string) => logged.push(`warn ${msg}`),
    error: (_: unknown, msg: string) => logged.push(`error ${msg}`),
  } as never;
  let committed = 0;
  const on = workerMessages({ slots, metrics, log, onCommitted: () => committed++ });
  const sample = async (name: string, labels = '') =>
    metricValue(await metrics.registry.metrics(), name, labels);
  return { on, slots, logged, sample, committed: () => committed };
}

test('position repairs from any worker add up per kind', async () => {
  const { on, sample } = setup();
  on(0, { type: 'position-repair', kind: 'recommit', partitions: 1 });
  on(1, { type: 'position-repair', kind: 'refetch', partitions: 3 });
  on(0, { type: 'position-repair', kind: 'refetch', partitions: 2 });
  assert.equal(await sample('smartgrid_bus_position_repairs_total', 'kind="recommit"'), 1);
  assert.equal(await sample('smartgrid_bus_position_repairs_total', 'kind="refetch"'), 5);
});

test('a batch error marks the worker, counts and logs; its next stats clear it', async () => {
  const { on, slots, logged, sample, committed } = setup();
  on(1, { type: 'ready' });
  on(1, { type: 'error', message: 'database is locked', attempt: 2 });
  assert.deepEqual(slots[1], { running: true, outages: 0, lastError: 'database is locked' });
  assert.equal(await sample('smartgrid_processor_errors_total'), 1);
  assert.equal(await sample('smartgrid_store_errors_total', 'op="write_batch"'), 1);
  assert.deepEqual(logged, ['error batch failed; retrying with backoff']);
  on(1, { type: 'stats', stats: emptyStats(0) });
  assert.equal(slots[1]!.lastError, undefined);
  assert.equal(committed(), 1);
});

test('batch stats become record, VEE, event and outage samples', async () => {
  const { on, slots, sample } = setup();
  const stats = { ...emptyStats(10), meters: 7, sensors: 2, unknown: 1, dead: 1 };
  stats.vee = { gap: 2, spike: 1 };
  stats.events = { outage: 1 };
  on(0, { type: 'stats', stats: { ...stats, outagesActive: 2 } });
  on(1, { type: 'stats', stats: { ...stats, outagesActive: 3 } });
  assert.equal(await sample('smartgrid_processor_records_total', 'kind="meter"'), 14);
  assert.equal(await sample('smartgrid_processor_records_total', 'kind="sensor"'), 4);
  assert.equal(await sample('smartgrid_processor_vee_outcomes_total', 'rule="gap"'), 4);
  assert.equal(await sample('smartgrid_bus_dead_letter_records_total', 'reason="undecodable"'), 2);
  // Each worker reports the outages on its own transformers; the gauge is their sum, not the last.
  assert.equal(await sample('smartgrid_grid_outages_active'), 5);
  on(1, { type: 'stats', stats: { ...stats, outagesActive: 0 } });
  assert.equal(await sample('smartgrid_grid_outages_active'), 2);
  // A flush of parked gap estimates judges no outage: worker 0's count stands.
  on(0, { type: 'stats', stats: emptyStats(0) });
  assert.equal(await sample('smartgrid_grid_outages_active'), 2);
  assert.equal(slots[0]!.outages, 2);
});

test('retention results count deleted rows; a failed run counts a store error', async () => {
  const { on, logged, sample } = setup();
  on(0, { type: 'retention', result: { cutoff: Date.UTC(2026, 0, 1), days: 2, rows: 500, ms: 12 } });
  on(0, { type: 'retention', error: 'lock timeout' });
  assert.equal(await sample('smartgrid_store_retention_deleted_total', 'unit="rows"'), 500);
  assert.equal(await sample('smartgrid_store_retention_deleted_total', 'unit="partitions"'), 2);
  assert.equal(await sample('smartgrid_store_errors_total', 'op="retention"'), 1);
  assert.deepEqual(logged, [
    'info old readings deleted (retention)',
    'warn retention run failed; retrying in an hour',
  ]);
});
