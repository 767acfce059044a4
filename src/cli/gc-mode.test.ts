import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyGcMode,
  givenSemiSpace,
  missingNodeFlags,
  SINGLE_THREADED_GC,
  wantsSingleThreadedGc,
} from './gc-mode.ts';

const SEMI16 = '--max-semi-space-size=16';

test('auto and single-threaded want the single-threaded GC; parallel does not', () => {
  assert.equal(wantsSingleThreadedGc({ gc: 'auto' }), true);
  assert.equal(wantsSingleThreadedGc({ gc: 'single-threaded' }), true);
  assert.equal(wantsSingleThreadedGc({ gc: 'parallel' }), false);
});

test('the flags missing: the GC mode and the semi-space size, unless given already or turned off', () => {
  assert.deepEqual(missingNodeFlags({ gc: 'auto', gcSemiSpaceMiB: 16 }, []), [SINGLE_THREADED_GC, SEMI16]);
  assert.deepEqual(missingNodeFlags({ gc: 'parallel', gcSemiSpaceMiB: 16 }, []), [SEMI16]);
  assert.deepEqual(missingNodeFlags({ gc: 'auto', gcSemiSpaceMiB: 0 }, []), [SINGLE_THREADED_GC]);
  assert.deepEqual(missingNodeFlags({ gc: 'auto', gcSemiSpaceMiB: 16 }, [SINGLE_THREADED_GC, SEMI16]), []);
  // A size given to Node by whoever started it wins, on the command line or in NODE_OPTIONS.
  assert.deepEqual(
    missingNodeFlags({ gc: 'parallel', gcSemiSpaceMiB: 16 }, ['--max_semi_space_size=64']),
    [],
  );
  assert.deepEqual(
    missingNodeFlags(
      { gc: 'parallel', gcSemiSpaceMiB: 16 },
      [],
      '--enable-source-maps --max-semi-space-size=8',
    ),
    [],
  );
  assert.deepEqual(missingNodeFlags({ gc: 'parallel', gcSemiSpaceMiB: 16 }, [], '--max-old-space-size=900'), [
    SEMI16,
  ]);
});

test('the semi-space size in effect, as given', () => {
  assert.equal(givenSemiSpace([SEMI16]), '16');
  assert.equal(givenSemiSpace([], '--max-semi-space-size=32'), '32');
  assert.equal(givenSemiSpace(['--max-old-space-size=512']), undefined);
});

test('re-executes once: not when the flags are in effect, not when nothing is asked, not without reexec', () => {
  const calls: (readonly string[])[] = [];
  const reexec = ((flags: readonly string[]) => {
    calls.push(flags);
  }) as never;
  applyGcMode({ gc: 'auto', gcSemiSpaceMiB: 16 }, ['--inspect'], reexec, '');
  assert.deepEqual(calls, [[SINGLE_THREADED_GC, SEMI16]]);
  applyGcMode({ gc: 'auto', gcSemiSpaceMiB: 16 }, [SINGLE_THREADED_GC, SEMI16], reexec, '');
  applyGcMode({ gc: 'parallel', gcSemiSpaceMiB: 0 }, [], reexec, '');
  applyGcMode({ gc: 'single-threaded', gcSemiSpaceMiB: 16 }, [], undefined, '');
  assert.equal(calls.length, 1);
});

test('a failed re-exec is a warning, and the process runs on', () => {
  const failing = (() => {
    throw new Error('EACCES');
  }) as never;
  const warning = applyGcMode({ gc: 'auto', gcSemiSpaceMiB: 16 }, [], failing, '');
  assert.match(
    warning ?? '',
    /could not restart with --single-threaded-gc --max-semi-space-size=16 \(EACCES\)/,
  );
  assert.equal(applyGcMode({ gc: 'parallel', gcSemiSpaceMiB: 0 }, [], failing, ''), undefined);
});
