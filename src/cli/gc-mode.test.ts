import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyGcMode, SINGLE_THREADED_GC, wantsSingleThreadedGc } from './gc-mode.ts';

test('auto is single-threaded on the embedded bus and parallel on Kafka; explicit modes win', () => {
  assert.equal(wantsSingleThreadedGc({ gc: 'auto', busBackend: 'sqlite' }), true);
  assert.equal(wantsSingleThreadedGc({ gc: 'auto', busBackend: 'kafka' }), false);
  assert.equal(wantsSingleThreadedGc({ gc: 'single-threaded', busBackend: 'kafka' }), true);
  assert.equal(wantsSingleThreadedGc({ gc: 'parallel', busBackend: 'sqlite' }), false);
});

test('re-executes once: not when the flag is in effect, not when told parallel, not without reexec', () => {
  const calls: (readonly string[])[] = [];
  const reexec = ((flags: readonly string[]) => {
    calls.push(flags);
  }) as never;
  applyGcMode({ gc: 'auto', busBackend: 'sqlite' }, ['--inspect'], reexec);
  assert.deepEqual(calls, [[SINGLE_THREADED_GC]]);
  applyGcMode({ gc: 'auto', busBackend: 'sqlite' }, [SINGLE_THREADED_GC], reexec);
  applyGcMode({ gc: 'parallel', busBackend: 'sqlite' }, [], reexec);
  applyGcMode({ gc: 'auto', busBackend: 'kafka' }, [], reexec);
  applyGcMode({ gc: 'single-threaded', busBackend: 'kafka' }, [], undefined);
  assert.equal(calls.length, 1);
});

test('a failed re-exec is a warning, and the process runs on', () => {
  const failing = (() => {
    throw new Error('EACCES');
  }) as never;
  const warning = applyGcMode({ gc: 'auto', busBackend: 'sqlite' }, [], failing);
  assert.match(warning ?? '', /could not restart with --single-threaded-gc \(EACCES\)/);
  assert.equal(applyGcMode({ gc: 'parallel', busBackend: 'sqlite' }, [], failing), undefined);
});
