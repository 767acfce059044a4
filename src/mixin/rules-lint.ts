// `gridops rules lint`: checks the compiled rule files as Prometheus will load them. Every alert
// must carry severity and the three annotations, link a runbook that exists with its four
// sections, read only metrics the program exports (or rules record), and have promtool cases
// that show it firing and staying quiet; every recording rule must be covered by a test.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { exportedSeries } from './catalogue.ts';
import { metricNames } from './promql-names.ts';
import { isAlertRule, runbookPath, type PromtoolTestFile, type Rule, type RuleFile } from './rule-types.ts';

export const SEVERITIES = ['critical', 'warning', 'info', 'none'];
export const RUNBOOK_SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'];
const ANNOTATIONS = ['summary', 'description', 'runbook_url'];

export interface LintProblem {
  file: string;
  rule: string;
  reason: string;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** Rule files: compiled output plus any hand-written ones in monitoring/rules/. */
export function ruleFiles(dir: string): string[] {
  return [...yamlFiles(join(dir, 'compiled')), ...yamlFiles(join(dir, 'rules'))];
}

/** promtool test files: generated ones in compiled/tests/, hand-written ones in tests/. */
export function testFiles(dir: string): string[] {
  return [...yamlFiles(join(dir, 'compiled', 'tests')), ...yamlFiles(join(dir, 'tests'))];
}

interface Coverage {
  /** `alertname/tier` pairs some case expects to fire. */
  fires: Set<string>;
  quiet: Set<string>;
  /** promql_expr_test expressions, with the rule files their test file loads. */
  exprs: { expr: string; files: string[] }[];
}

function coverage(dir: string): Coverage {
  const cov: Coverage = { fires: new Set(), quiet: new Set(), exprs: [] };
  for (const file of testFiles(dir)) {
    const t = parse(readFileSync(file, 'utf8')) as PromtoolTestFile | null;
    const files = (t?.rule_files ?? []).map((f) => resolve(dirname(file), f));
    for (const c of t?.tests ?? []) {
      for (const a of c.alert_rule_test ?? []) {
        if (a.exp_alerts.length === 0) cov.quiet.add(a.alertname);
        // Keyed by alertname and tier, so each burn-rate tier needs its own firing case.
        for (const e of a.exp_alerts) cov.fires.add(`${a.alertname}/${e.exp_labels.tier ?? ''}`);
      }
      for (const e of c.promql_expr_test ?? []) cov.exprs.push({ expr: e.expr, files });
    }
  }
  return cov;
}

function runbookProblems(dir: string, alert: string): string[] {
  const file = join(dir, 'runbooks', `${alert}.md`);
  if (!existsSync(file)) return [`runbook ${runbookPath(alert)} does not exist`];
  const text = readFileSync(file, 'utf8');
  return RUNBOOK_SECTIONS.filter((s) => !new RegExp(`^#{2,3} ${s}\\s*$`, 'm').test(text)).map(
    (s) => `runbook ${runbookPath(alert)} has no "## ${s}" section`,
  );
}

export function lintRules(dir: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const rules: { file: string; rule: Rule }[] = [];
  for (const file of ruleFiles(dir)) {
    const parsed = parse(readFileSync(file, 'utf8')) as RuleFile | null;
    // Absolute paths, to match the rule_files a test file names relative to itself.
    for (const g of parsed?.groups ?? [])
      for (const rule of g.rules ?? []) rules.push({ file: resolve(file), rule });
  }
  const recorded = new Set(rules.flatMap(({ rule }) => (isAlertRule(rule) ? [] : [rule.record])));
  const exported = exportedSeries();
  const cov = coverage(dir);
  const index = existsSync(join(dir, 'RUNBOOKS.md')) ? readFileSync(join(dir, 'RUNBOOKS.md'), 'utf8') : '';
  // Records a tested expression or a tested alert reads, directly or through other records, are
  // covered. Every SLO records the same names, so a name resolves within the reader's own files.
  const exprsOf = (files: string[], record: string) =>
    rules.flatMap(({ file, rule }) =>
      !isAlertRule(rule) && rule.record === record && files.includes(file) ? [rule.expr] : [],
    );
  const covered = new Set<string>();
  const visit = (expr: string, files: string[]) => {
    for (const n of metricNames(expr)) {
      for (const f of files) {
        const key = `${f}#${n}`;
        if (!recorded.has(n) || covered.has(key)) continue;
        covered.add(key);
        for (const e of exprsOf([f], n)) visit(e, [f]);
      }
    }
  };
  for (const e of cov.exprs) visit(e.expr, e.files);
  for (const { file, rule } of rules) {
    if (isAlertRule(rule) && cov.fires.has(`${rule.alert}/${rule.labels?.tier ?? ''}`))
      visit(rule.expr, [file]);
  }
  const seenAlerts = new Set<string>();

  for (const { file, rule } of rules) {
    const name = isAlertRule(rule) ? rule.alert : rule.record;
    const add = (reason: string) => problems.push({ file, rule: name, reason });
    for (const m of metricNames(rule.expr)) {
      if (!exported.has(m) && !recorded.has(m))
        add(`reads "${m}", which the program does not export (docs/metrics.md) and no rule records`);
    }
    if (!isAlertRule(rule)) {
      if (!covered.has(`${file}#${rule.record}`))
        add('no promtool test reads this record (directly or through a tested alert)');
      continue;
    }
    const severity = rule.labels?.severity;
    if (!SEVERITIES.includes(severity ?? '')) add(`label severity must be one of ${SEVERITIES.join(', ')}`);
    for (const a of ANNOTATIONS) if (!rule.annotations?.[a]) add(`annotation ${a} is missing`);
    const url = rule.annotations?.runbook_url;
    if (url && url !== runbookPath(rule.alert)) add(`runbook_url must be ${runbookPath(rule.alert)}`);
    for (const p of runbookProblems(dir, rule.alert)) add(p);
    if (!cov.fires.has(`${rule.alert}/${rule.labels?.tier ?? ''}`))
      add(`no promtool case expects it to fire${rule.labels?.tier ? ` (tier ${rule.labels.tier})` : ''}`);
    // The Watchdog (vector(1)) cannot be quiet; every other alert needs a case where it is.
    if (rule.expr.trim() !== 'vector(1)' && !cov.quiet.has(rule.alert))
      add('no promtool case expects it to stay quiet');
    if (!seenAlerts.has(rule.alert) && !index.includes(`runbooks/${rule.alert}.md`))
      add(`RUNBOOKS.md does not link runbooks/${rule.alert}.md`);
    seenAlerts.add(rule.alert);
  }
  return problems;
}
