// `gridops migrate` on the real server (GRIDOPS_POSTGRES_URL), in a schema of its own.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../test/support/run-cli.ts';
import { EXIT_PENDING } from './migrate-command.ts';
import { PG_SKIP, PG_URL, privateSchema } from '../adapters/store/pg-test-env.ts';
import { PG_STORE_MIGRATIONS } from '../adapters/store/pg-schema.ts';

test('gridops migrate --help documents the URL source and the exit codes', async () => {
  const r = await runCli(['migrate', '--help'], {});
  assert.equal(r.code, 0);
  assert.match(r.stdout, /GRIDOPS_POSTGRES_URL/);
  assert.match(r.stdout, /--status/);
  assert.match(r.stdout, /Exit codes: 0 done, 1 store error, 2 usage/);
});

test('gridops migrate without a URL is a usage error', async () => {
  const r = await runCli(['migrate'], {});
  assert.equal(r.code, 2);
  assert.match(r.stderr, /SG_ERR_CLI_USAGE.*GRIDOPS_POSTGRES_URL/);
});

test('gridops migrate against an unreachable server fails with exit 1 and hides the password', async () => {
  const r = await runCli(['migrate'], {
    GRIDOPS_POSTGRES_URL: 'postgres://u:hunter2@127.0.0.1:1/d',
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /SG_ERR_STORE/);
  assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
});

describe('gridops migrate on a real server', { skip: PG_SKIP }, () => {
  const s = privateSchema();
  after(() => s.drop());
  const env = { GRIDOPS_POSTGRES_URL: PG_URL };
  const schema = s.opts.schema!;
  const last = PG_STORE_MIGRATIONS.length;

  test('--status shows pending versions, migrate applies them once, --status is then clean', async () => {
    const before = await runCli(['migrate', '--status', '--schema', schema], env);
    assert.equal(before.code, EXIT_PENDING);
    assert.match(before.stdout, new RegExp(`^pending ${last}$`, 'm'));
    const first = await runCli(['migrate', '--schema', schema], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^version ${last} applied \\d{4}-\\d\\d-\\d\\dT`, 'm'));
    assert.match(
      first.stderr,
      new RegExp(`applied ${[...Array(last).keys()].map((i) => i + 1).join(', ')}; at version ${last}`),
    );
    const second = await runCli(['migrate', '--schema', schema], env);
    assert.equal(second.code, 0);
    assert.match(second.stderr, /applied nothing/);
    assert.equal(second.stdout, first.stdout);
    const status = await runCli(['migrate', '--status', '--schema', schema], env);
    assert.equal(status.code, 0);
    assert.doesNotMatch(status.stdout, /pending/);
    const pw = new URL(PG_URL).password;
    if (pw) assert.ok(!first.stderr.includes(`:${pw}@`), 'the password is redacted');
  });
});
