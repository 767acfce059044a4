import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { inTransaction, openSqlite } from './sqlite.ts';

/**
 * Another thread takes the write lock of `path` and holds it `holdMs`; `at` gets the times its
 * COMMIT began (the lock is freed inside it) and returned.
 */
async function holdWriteLock(path: string, holdMs: number) {
  const at = new Float64Array(new SharedArrayBuffer(16));
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const { DatabaseSync } = require('node:sqlite');
     const db = new DatabaseSync(workerData.path);
     db.exec('BEGIN IMMEDIATE');
     db.exec('INSERT INTO t VALUES (1)');
     parentPort.postMessage('held');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     const at = new Float64Array(workerData.at);
     at[0] = performance.timeOrigin + performance.now();
     db.exec('COMMIT');
     at[1] = performance.timeOrigin + performance.now();
     db.close();`,
    { eval: true, workerData: { path, holdMs, at: at.buffer } },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  return { at, exited: new Promise((resolve) => worker.once('exit', resolve)) };
}

test('a write transaction waits for a lock held elsewhere and begins as soon as it is freed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openSqlite(join(dir, 'x.db'));
  db.exec('CREATE TABLE t (x INTEGER)');
  const held = await holdWriteLock(join(dir, 'x.db'), 130);

  let begunAt = 0;
  const rows = inTransaction(db, () => {
    begunAt = performance.timeOrigin + performance.now();
    db.exec('INSERT INTO t VALUES (2)');
    return (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  });
  await held.exited;

  assert.equal(rows, 2, 'the other thread committed first');
  const [committing, committed] = [held.at[0]!, held.at[1]!];
  assert.ok(begunAt >= committing, `began ${committing - begunAt} ms before the other COMMIT`);
  const late = begunAt - committed;
  // SQLite's own busy handler sleeps in steps (… 25, 25, 50 ms) and began 40-50 ms late here.
  assert.ok(late < 30, `began ${late.toFixed(1)} ms after the lock was freed`);
  assert.equal((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout, 10_000);
  db.close();
});

test('an error other than a held lock fails the transaction at once, with the busy timeout restored', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openSqlite(join(dir, 'x.db'));
  db.exec('BEGIN');
  const started = performance.now();
  assert.throws(() => inTransaction(db, () => 1), /within a transaction/);
  assert.ok(performance.now() - started < 1000);
  db.exec('ROLLBACK');
  assert.equal((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout, 10_000);
  db.close();
});
