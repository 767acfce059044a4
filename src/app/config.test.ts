import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, redactedConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'gridops-config-'));

test('precedence: defaults < file < environment < flags', () => {
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ port: 1001, busPartitions: 4, storeBackend: 'postgres' }));
  const c = loadConfig({ file, env: { GRIDOPS_PORT: '1002' }, flags: { port: '1003' } });
  assert.equal(c.port, 1003);
  assert.equal(c.busPartitions, 4);
  assert.equal(c.storeBackend, 'postgres');
  assert.equal(c.busBackend, 'sqlite');
});

test('a secret is read from its environment variable or from <env>_FILE, and redacted', () => {
  const secret = join(dir, 'pg-url');
  writeFileSync(secret, 'postgres://u:s3cret@db:5432/g\n');
  const fromFile = loadConfig({ env: { GRIDOPS_POSTGRES_URL_FILE: secret } });
  assert.equal(fromFile.postgresUrl, 'postgres://u:s3cret@db:5432/g');
  assert.equal(redactedConfig(fromFile).postgresUrl, '<redacted>');
  const fromEnv = loadConfig({ env: { GRIDOPS_REDIS_URL: 'redis://:pw@r:6379' } });
  assert.equal(fromEnv.redisUrl, 'redis://:pw@r:6379');
});

test('a secret given as a flag or in the config file is refused, naming where it may come from', () => {
  assert.throws(
    () => loadConfig({ flags: { postgresUrl: 'postgres://u:p@h/d' } }),
    (err: Error) =>
      /postgresUrl \(from --postgres-url\)/.test(err.message) && /GRIDOPS_POSTGRES_URL/.test(err.message),
  );
  const file = join(dir, 'secret.json');
  writeFileSync(file, JSON.stringify({ apiKeys: 'k' }));
  assert.throws(() => loadConfig({ file }), /apiKeys .*GRIDOPS_API_KEYS_FILE/);
});

test('an unreadable secret file is a clear error naming the variable', () => {
  assert.throws(
    () => loadConfig({ env: { GRIDOPS_REDIS_URL_FILE: join(dir, 'missing') } }),
    /GRIDOPS_REDIS_URL_FILE/,
  );
});

test('backends are checked against their allowed values', () => {
  assert.throws(
    () => loadConfig({ env: { GRIDOPS_BUS: 'rabbit' } }),
    /busBackend .*must be one of sqlite, kafka/,
  );
});
