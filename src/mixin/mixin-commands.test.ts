import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../test/support/run-cli.ts';
import { alertTestCases } from './alert-compile.ts';
import { GRID_ALERTS } from './grid-alerts.ts';

test('gridops slo validate|generate --check and rules lint succeed on the committed mixin', async () => {
  assert.equal((await runCli(['slo', 'validate'])).code, 0);
  assert.equal((await runCli(['slo', 'generate', '--check'])).code, 0);
  const lint = await runCli(['rules', 'lint']);
  assert.equal(lint.code, 0, lint.stderr);
});

test('usage errors exit 2 and name the usage', async () => {
  const r = await runCli(['slo', 'compile']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: gridops slo validate\|generate/);
  assert.equal((await runCli(['rules'])).code, 2);
});

test('a missing spec directory is a clear error, not a stack trace', async () => {
  const r = await runCli(['slo', 'validate', '--dir', '/nonexistent']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\/nonexistent\/slos \/: no such directory/);
});

test('an alert whose description is a template must give the rendered text in its test', () => {
  const spec = GRID_ALERTS.find((a) => a.alert === 'GridOutageCluster') ?? assert.fail();
  const { description: _d, ...fires } = spec.test.fires;
  assert.throws(
    () => alertTestCases({ ...spec, test: { ...spec.test, fires } }),
    /must give the rendered text/,
  );
});
