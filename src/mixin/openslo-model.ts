// OpenSLO v1 documents (Service, SLI, SLO, AlertPolicy, AlertCondition) checked and resolved into
// the model the rule generator needs. Each problem becomes a SpecError with file, line, path and
// reason; nothing throws on bad input.
import { parseDuration, DAY, MINUTE } from './durations.ts';
import type { SpecDoc, SpecError } from './openslo-docs.ts';

export interface BurnTier {
  /** The AlertCondition's name; becomes the `tier` label Alertmanager inhibits on. */
  name: string;
  severity: 'page' | 'ticket';
  burnRate: number;
  longMs: number;
  shortMs: number;
  forMs?: number;
}

/** `events`: counter rates of bad (or good) and total; `samples`: a 0..1 badness per evaluation. */
export type SliModel =
  { type: 'events'; total: string; bad?: string; good?: string } | { type: 'samples'; badSample: string };

export interface SloModel {
  name: string;
  displayName: string;
  description: string;
  service: string;
  file: string;
  periodMs: number;
  objective: number;
  sli: SliModel;
  /** Events the long window must hold before a tier may alert (the minimum-traffic guard). */
  minEvents: number;
  tiers: BurnTier[];
}

type Path = (string | number)[];
const KINDS = ['Service', 'SLI', 'SLO', 'AlertPolicy', 'AlertCondition'] as const;
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** The SRE workbook's windows are stated for 30 days; other periods scale them. */
const BASE_PERIOD = 30 * DAY;
/** Every window is built from 5-minute recording rules, so none can be shorter. */
const MIN_WINDOW = 5 * MINUTE;
export const WINDOW_PLACEHOLDER = '{{ window }}';
const DEFAULT_MIN_EVENTS = 100;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Checker {
  readonly errors: SpecError[] = [];
  fail(doc: SpecDoc, path: Path, reason: string): undefined {
    this.errors.push({ file: doc.file, line: doc.lineOf(path), path: `/${path.join('/')}`, reason });
    return undefined;
  }
  at(doc: SpecDoc, path: Path, value = doc.value): unknown {
    return path.reduce<unknown>((v, k) => (isObj(v) || Array.isArray(v) ? (v as Obj)[k] : undefined), value);
  }
  obj(doc: SpecDoc, path: Path): Obj | undefined {
    const v = this.at(doc, path);
    return isObj(v) ? v : this.fail(doc, path, v === undefined ? 'is required' : 'must be a mapping');
  }
  str(doc: SpecDoc, path: Path, optional = false): string | undefined {
    const v = this.at(doc, path);
    if (v === undefined && optional) return undefined;
    return typeof v === 'string' && v !== ''
      ? v
      : this.fail(doc, path, v === undefined ? 'is required' : 'must be a non-empty string');
  }
  num(doc: SpecDoc, path: Path, min: number, max: number, optional = false): number | undefined {
    const v = this.at(doc, path);
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !(v > min && v < max))
      return this.fail(doc, path, `must be a number above ${min} and below ${max}`);
    return v;
  }
  duration(doc: SpecDoc, path: Path, optional = false): number | undefined {
    const text = this.str(doc, path, optional);
    if (text === undefined) return undefined;
    return parseDuration(text) ?? this.fail(doc, path, `"${text}" is not a duration like 5m, 1h or 30d`);
  }
  oneOf<T extends string>(doc: SpecDoc, path: Path, values: readonly T[], optional = false): T | undefined {
    const v = this.at(doc, path);
    if (v === undefined && optional) return undefined;
    return values.includes(v as T) ? (v as T) : this.fail(doc, path, `must be one of ${values.join(', ')}`);
  }
}

interface Named {
  doc: SpecDoc;
  /** Path of the object inside its document ([] for a top-level document). */
  base: Path;
  name: string;
}

/** Checks apiVersion/kind/name of every document and indexes them by kind and name. */
function indexDocs(c: Checker, docs: SpecDoc[]): Map<string, Map<string, Named>> {
  const index = new Map<string, Map<string, Named>>(KINDS.map((k) => [k, new Map()]));
  for (const doc of docs) {
    if (!isObj(doc.value)) {
      c.fail(doc, [], 'an OpenSLO document must be a mapping');
      continue;
    }
    if (doc.value.apiVersion !== 'openslo/v1') c.fail(doc, ['apiVersion'], 'must be openslo/v1');
    const kind = c.oneOf(doc, ['kind'], KINDS);
    const name = c.str(doc, ['metadata', 'name']);
    if (!kind || !name) continue;
    if (!NAME.test(name))
      c.fail(doc, ['metadata', 'name'], 'must be a DNS label (lower-case letters, digits, -)');
    const byName = index.get(kind) as Map<string, Named>;
    if (byName.has(name)) c.fail(doc, ['metadata', 'name'], `duplicate ${kind} "${name}"`);
    byName.set(name, { doc, base: [], name });
    c.obj(doc, ['spec']);
  }
  return index;
}

function query(c: Checker, doc: SpecDoc, path: Path, counter: boolean): string | undefined {
  if (c.oneOf(doc, [...path, 'metricSource', 'type'], ['Prometheus']) === undefined) return undefined;
  const q = c.str(doc, [...path, 'metricSource', 'spec', 'query']);
  if (q === undefined) return undefined;
  const has = q.includes(WINDOW_PLACEHOLDER);
  if (counter && !has)
    return c.fail(
      doc,
      [...path, 'metricSource', 'spec', 'query'],
      `a counter query needs the range placeholder [${WINDOW_PLACEHOLDER}]`,
    );
  if (!counter && has)
    return c.fail(
      doc,
      [...path, 'metricSource', 'spec', 'query'],
      `${WINDOW_PLACEHOLDER} is only for counter queries`,
    );
  return q;
}

const BAD_WHEN = { lt: '>=', lte: '>', gt: '<=', gte: '<' } as const;

/** The SLI of an SLO, with the objective's op/value for a thresholdMetric. */
function sliModel(c: Checker, sli: Named, objective: Path, sloDoc: SpecDoc): SliModel | undefined {
  const { doc, base } = sli;
  const spec = [...base, 'spec'];
  const threshold = c.at(doc, [...spec, 'thresholdMetric']);
  const ratio = c.at(doc, [...spec, 'ratioMetric']);
  if ((threshold === undefined) === (ratio === undefined))
    return c.fail(doc, spec, 'needs exactly one of thresholdMetric and ratioMetric');
  if (threshold !== undefined) {
    const q = query(c, doc, [...spec, 'thresholdMetric'], false);
    const op = c.oneOf(sloDoc, [...objective, 'op'], ['lt', 'lte', 'gt', 'gte'] as const);
    const value = c.num(sloDoc, [...objective, 'value'], -Infinity, Infinity);
    if (q === undefined || op === undefined || value === undefined) return undefined;
    // Worst series decides: the highest value for an upper bound, the lowest for a lower one.
    const agg = op.startsWith('l') ? 'max' : 'min';
    return { type: 'samples', badSample: `${agg}(${q}) ${BAD_WHEN[op]} bool ${value}` };
  }
  const r = [...spec, 'ratioMetric'];
  const counter = c.at(doc, [...r, 'counter']);
  if (typeof counter !== 'boolean') return c.fail(doc, [...r, 'counter'], 'must be true or false');
  const has = (k: string) => c.at(doc, [...r, k]) !== undefined;
  if (has('raw')) {
    if (counter) return c.fail(doc, [...r, 'counter'], 'a raw ratio is a gauge: counter must be false');
    const rawType = c.oneOf(doc, [...r, 'rawType'], ['success', 'failure'] as const);
    const q = query(c, doc, [...r, 'raw'], false);
    if (rawType === undefined || q === undefined) return undefined;
    return {
      type: 'samples',
      badSample: rawType === 'success' ? `clamp(1 - min(${q}), 0, 1)` : `clamp(max(${q}), 0, 1)`,
    };
  }
  if (!counter)
    return c.fail(
      doc,
      [...r, 'counter'],
      'good/bad/total ratios are built from counters: counter must be true',
    );
  if (has('good') === has('bad'))
    return c.fail(doc, r, 'needs total and exactly one of good and bad (or raw with rawType)');
  const total = query(c, doc, [...r, 'total'], true);
  const part = has('good') ? 'good' : 'bad';
  const q = query(c, doc, [...r, part], true);
  if (total === undefined || q === undefined) return undefined;
  return part === 'good' ? { type: 'events', total, good: q } : { type: 'events', total, bad: q };
}

/** An inline object (`{kind, metadata, spec}`) or a reference (`{<refKey>: name}` or a name). */
function resolve(
  c: Checker,
  doc: SpecDoc,
  path: Path,
  kind: string,
  refKey: string,
  index: Map<string, Map<string, Named>>,
): Named | undefined {
  const v = c.at(doc, path);
  const ref =
    typeof v === 'string' ? v : isObj(v) && typeof v[refKey] === 'string' ? (v[refKey] as string) : undefined;
  if (ref !== undefined) {
    return index.get(kind)?.get(ref) ?? c.fail(doc, path, `${kind} "${ref}" is not defined in any spec file`);
  }
  // OpenSLO's inline indicator has no `kind`; inline policies and conditions may carry one.
  if (!isObj(v) || (v.kind !== undefined && v.kind !== kind))
    return c.fail(doc, path, `must be a ${refKey} or an inline ${kind} (metadata and spec)`);
  const name = c.str(doc, [...path, 'metadata', 'name']);
  c.obj(doc, [...path, 'spec']);
  return name === undefined ? undefined : { doc, base: path, name };
}

function tier(c: Checker, cond: Named, periodMs: number): BurnTier | undefined {
  const { doc } = cond;
  const s = [...cond.base, 'spec'];
  const severity = c.oneOf(doc, [...s, 'severity'], ['page', 'ticket'] as const);
  c.oneOf(doc, [...s, 'condition', 'kind'], ['burnrate']);
  c.oneOf(doc, [...s, 'condition', 'op'], ['gte', 'gt']);
  const burnRate = c.num(doc, [...s, 'condition', 'threshold'], 0, 1000);
  const lookback = c.duration(doc, [...s, 'condition', 'lookbackWindow']);
  const forMs = c.duration(doc, [...s, 'condition', 'alertAfter'], true);
  if (severity === undefined || burnRate === undefined || lookback === undefined) return undefined;
  const round = (ms: number) => Math.max(MIN_WINDOW, Math.round(ms / MINUTE) * MINUTE);
  const longMs = round((lookback * periodMs) / BASE_PERIOD);
  // The workbook's short windows are 1/12 of the long ones (5m/1h, 30m/6h, 2h/1d, 6h/3d).
  const shortMs = round(longMs / 12);
  return { name: cond.name, severity, burnRate, longMs, shortMs, ...(forMs ? { forMs } : {}) };
}

export function buildModel(docs: SpecDoc[]): { slos: SloModel[]; errors: SpecError[] } {
  const c = new Checker();
  const index = indexDocs(c, docs);
  const slos: SloModel[] = [];
  for (const slo of index.get('SLO')?.values() ?? []) {
    const { doc } = slo;
    const service = c.str(doc, ['spec', 'service']);
    if (service !== undefined && !index.get('Service')?.has(service))
      c.fail(doc, ['spec', 'service'], `Service "${service}" is not defined in any spec file`);
    c.oneOf(doc, ['spec', 'budgetingMethod'], ['Occurrences']);
    const windows = c.at(doc, ['spec', 'timeWindow']);
    if (!Array.isArray(windows) || windows.length !== 1)
      c.fail(doc, ['spec', 'timeWindow'], 'must list exactly one time window');
    const periodMs = c.duration(doc, ['spec', 'timeWindow', 0, 'duration']);
    if (c.at(doc, ['spec', 'timeWindow', 0, 'isRolling']) !== true)
      c.fail(doc, ['spec', 'timeWindow', 0, 'isRolling'], 'only rolling windows are supported: must be true');
    if (periodMs !== undefined && (periodMs < DAY || periodMs > 90 * DAY))
      c.fail(doc, ['spec', 'timeWindow', 0, 'duration'], 'must be between 1d and 90d');
    const objectives = c.at(doc, ['spec', 'objectives']);
    if (!Array.isArray(objectives) || objectives.length !== 1)
      c.fail(doc, ['spec', 'objectives'], 'must list exactly one objective');
    const o: Path = ['spec', 'objectives', 0];
    const hasPercent = c.at(doc, [...o, 'targetPercent']) !== undefined;
    const objective = hasPercent
      ? (c.num(doc, [...o, 'targetPercent'], 0, 100) ?? NaN) / 100
      : c.num(doc, [...o, 'target'], 0, 1);
    const hasInline = c.at(doc, ['spec', 'indicator']) !== undefined;
    const sliRef = hasInline ? undefined : c.str(doc, ['spec', 'indicatorRef']);
    const sliNamed = hasInline
      ? resolve(c, doc, ['spec', 'indicator'], 'SLI', 'indicatorRef', index)
      : sliRef === undefined
        ? undefined
        : (index.get('SLI')?.get(sliRef) ??
          c.fail(doc, ['spec', 'indicatorRef'], `SLI "${sliRef}" is not defined in any spec file`));
    const sli = sliNamed ? sliModel(c, sliNamed, o, doc) : undefined;
    const minText = c.at(doc, ['metadata', 'annotations', 'gridops.io/min-events']);
    const minEvents = minText === undefined ? DEFAULT_MIN_EVENTS : Number(minText);
    if (!Number.isInteger(minEvents) || minEvents < 0)
      c.fail(doc, ['metadata', 'annotations', 'gridops.io/min-events'], 'must be a whole number of events');
    const tiers: BurnTier[] = [];
    const policies = c.at(doc, ['spec', 'alertPolicies']) ?? [];
    if (!Array.isArray(policies)) c.fail(doc, ['spec', 'alertPolicies'], 'must be a list');
    (Array.isArray(policies) ? policies : []).forEach((_, i) => {
      const policy = resolve(c, doc, ['spec', 'alertPolicies', i], 'AlertPolicy', 'alertPolicyRef', index);
      if (!policy) return;
      const conds = c.at(policy.doc, [...policy.base, 'spec', 'conditions']);
      if (!Array.isArray(conds) || conds.length === 0)
        return c.fail(policy.doc, [...policy.base, 'spec', 'conditions'], 'must list at least one condition');
      conds.forEach((_c, j) => {
        const cond = resolve(
          c,
          policy.doc,
          [...policy.base, 'spec', 'conditions', j],
          'AlertCondition',
          'conditionRef',
          index,
        );
        const t = cond && periodMs !== undefined ? tier(c, cond, periodMs) : undefined;
        if (t && tiers.some((x) => x.name === t.name))
          c.fail(doc, ['spec', 'alertPolicies', i], `tier "${t.name}" is selected twice`);
        else if (t) tiers.push(t);
      });
    });
    if (
      service === undefined ||
      periodMs === undefined ||
      objective === undefined ||
      !sli ||
      Number.isNaN(objective)
    )
      continue;
    slos.push({
      name: slo.name,
      displayName:
        typeof c.at(doc, ['metadata', 'displayName']) === 'string'
          ? (c.at(doc, ['metadata', 'displayName']) as string)
          : slo.name,
      description:
        typeof c.at(doc, ['spec', 'description']) === 'string'
          ? (c.at(doc, ['spec', 'description']) as string)
          : '',
      service,
      file: doc.file,
      periodMs,
      objective,
      sli,
      minEvents,
      tiers: tiers.sort((a, b) => b.burnRate - a.burnRate),
    });
  }
  return { slos, errors: c.errors };
}
