// The loss test: under load, SIGKILL the real process at 10 random moments and restart it.
// Every reading that got a 2xx must be stored exactly once, and every rollup must equal a
// recomputation from the stored readings. Verified by reading the SQLite files directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startGridops, type GridopsProcess } from '../support/gridops-process.ts';
import { generateFleet, writeTopology } from '../../src/simulator/index.ts';
import { mulberry32 } from '../../src/simulator/prng.ts';
import { recomputeRollups } from '../support/recompute-rollups.ts';

const KEY = 'loss-test-key';
// Far enough back that a fast client never reaches the server's 24 h future limit.
const T0 = Date.UTC(2020, 0, 1);
const KILLS = Number(process.env.GRIDOPS_LOSS_KILLS ?? 10);

test(
  `SIGKILL at ${KILLS} random moments loses and doubles nothing acknowledged`,
  { timeout: 600_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridops-loss-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const topology = generateFleet({ meters: 200, seed: 11 });
    writeTopology(join(dataDir, 'topology.json'), topology);
    const env = {
      GRIDOPS_DATA_DIR: dataDir,
      GRIDOPS_API_KEYS: KEY,
      GRIDOPS_PORT: '0',
      GRIDOPS_LOG_LEVEL: 'warn',
    };
    const rng = mulberry32(2026);
    const meters = topology.meters.map((m) => m.id);
    const value = (m: number, slot: number) =>
      Math.round((0.1 + ((m * 7919 + slot * 104729) % 100) / 100) * 1000) / 1000;

    // Batches of 5 consecutive slots for every meter; each is retried until acknowledged, even
    // after posting stops. Not startAckedLoad (test/support/acked-load.ts), which abandons a batch
    // in retry when stopped: a server killed after committing a batch but before answering has
    // stored it, so only a retry to 202 makes "nothing stored but what was acknowledged" exact.
    const SLOTS_PER_BATCH = 5;
    let nextSlot = 0;
    const acked = new Map<string, number>();
    let current: GridopsProcess | undefined;
    let posting = true;
    const poster = async () => {
      while (posting) {
        const first = nextSlot;
        nextSlot += SLOTS_PER_BATCH;
        const items = [];
        for (let s = first; s < first + SLOTS_PER_BATCH; s++) {
          for (let m = 0; m < meters.length; m++) {
            items.push({
              meter_id: meters[m],
              obis: '1-0:1.8.0',
              interval_start: new Date(T0 + s * 900_000).toISOString(),
              interval_s: 900,
              value: value(m, s),
              unit: 'kWh',
            });
          }
        }
        const body = JSON.stringify(items);
        for (;;) {
          const url = current?.url;
          try {
            if (!url) throw new Error('down');
            const res = await fetch(`${url}/v1/readings`, {
              method: 'POST',
              body,
              headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
            });
            if (res.status === 202) {
              for (const it of items) acked.set(`${it.meter_id}|${Date.parse(it.interval_start)}`, it.value);
              break;
            }
            assert.ok(
              res.status === 503,
              `only 503 may refuse a valid batch, got ${res.status}: ${await res.text()}`,
            );
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };

    current = await startGridops(['run'], env);
    const posters = [poster(), poster()];
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 300 + rng() * 2200));
      const dying: GridopsProcess = current;
      current = undefined;
      dying.proc.kill('SIGKILL');
      assert.equal(await dying.exited, 'SIGKILL');
      current = await startGridops(['run'], env);
    }
    posting = false;
    await Promise.all(posters);

    // Let the processor drain the bus, then stop gracefully.
    const bus = new DatabaseSync(join(dataDir, 'bus.db'), { readOnly: true });
    const lag = () =>
      (
        bus
          .prepare(
            `SELECT COALESCE(SUM(h.next_offset - COALESCE(o.next_offset, 0)), 0) AS lag FROM bus_head h
      LEFT JOIN bus_offsets o ON o.partition = h.partition AND o.grp = 'processor'`,
          )
          .get() as { lag: number }
      ).lag;
    const deadline = Date.now() + 60_000;
    while (lag() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(lag(), 0, 'the processor drained the bus');
    bus.close();
    current.proc.kill('SIGTERM');
    assert.equal(await current.exited, 0);

    const store = new DatabaseSync(join(dataDir, 'store.db'), { readOnly: true });
    const rows = store
      .prepare("SELECT meter_id, interval_start, value, quality FROM meter_readings WHERE obis = '1-0:1.8.0'")
      .all() as unknown as { meter_id: string; interval_start: number; value: number; quality: number }[];
    const stored = new Map(rows.map((r) => [`${r.meter_id}|${r.interval_start}`, r]));
    assert.ok(
      acked.size >= meters.length * SLOTS_PER_BATCH * KILLS,
      `enough load: ${acked.size} acknowledged`,
    );
    let missing = 0;
    let wrong = 0;
    for (const [key, v] of acked) {
      const r = stored.get(key);
      if (!r) missing++;
      else if (r.value !== v) wrong++;
    }
    assert.equal(missing, 0, 'every acknowledged reading is stored');
    assert.equal(wrong, 0, 'with its acknowledged value');
    assert.equal(rows.length, acked.size, 'and nothing else: no reading stored twice or invented');

    const { mismatches, compared } = recomputeRollups(store, topology);
    assert.ok(compared > 0);
    assert.deepEqual(mismatches.slice(0, 5), [], 'rollups equal a recomputation from the readings');
    store.close();
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `loss test: ${KILLS} kills, ${acked.size} readings acknowledged, all stored once; ${compared} rollup rows recomputed`,
    );
  },
);
