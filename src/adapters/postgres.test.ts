// The PostgreSQL pool helpers: configuration from URL and options (no server needed), then
// timeouts, dropped connections and TLS on the real server (GRIDOPS_POSTGRES_URL).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgPool, pgPoolConfig, redactUrl } from './postgres.ts';
import { PG_SKIP, PG_URL } from './store/pg-test-env.ts';
import { isGridOpsError } from '../app/errors.ts';

const URL_ = 'postgres://grid%40ops:p%3Ass@db.example.com:6543/grid?sslmode=require&application_name=x';

test('the URL gives host, port, user, password, database and sslmode; options win over it', () => {
  const c = pgPoolConfig({ url: URL_ });
  assert.deepEqual(
    [c.host, c.port, c.user, c.password, c.database, c.ssl, c.application_name],
    ['db.example.com', 6543, 'grid@ops', 'p:ss', 'grid', { rejectUnauthorized: false }, 'x'],
  );
  assert.equal(pgPoolConfig({ url: URL_, sslMode: 'disable' }).ssl, false);
  assert.equal(pgPoolConfig({ url: 'postgres://u@h/d' }).ssl, false);
  assert.deepEqual(
    [c.max, c.connectionTimeoutMillis, c.idleTimeoutMillis, c.statement_timeout],
    [10, 10_000, 30_000, 30_000],
  );
  const tuned = pgPoolConfig({
    url: URL_,
    poolMax: 3,
    connectionTimeoutMs: 1,
    idleTimeoutMs: 2,
    statementTimeoutMs: 0,
  });
  assert.deepEqual(
    [tuned.max, tuned.connectionTimeoutMillis, tuned.idleTimeoutMillis, tuned.statement_timeout],
    [3, 1, 2, undefined],
  );
});

test('server options from the URL and the schema option are both passed on', () => {
  const c = pgPoolConfig({ url: 'postgres://u@h/d?options=-c%20work_mem%3D8MB', schema: 'my"s' });
  assert.equal(c.options, '-c work_mem=8MB -c search_path="my""s"');
});

test('verify-full checks the host name against the CA bundle file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-ca-'));
  try {
    const ca = join(dir, 'global-bundle.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const c = pgPoolConfig({ url: 'postgres://u:pw@rds.example.com/d', sslMode: 'verify-full', caFile: ca });
    assert.deepEqual(c.ssl, {
      rejectUnauthorized: true,
      ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
    });
    // sslrootcert in the URL is the CA file when the option is unset.
    const fromUrl = pgPoolConfig({ url: `postgres://u@h/d?sslmode=verify-full&sslrootcert=${ca}` });
    assert.equal((fromUrl.ssl as { ca: string }).ca.startsWith('-----BEGIN'), true);
    assert.throws(
      () => pgPoolConfig({ url: 'postgres://u@h/d', sslMode: 'verify-full', caFile: join(dir, 'none.pem') }),
      (err) => isGridOpsError(err) && err.code === 'SG_ERR_CONFIG_INVALID',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad URLs and modes are coded errors that never show the password', () => {
  for (const [opts, code] of [
    [{ url: 'not a url :secret@' }, 'SG_ERR_CONFIG_INVALID'],
    [{ url: 'mysql://u:secret@h/d' }, 'SG_ERR_CONFIG_INVALID'],
    [{ url: 'postgres://u:secret@h/d?sslmode=prefer' }, 'SG_ERR_CONFIG_INVALID'],
  ] as const) {
    assert.throws(
      () => pgPoolConfig(opts),
      (err) => isGridOpsError(err) && err.code === code && !err.message.includes('secret'),
    );
  }
  assert.equal(redactUrl('postgres://u:secret@h:5432/d'), 'postgres://u:***@h:5432/d');
  assert.equal(redactUrl('postgres://u@h/d'), 'postgres://u@h/d');
});

describe('the pool on a real server', { skip: PG_SKIP }, () => {
  test('every connection has the statement timeout; a slower statement is cancelled', async () => {
    const pool = createPgPool({ url: PG_URL, statementTimeoutMs: 300 });
    try {
      const { rows } = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      assert.equal(rows[0]!.statement_timeout, '300ms');
      await assert.rejects(pool.query('SELECT pg_sleep(2)'), { code: '57014' });
    } finally {
      await pool.end();
    }
  });

  test('idle connections killed by the server are reported, not thrown, and replaced', async () => {
    const name = `gridops-test-${process.pid}-${Date.now()}`;
    const errors: Error[] = [];
    const pool = createPgPool({ url: PG_URL, applicationName: name }, (err) => errors.push(err));
    const admin = createPgPool({ url: PG_URL });
    try {
      await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
      const { rows } = await admin.query<{ n: number }>(
        'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [name],
      );
      assert.ok(rows[0]!.n >= 1);
      for (let i = 0; i < 50 && errors.length < rows[0]!.n; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(errors.length, rows[0]!.n);
      assert.deepEqual((await pool.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    } finally {
      await Promise.all([pool.end(), admin.end()]);
    }
  });

  test('TLS: sslmode=require encrypts when the server offers TLS', async (t) => {
    const plain = createPgPool({ url: PG_URL });
    const { rows } = await plain.query<{ ssl: string }>('SHOW ssl');
    await plain.end();
    // scripts/services turns TLS on, so in CI this always runs.
    if (rows[0]!.ssl !== 'on') {
      if (process.env.CI === 'true')
        assert.fail('the test server has ssl=off (scripts/services turns it on)');
      return t.skip('the server has ssl=off');
    }
    const pool = createPgPool({ url: PG_URL, sslMode: 'require' });
    try {
      const r = await pool.query<{ ssl: boolean }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      assert.equal(r.rows[0]!.ssl, true);
    } finally {
      await pool.end();
    }
    // verify-full needs the server's CA; given only when the test environment has one.
    const ca = process.env.GRIDOPS_POSTGRES_CA_FILE;
    if (!ca) {
      assert.notEqual(
        process.env.CI,
        'true',
        'GRIDOPS_POSTGRES_CA_FILE is unset (scripts/services writes it)',
      );
      return;
    }
    const verified = createPgPool({ url: PG_URL, sslMode: 'verify-full', caFile: ca });
    try {
      assert.deepEqual((await verified.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    } finally {
      await verified.end();
    }
  });
});
