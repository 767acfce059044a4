// The merge path's lookup of stored readings must probe the primary key, whatever the planner
// believes about the table: a day partition just loaded has no statistics, and a join planned
// from them once scanned and sorted a whole partition per batch (20 s, then statement timeouts,
// in a benchmark run). Checked on the real server with EXPLAIN, on a fresh, unanalyzed partition.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStorePool } from './pg-store-pool.ts';
import { storedLookupSql } from './pg-readings-merge.ts';
import { PG_SKIP, privateSchema } from './pg-test-env.ts';
import { quoteIdent } from '../postgres.ts';

const DAY = Date.UTC(2026, 0, 1);
const METERS = 2000;
const ROWS = 100_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('the stored-readings lookup of the merge path', { skip: PG_SKIP }, () => {
  const s = privateSchema();
  after(() => s.drop());

  test('probes the primary key on a freshly loaded, never analyzed partition, locked or not', async () => {
    const store = openStorePool(s.opts);
    await store.ready();
    await store.pool.end();
    const c = new pg.Client({ connectionString: s.opts.url });
    await c.connect();
    try {
      await c.query(`SET search_path = ${quoteIdent(s.opts.schema!)}`);
      await c.query('SELECT gridops_ensure_day_partitions($1, $2)', ['meter_readings', [DAY]]);
      await c.query(
        `INSERT INTO meter_readings (meter_id, obis, interval_start, interval_s, value, unit, quality, received_at)
         SELECT 'MTR-' || lpad((i % ${METERS})::text, 7, '0'), '1-0:1.8.0', ${DAY} + (i / ${METERS}) * 900000,
           900, 0.5, 'kWh', 0, 0
         FROM generate_series(0, ${ROWS - 1}) i`,
      );
      const keys = Array.from({ length: 2000 }, (_, i) => ({
        meterId: `MTR-${String(i % METERS).padStart(7, '0')}`,
        start: DAY + Math.floor(i / METERS) * 900_000,
      }));
      const params = [
        keys.map((k) => k.meterId),
        keys.map(() => '1-0:1.8.0'),
        keys.map((k) => k.start),
        DAY,
        DAY + 86_400_000,
      ];
      for (const lock of [false, true]) {
        await c.query('BEGIN');
        const { rows } = await c.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) ${storedLookupSql(lock)}`,
          params,
        );
        const found = await c.query(storedLookupSql(lock), params);
        await c.query('ROLLBACK');
        const plan = nodes(rows[0]!['QUERY PLAN'][0].Plan);
        const onReadings = plan.filter((n) => n['Relation Name']?.startsWith('meter_readings'));
        assert.ok(onReadings.length > 0, `lock=${lock}: the plan reads meter_readings`);
        for (const n of onReadings) {
          assert.match(n['Node Type'], /^Index (Only )?Scan$/, `lock=${lock}: ${n['Relation Name']}`);
        }
        assert.equal(found.rowCount, keys.length, `lock=${lock}: every key found`);
      }
    } finally {
      await c.end();
    }
  });
});
