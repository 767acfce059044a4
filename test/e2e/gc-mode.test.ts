// GRIDOPS_GC for real: `gridops run` on the embedded bus re-executes itself once with V8's
// single-threaded GC and keeps its pid (signals still reach it); told `parallel`, it does not.
// Either way it sets the semi-space size (GRIDOPS_GC_SEMI_SPACE_MIB, default 16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGridops, waitReady } from '../support/gridops-process.ts';

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

for (const [setting, expected] of [
  ['auto', 'single-threaded'],
  ['parallel', 'parallel'],
] as const) {
  test(
    `GRIDOPS_GC=${setting} on the embedded bus runs with ${expected} GC`,
    { skip: process.platform !== 'linux' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gridops-gc-'));
      const g = await startGridops(['run', '--port', '0'], {
        GRIDOPS_DATA_DIR: join(dir, 'data'),
        GRIDOPS_API_KEYS: 'gc-test-key',
        GRIDOPS_GC: setting,
      });
      try {
        await waitReady(g);
        const args = cmdline(g.proc.pid!);
        assert.equal(args.includes('--single-threaded-gc'), expected === 'single-threaded', args.join(' '));
        assert.ok(args.includes('--max-semi-space-size=16'), args.join(' '));
        assert.match(g.stdout(), new RegExp(`"gc":"${expected}","setting":"${setting}","semiSpaceMiB":"16"`));
        g.proc.kill('SIGTERM');
        assert.equal(await g.exited, 0, g.stderr());
      } finally {
        g.proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}
