import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileMixin, driftedFiles } from './compile.ts';
import { exportedSeries } from './catalogue.ts';
import { lintRules } from './rules-lint.ts';
import { counterValues, gaugeValues } from './slo-fixtures.ts';

test('monitoring/compiled/ is what the sources compile to (run gridops slo generate)', () => {
  const { files, errors } = compileMixin('monitoring');
  assert.deepEqual(errors, []);
  assert.deepEqual(driftedFiles('monitoring', files), []);
});

test('every alert of the committed mixin has its metrics exported, so none is pending', () => {
  assert.deepEqual(compileMixin('monitoring').pending, []);
});

test('an alert whose metric is not exported is left out and listed as pending', () => {
  const known = new Set([...exportedSeries()].filter((m) => !m.startsWith('smartgrid_store_disk_')));
  const { pending, files } = compileMixin('monitoring', 'monitoring', known);
  assert.deepEqual(
    pending.map((p) => p.alert),
    ['GridopsDiskFilling'],
  );
  assert.ok(![...files.values()].some((t) => t.includes('alert: GridopsDiskFilling')));
  assert.ok([...files.values()].some((t) => t.includes('alert: GridopsCertificateExpiring')));
});

test('lint passes on the committed mixin and names each broken thing on a copy', () => {
  assert.deepEqual(lintRules('monitoring'), []);
  const dir = mkdtempSync(join(tmpdir(), 'mixin-lint-'));
  try {
    cpSync('monitoring', dir, { recursive: true });
    unlinkSync(join(dir, 'runbooks', 'Watchdog.md'));
    const grid = join(dir, 'compiled', 'grid-alerts.yaml');
    writeFileSync(
      grid,
      readFileSync(grid, 'utf8').replace('smartgrid_grid_outages_active', 'smartgrid_grid_outages'),
    );
    const reasons = lintRules(dir).map((p) => `${p.rule}: ${p.reason}`);
    assert.ok(
      reasons.includes('Watchdog: runbook monitoring/runbooks/Watchdog.md does not exist'),
      reasons.join('\n'),
    );
    assert.ok(
      reasons.some((r) => r.startsWith('GridOutageCluster: reads "smartgrid_grid_outages"')),
      reasons.join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fixture series continue across phases without repeating a sample', () => {
  const phases = [
    { minutes: 3, perMinute: 10, errorRatio: 0 },
    { minutes: 2, perMinute: 10, errorRatio: 1 },
  ];
  // 0,10,20,30 then 40,50: six samples for 0..5 minutes.
  assert.equal(
    counterValues(phases, (p) => p.perMinute),
    '0+10x3 40+10x1',
  );
  assert.equal(
    gaugeValues(phases, (p) => p.errorRatio),
    '0x3 1x1',
  );
});
