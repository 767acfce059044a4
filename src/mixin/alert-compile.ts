// AlertSpec (TypeScript source) -> Prometheus alerting rule and its promtool cases. Labels and
// annotations every alert must have are added here, so a spec cannot forget them.
import { runbookPath, type AlertRule, type AlertSpec, type PromtoolTestCase } from './rule-types.ts';

/** The service label of the non-SLO alerts (SLO alerts take theirs from the OpenSLO Service). */
export const PLATFORM_SERVICE = 'gridops';

export function alertRule(spec: AlertSpec): AlertRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    ...(spec.for ? { for: spec.for } : {}),
    labels: { severity: spec.severity, service: PLATFORM_SERVICE, ...spec.labels },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: runbookPath(spec.alert),
    },
  };
}

/** A template with `{{ ... }}` renders differently per alert, so the case must spell it out. */
function rendered(spec: AlertSpec, field: 'summary' | 'description', given: string | undefined): string {
  if (given !== undefined) return given;
  if (spec[field].includes('{{'))
    throw new Error(`${spec.alert}: its ${field} is a template, so test.fires must give the rendered text`);
  return spec[field];
}

export function alertTestCases(spec: AlertSpec): PromtoolTestCase[] {
  const rule = alertRule(spec);
  const { fires, quiet } = spec.test;
  const cases: PromtoolTestCase[] = [
    {
      name: `${spec.alert} fires`,
      interval: '1m',
      input_series: fires.series,
      alert_rule_test: [
        {
          eval_time: fires.at,
          alertname: spec.alert,
          exp_alerts: [
            {
              exp_labels: { ...rule.labels, ...fires.labels },
              exp_annotations: {
                ...rule.annotations,
                summary: rendered(spec, 'summary', fires.summary),
                description: rendered(spec, 'description', fires.description),
              },
            },
          ],
        },
      ],
    },
  ];
  if (quiet) {
    cases.push({
      name: `${spec.alert} stays quiet`,
      interval: '1m',
      input_series: quiet.series,
      alert_rule_test: [{ eval_time: quiet.at, alertname: spec.alert, exp_alerts: [] }],
    });
  }
  return cases;
}
