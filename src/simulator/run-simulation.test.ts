import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_KINDS } from './faults.ts';
import { runSimulation, type Progress, type SimulationOptions } from './run-simulation.ts';
import { backfill, T0 } from './test-support.ts';
import { isMeterItem, type WireItem } from './wire.ts';

/** A clock that only moves when the simulation sleeps: hours of live mode run instantly. */
function fakeTime(start: number): Pick<SimulationOptions, 'now' | 'sleep'> & { slept: () => number } {
  let t = start;
  let slept = 0;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
      slept += ms;
    },
    slept: () => slept,
  };
}

test('same seed and clock: byte-identical output; another seed differs', async () => {
  const a = await backfill({ meters: 100, hours: 6, faults: [...FAULT_KINDS] });
  const b = await backfill({ meters: 100, hours: 6, faults: [...FAULT_KINDS] });
  const c = await backfill({ meters: 100, hours: 6, faults: [...FAULT_KINDS], seed: 43 });
  assert.equal(JSON.stringify(a.items), JSON.stringify(b.items));
  assert.deepEqual(a.journal, b.journal);
  assert.notEqual(JSON.stringify(a.items), JSON.stringify(c.items));
});

test('backfill ends at the current boundary, in batches of batchSize', async () => {
  const sizes: number[] = [];
  const items: WireItem[] = [];
  const progress: Progress[] = [];
  const result = await runSimulation(
    { meters: 100, seed: 1, backfillHours: 2, durationS: 0, batchSize: 300, now: () => T0 },
    async (batch) => {
      sizes.push(batch.length);
      items.push(...batch);
    },
    { onProgress: (p) => progress.push(p) },
  );
  const meters = items.filter(isMeterItem);
  const starts = [...new Set(meters.map((m) => m.interval_start))];
  assert.equal(starts.length, 8);
  assert.equal(starts.at(-1), '2026-01-14T11:45:00.000Z');
  assert.equal(starts[0], '2026-01-14T10:00:00.000Z');
  assert.ok(sizes.slice(0, -1).every((n) => n === 300) && sizes.at(-1)! <= 300);
  assert.equal(result.sent, items.length);
  assert.equal(result.batches, sizes.length);
  assert.equal(result.stoppedBy, 'duration');
  assert.equal(progress.at(-1)!.phase, 'backfill');
  assert.equal(progress.at(-1)!.sent, items.length);
  assert.equal(progress.at(-1)!.total, 8 * (100 + 21));
});

test('live: sensors every simulated minute, meters at each boundary, paced by speed', async () => {
  const clock = fakeTime(T0);
  const ticks: WireItem[][] = [];
  const progress: Progress[] = [];
  const result = await runSimulation(
    { meters: 40, seed: 5, backfillHours: 0, speed: 60, durationS: 30, ...clock },
    async (batch) => {
      ticks.push(batch);
    },
    { onProgress: (p) => progress.push(p) },
  );
  // Simulated time starts at the wall clock (12:07:30) and runs 60x: the minutes since the
  // 12:00 boundary go at once, then 30 s of live cover 30 simulated minutes, up to 12:37.
  assert.equal(ticks.length, 38);
  assert.equal(clock.slept(), 29_500);
  const boundary = Date.UTC(2026, 0, 14, 12, 0);
  ticks.forEach((batch, k) => {
    const sensorTs = new Set(batch.filter((i) => !isMeterItem(i)).map((i) => ('ts' in i ? i.ts : '')));
    assert.deepEqual([...sensorTs], [new Date(boundary + k * 60_000).toISOString()]);
    const meterStarts = new Set(batch.filter(isMeterItem).map((m) => m.interval_start));
    const expected = k === 15 || k === 30 ? [new Date(boundary + (k - 15) * 60_000).toISOString()] : [];
    assert.deepEqual([...meterStarts], expected);
    if (expected.length) assert.equal(batch.filter(isMeterItem).length, 40);
  });
  assert.equal(progress.length, 38);
  assert.ok(progress.every((p) => p.phase === 'live'));
  assert.equal(result.stoppedBy, 'duration');
});

test('intervalMs overrides speed; the abort signal stops the run between ticks', async () => {
  const clock = fakeTime(Date.UTC(2026, 0, 14, 12, 0));
  const controller = new AbortController();
  let calls = 0;
  const result = await runSimulation(
    { meters: 20, seed: 5, backfillHours: 1, intervalMs: 15_000, ...clock },
    async () => {
      calls++;
      if (calls === 3) controller.abort();
    },
    { signal: controller.signal },
  );
  assert.equal(result.stoppedBy, 'abort');
  assert.equal(calls, 3); // backfill batch + two live ticks
  assert.equal(clock.slept(), 1_000); // 60 simulated seconds at 60x (15 s per interval)
});

test('a failing sink fails the run', async () => {
  await assert.rejects(
    runSimulation({ meters: 10, seed: 1, backfillHours: 1, durationS: 0, now: () => T0 }, async () => {
      throw new Error('sink down');
    }),
    /sink down/,
  );
  await assert.rejects(
    runSimulation({ meters: 10, seed: 1, batchSize: 0 }, async () => undefined),
    /batchSize must be a positive integer/,
  );
});

test('a given topology is simulated as is', async () => {
  const topology = {
    substations: [{ id: 'S' }],
    feeders: [{ id: 'F', substation_id: 'S' }],
    transformers: [{ id: 'T', feeder_id: 'F', kva: 100 }],
    meters: [{ id: 'M', customer_id: 'C', transformer_id: 'T', class: 'household' as const }],
    sensors: [{ id: 'V', type: 'voltage' as const, transformer_id: 'T' }],
  };
  const items: WireItem[] = [];
  await runSimulation(
    { meters: 1, seed: 1, topology, backfillHours: 1, durationS: 0, now: () => T0 },
    async (b) => {
      items.push(...b);
    },
  );
  assert.equal(items.length, 8);
  assert.deepEqual(
    new Set(items.map((i) => (isMeterItem(i) ? i.meter_id : i.sensor_id))),
    new Set(['M', 'V']),
  );
});

test('speed 1 follows the wall clock: an interval is sent when it ends', async () => {
  const clock = fakeTime(T0);
  const sentAt = new Map<string, number>();
  await runSimulation({ meters: 10, seed: 5, backfillHours: 0, durationS: 900, ...clock }, async (batch) => {
    for (const m of batch.filter(isMeterItem)) sentAt.set(m.interval_start, clock.now!());
  });
  assert.deepEqual([...sentAt], [['2026-01-14T12:00:00.000Z', Date.UTC(2026, 0, 14, 12, 15)]]);
});

test('real timers: a short live run with intervalMs ends on its own', async () => {
  const started = Date.now();
  let ticks = 0;
  const result = await runSimulation(
    { meters: 5, seed: 5, backfillHours: 0, intervalMs: 150, durationS: 0.1 },
    async () => {
      ticks++;
    },
  );
  assert.equal(result.stoppedBy, 'duration');
  assert.ok(ticks >= 5, `${ticks} ticks`);
  assert.ok(Date.now() - started < 2000);
});
