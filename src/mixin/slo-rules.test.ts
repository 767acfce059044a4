import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSlos } from './compile.ts';
import { isAlertRule, type AlertRule, type RecordingRule } from './rule-types.ts';
import { sloAlertName, sloRuleFile, sloWindows } from './slo-rules.ts';

const { slos } = loadSlos('monitoring');
const byName = (n: string) => slos.find((s) => s.name === n) ?? assert.fail(n);

test('30-day SLOs use the SRE workbook windows; 28 days scales them', () => {
  assert.deepEqual(sloWindows(byName('ingest-availability')), ['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  assert.deepEqual(sloWindows(byName('processing-dead-letter')), [
    '5m',
    '28m',
    '56m',
    '1h52m',
    '5h36m',
    '22h24m',
    '2d19h12m',
  ]);
});

test('raw series are read over 5m only; longer windows come from the 5m records', () => {
  for (const slo of slos) {
    const rules = sloRuleFile(slo).groups.flatMap((g) => g.rules);
    for (const r of rules.filter((x): x is RecordingRule => !isAlertRule(x))) {
      if (/smartgrid_/.test(r.expr))
        assert.doesNotMatch(r.expr, /\[(?!5m\])[^\]]+\]/, `${slo.name} ${r.record}`);
    }
  }
});

test('page tiers page, ticket tiers ticket, and event SLIs carry the traffic guard', () => {
  const alerts = sloRuleFile(byName('ingest-availability'))
    .groups.flatMap((g) => g.rules)
    .filter(isAlertRule);
  assert.equal(sloAlertName(byName('ingest-availability')), 'IngestAvailabilityBudgetBurn');
  assert.deepEqual(
    alerts.map((a: AlertRule) => [a.labels.tier, a.labels.severity]),
    [
      ['page-fast', 'critical'],
      ['page-slow', 'critical'],
      ['ticket-fast', 'warning'],
      ['ticket-slow', 'warning'],
    ],
  );
  assert.match(
    alerts[0]?.expr ?? '',
    /ratio_rate1h\{.*\} > \(14\.4 \* 0\.001\)\nand .*ratio_rate5m.*\nand avg_over_time\(slo:sli_total:rate5m\{slo="ingest-availability"\}\[1h\]\) \* 3600 >= 100$/,
  );
  const freshness = sloRuleFile(byName('data-freshness'))
    .groups.flatMap((g) => g.rules)
    .filter(isAlertRule);
  assert.ok(
    freshness.every((a) => !a.expr.includes('avg_over_time')),
    'no guard on a gauge SLI',
  );
});
