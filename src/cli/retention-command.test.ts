// `gridops retention` on the embedded store: a dry run counts and changes nothing, a run
// deletes; bad days are refused naming the option. (The store methods behind it run against
// both stores in the store contract, store-contract-levels.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../test/support/run-cli.ts';
import { SqliteStoreReader } from '../adapters/store/sqlite-store-reader.ts';
import { SqliteStoreWriter } from '../adapters/store/sqlite-store-writer.ts';
import { batch, locate, reading, T0 } from '../adapters/store/store-fixtures.ts';
import { MS } from '../domain/readings.ts';

test('gridops retention: --dry-run counts what would go; without it the readings go', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-retention-'));
  const path = join(dir, 'store.db');
  const writer = new SqliteStoreWriter({ path }, locate);
  const reader = new SqliteStoreReader({ path });
  try {
    // Three readings of T0's day and one of today.
    const today = Date.now() - (Date.now() % MS.day);
    const now = { ...reading('MTR-1', 0, 2), intervalStart: today };
    await writer.writeBatch(
      batch([reading('MTR-1', 0, 1), reading('MTR-1', 1, 1), reading('MTR-2', 0, 1), now]),
    );
    const env = { GRIDOPS_DATA_DIR: dir };
    // Keep all days but T0's: the cutoff is the midnight after it.
    const days = String(Math.round((today - T0) / MS.day) - 1);
    const all = async () =>
      (await reader.readings({ meterId: 'MTR-1', from: T0, to: today + MS.day, limit: 10 })).length;

    const dry = await runCli(['retention', '--days', days, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      new RegExp(`^cutoff=${new Date(T0 + MS.day).toISOString()} partitions=0 rows=3 dry_run=true\n$`),
    );
    assert.equal(await all(), 3, 'a dry run deletes nothing');

    const run = await runCli(['retention'], { ...env, GRIDOPS_RETENTION_DAYS: days });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /partitions=0 rows=3 dry_run=false/);
    assert.equal(await all(), 1, "today's reading stays");
  } finally {
    await writer.close();
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gridops retention refuses no days, bad days, a missing store and a store that is down, saying which', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-retention-'));
  try {
    const off = await runCli(['retention', '--dry-run'], { GRIDOPS_DATA_DIR: dir });
    assert.equal(off.code, 2);
    assert.match(off.stderr, /SG_ERR_CLI_USAGE.*--days: retention is off/);
    const bad = await runCli(['retention', '--days', 'ten'], { GRIDOPS_DATA_DIR: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SG_ERR_CONFIG_INVALID[\s\S]*retentionDays/);
    const none = await runCli(['retention', '--days', '7'], { GRIDOPS_DATA_DIR: join(dir, 'nowhere') });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no embedded store at .*nowhere/);
    const down = await runCli(['retention', '--days', '7'], {
      GRIDOPS_STORE: 'postgres',
      GRIDOPS_POSTGRES_URL: 'postgres://u:hunter2@127.0.0.1:1/d',
    });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /SG_ERR_STORE.*ECONNREFUSED/);
    assert.doesNotMatch(down.stderr, /hunter2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
