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

test('raw series are read over 1m and 5m only; longer windows are sums of the 1m records', () => {
  for (const slo of slos) {
    const rules = sloRuleFile(slo).groups.flatMap((g) => g.rules);
    for (const r of rules.filter((x): x is RecordingRule => !isAlertRule(x))) {
      if (/smartgrid_/.test(r.expr))
        assert.doesNotMatch(r.expr, /\[(?!(1m|5m)\])[^\]]+\]/, `${slo.name} ${r.record}`);
    }
  }
  const rules = sloRuleFile(byName('ingest-availability')).groups.flatMap((g) => g.rules);
  const hour = rules.find((r) => !isAlertRule(r) && r.record === 'slo:sli_error:ratio_rate1h');
  // 59m15s: the rates of the increments a raw rate over the hour reads (see fineRange).
  assert.equal(
    hour?.expr,
    'sum_over_time(slo:sli_bad:rate1m{slo="ingest-availability"}[59m15s])\n/ sum_over_time(slo:sli_total:rate1m{slo="ingest-availability"}[59m15s])',
  );
});

test('alerts share a group with every record they read, so none reads a previous evaluation', () => {
  for (const slo of slos) {
    const [main, ...rest] = sloRuleFile(slo).groups;
    const recordedHere = new Set(main?.rules.flatMap((r) => (isAlertRule(r) ? [] : [r.record])));
    const alerts = (main?.rules ?? []).filter(isAlertRule);
    assert.ok(alerts.length > 0 && rest.every((g) => !g.rules.some(isAlertRule)), slo.name);
    for (const a of alerts)
      for (const [name] of a.expr.matchAll(/slo:[\w:]+/g))
        assert.ok(recordedHere.has(name), `${a.alert} ${name}`);
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
    /ratio_rate1h\{.*\} > \(14\.4 \* 0\.001\)\nand .*ratio_rate5m.*\nand avg_over_time\(slo:sli_total:rate1m\{slo="ingest-availability"\}\[59m15s\]\) \* 3600 >= 100$/,
  );
  const freshness = sloRuleFile(byName('data-freshness'))
    .groups.flatMap((g) => g.rules)
    .filter(isAlertRule);
  assert.ok(
    freshness.every((a) => !a.expr.includes('avg_over_time')),
    'no guard on a gauge SLI',
  );
});
