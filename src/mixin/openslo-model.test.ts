import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSpecError, parseSpecText } from './openslo-docs.ts';
import { buildModel } from './openslo-model.ts';
import { loadSlos } from './compile.ts';

const SERVICE = `apiVersion: openslo/v1
kind: Service
metadata:
  name: svc
spec: {}
`;

function slo(overrides: { target?: string; budgeting?: string; query?: string; rolling?: string } = {}) {
  return `${SERVICE}---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api
spec:
  service: svc
  indicator:
    metadata:
      name: api-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: ${overrides.query ?? 'rate(x_total{code="500"}[{{ window }}])'}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: rate(x_total[{{ window }}])
  timeWindow:
    - duration: 7d
      isRolling: ${overrides.rolling ?? 'true'}
  budgetingMethod: ${overrides.budgeting ?? 'Occurrences'}
  objectives:
    - target: ${overrides.target ?? '0.99'}
  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: fast
      spec:
        conditions:
          - kind: AlertCondition
            metadata:
              name: page-fast
            spec:
              severity: page
              condition:
                kind: burnrate
                op: gte
                threshold: 14.4
                lookbackWindow: 1h
`;
}

function errorsOf(text: string): string[] {
  const parsed = parseSpecText('slos/x.yaml', text);
  return [...parsed.errors, ...buildModel(parsed.docs).errors].map(formatSpecError);
}

test('the committed specs are valid: seven SLOs, each with tiers fastest first', () => {
  const { slos, errors } = loadSlos('monitoring');
  assert.deepEqual(errors, []);
  assert.equal(slos.length, 7);
  for (const s of slos) {
    const rates = s.tiers.map((t) => t.burnRate);
    assert.deepEqual(
      rates,
      [...rates].sort((a, b) => b - a),
      s.name,
    );
  }
});

test('inline indicator, inline policy and condition; windows scale with a 7-day period', () => {
  const parsed = parseSpecText('slos/x.yaml', slo());
  const { slos, errors } = buildModel(parsed.docs);
  assert.deepEqual(errors, []);
  const [s] = slos;
  assert.equal(s?.objective, 0.99);
  assert.equal(s?.sli.type, 'events');
  // 1h for 30 days is 14m for 7 days; the short window never goes below the 5m base rate.
  assert.deepEqual(
    s?.tiers.map((t) => [t.name, t.longMs / 60_000, t.shortMs / 60_000]),
    [['page-fast', 14, 5]],
  );
});

test('invalid specs give file, line, path and reason', () => {
  assert.deepEqual(errorsOf(slo({ target: '1.5' })), [
    'slos/x.yaml:34 /spec/objectives/0/target: must be a number above 0 and below 1',
  ]);
  assert.deepEqual(errorsOf(slo({ budgeting: 'Timeslices' })), [
    'slos/x.yaml:32 /spec/budgetingMethod: must be one of Occurrences',
  ]);
  assert.deepEqual(errorsOf(slo({ rolling: 'false' })), [
    'slos/x.yaml:31 /spec/timeWindow/0/isRolling: only rolling windows are supported: must be true',
  ]);
  assert.match(
    errorsOf(slo({ query: 'rate(x_total[5m])' })).join('\n'),
    /:23 .*bad\/metricSource\/spec\/query: a counter query needs/,
  );
  assert.match(
    errorsOf(slo().replace('service: svc', 'service: nope')).join('\n'),
    /:12 \/spec\/service: Service "nope" is not defined/,
  );
  assert.match(errorsOf('kind: [').join('\n'), /^slos\/x.yaml:1 #0: /);
  assert.match(
    errorsOf(SERVICE.replace('openslo/v1', 'openslo/v2')).join('\n'),
    /:1 \/apiVersion: must be openslo\/v1/,
  );
});
