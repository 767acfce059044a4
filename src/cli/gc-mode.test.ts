import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyGcMode, SINGLE_THREADED_GC, wantsSingleThreadedGc } from './gc-mode.ts';

test('auto and single-threaded want the single-threaded GC; parallel does not', () => {
  assert.equal(wantsSingleThreadedGc({ gc: 'auto' }), true);
  assert.equal(wantsSingleThreadedGc({ gc: 'single-threaded' }), true);
  assert.equal(wantsSingleThreadedGc({ gc: 'parallel' }), false);
});

test('re-executes once: not when the flag is in effect, not when told parallel, not without reexec', () => {
  const calls: (readonly string[])[] = [];
  const reexec = ((flags: readonly string[]) => {
    calls.push(flags);
  }) as never;
  applyGcMode({ gc: 'auto' }, ['--inspect'], reexec);
  assert.deepEqual(calls, [[SINGLE_THREADED_GC]]);
  applyGcMode({ gc: 'auto' }, [SINGLE_THREADED_GC], reexec);
  applyGcMode({ gc: 'parallel' }, [], reexec);
  applyGcMode({ gc: 'single-threaded' }, [], undefined);
  assert.equal(calls.length, 1);
});

test('a failed re-exec is a warning, and the process runs on', () => {
  const failing = (() => {
    throw new Error('EACCES');
  }) as never;
  const warning = applyGcMode({ gc: 'auto' }, [], failing);
  assert.match(warning ?? '', /could not restart with --single-threaded-gc \(EACCES\)/);
  assert.equal(applyGcMode({ gc: 'parallel' }, [], failing), undefined);
});
