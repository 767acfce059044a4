// The GRIDOPS_* settings of the rendered manifests against the program's own key table
// (src/app/config-schema.ts, what `gridops run --help` prints). Placeholders once named keys that
// gridops never read (GRIDOPS_PG_HOST, GRIDOPS_KAFKA_AUTH); these rules keep the manifests to
// keys that exist with values their parsers accept, secrets out of plain values, every file a key
// names under a mount, SASL with its credentials, and the split targets off the embedded column
// (per-pod SQLite files are not a shared bus or store).
import { CONFIG_SCHEMA, type KeySpec } from '../../src/app/config-schema.ts';
import type { K8sObject } from './policy.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

const SPECS = Object.values(CONFIG_SCHEMA) as KeySpec<unknown>[];
/** Secret keys: only from the environment or from `<KEY>_FILE` (config.ts). */
export const SECRET_KEYS = new Set(SPECS.filter((s) => s.secret).map((s) => s.env));
export const KNOWN_KEYS = new Set([...SPECS.map((s) => s.env), ...[...SECRET_KEYS].map((k) => `${k}_FILE`)]);
const BY_ENV = new Map(SPECS.map((s) => [s.env, s]));
/** Why gridops refuses this value at start (its own parser), or undefined; empty means unset. */
function refusal(key: string, value: string): string | undefined {
  const spec = BY_ENV.get(key);
  if (!spec || spec.secret || value === '') return undefined;
  try {
    spec.parse(value);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
/** Keys whose value is a file (or a comma list of files) that the process reads. */
const FILE_KEYS = (key: string) => key.endsWith('_FILE') || key === 'GRIDOPS_TLS_CERT_FILES';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
const ALL_TARGETS = ['ingest', 'processor', 'query'];

function podSpec(o: K8sObject): Obj {
  const spec = obj(o.spec);
  if (o.kind === 'CronJob') return obj(obj(obj(obj(obj(spec.jobTemplate).spec).template).spec));
  return obj(obj(spec.template).spec);
}

function targetsOf(args: unknown[], env: Map<string, string>): string[] | undefined {
  if (!args.includes('run')) return undefined;
  const flag = args.map(String).find((a) => a.startsWith('--target='));
  const spec = flag ? flag.slice('--target='.length) : (env.get('GRIDOPS_TARGET') ?? 'all');
  const names = spec.split(',').map((s) => s.trim());
  return names.includes('all') ? ALL_TARGETS : names;
}

export function checkConfigKeys(objects: K8sObject[], where: string): string[] {
  const v: string[] = [];
  const bad = (what: string) => v.push(`VIOLATION ${where} ${what}`);
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));

  for (const cm of configMaps.values()) {
    for (const key of Object.keys(obj(cm.data))) {
      if (!key.startsWith('GRIDOPS_')) continue;
      if (SECRET_KEYS.has(key))
        bad(`ConfigMap/${cm.metadata.name}: holds the secret ${key} (mount a Secret and set ${key}_FILE)`);
      else if (!KNOWN_KEYS.has(key))
        bad(`ConfigMap/${cm.metadata.name}: ${key} is not a gridops configuration key (gridops run --help)`);
      const why = refusal(key, String(obj(cm.data)[key]));
      if (why) bad(`ConfigMap/${cm.metadata.name}: ${key}=${String(obj(cm.data)[key])} ${why}`);
    }
  }

  for (const w of objects.filter((o) => WORKLOADS.has(o.kind))) {
    const pod = podSpec(w);
    for (const c of arr(pod.containers).map(obj)) {
      const name = `${w.kind}/${w.metadata.name} container ${String(c.name)}`;
      // The environment as the kubelet builds it: envFrom in order, then env, which wins.
      const env = new Map<string, string>();
      for (const from of arr(c.envFrom).map(obj)) {
        const cm = configMaps.get(String(obj(from.configMapRef).name));
        for (const [k, val] of Object.entries(obj(cm?.data))) env.set(k, String(val));
      }
      const fromSecret = new Set<string>();
      for (const e of arr(c.env).map(obj)) {
        const key = String(e.name);
        if (!key.startsWith('GRIDOPS_')) continue;
        if (!KNOWN_KEYS.has(key))
          bad(`${name}: ${key} is not a gridops configuration key (gridops run --help)`);
        if (isObj(e.valueFrom) && isObj(e.valueFrom.secretKeyRef)) fromSecret.add(key);
        else if (SECRET_KEYS.has(key)) bad(`${name}: sets the secret ${key} as a plain value`);
        const why = e.valueFrom === undefined ? refusal(key, String(e.value ?? '')) : undefined;
        if (why) bad(`${name}: ${key}=${String(e.value)} ${why}`);
        env.set(key, String(e.value ?? ''));
      }
      const mounts = arr(c.volumeMounts).map((m) => String(obj(m).mountPath).replace(/\/$/, ''));
      const mounted = (path: string) => mounts.some((m) => path === m || path.startsWith(`${m}/`));
      for (const [key, val] of env) {
        if (!key.startsWith('GRIDOPS_') || !FILE_KEYS(key)) continue;
        for (const path of val
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== '')) {
          if (!mounted(path)) bad(`${name}: ${key}=${path} is not under a volume mount of the container`);
        }
      }
      const targets = targetsOf(arr(c.args), env);
      if (targets) checkBackends(name, targets, env, fromSecret, mounted, bad);
    }
  }
  return v;
}

// What each target opens: the bus (ingest publishes, the processor consumes), the store (the
// processor writes, query reads), the cache (processor invalidates, query serves).
function checkBackends(
  name: string,
  targets: string[],
  env: Map<string, string>,
  fromSecret: Set<string>,
  mounted: (path: string) => boolean,
  bad: (what: string) => void,
): void {
  const uses = (...t: string[]) => targets.some((x) => t.includes(x));
  const split = targets.length < ALL_TARGETS.length;
  const bus = env.get('GRIDOPS_BUS') || 'sqlite';
  const store = env.get('GRIDOPS_STORE') || 'sqlite';
  const cache = env.get('GRIDOPS_CACHE') || 'memory';
  const has = (key: string) =>
    Boolean(env.get(key)) || fromSecret.has(key) || Boolean(env.get(`${key}_FILE`));
  if (split && uses('ingest', 'processor') && bus === 'sqlite')
    bad(`${name}: split target on the embedded bus (per-pod SQLite is not shared): set GRIDOPS_BUS=kafka`);
  if (split && uses('processor', 'query') && store === 'sqlite')
    bad(
      `${name}: split target on the embedded store (per-pod SQLite is not shared): set GRIDOPS_STORE=postgres`,
    );
  if (uses('ingest', 'processor') && bus === 'kafka' && !env.get('GRIDOPS_KAFKA_BROKERS'))
    bad(`${name}: GRIDOPS_BUS=kafka without GRIDOPS_KAFKA_BROKERS`);
  // As busSettings (src/app/backends.ts): SASL needs a user name and a password to open the bus.
  const sasl = env.get('GRIDOPS_KAFKA_SASL_MECHANISM') || 'none';
  if (uses('ingest', 'processor') && bus === 'kafka' && sasl !== 'none') {
    if (!env.get('GRIDOPS_KAFKA_SASL_USERNAME'))
      bad(`${name}: GRIDOPS_KAFKA_SASL_MECHANISM=${sasl} without GRIDOPS_KAFKA_SASL_USERNAME`);
    if (!has('GRIDOPS_KAFKA_SASL_PASSWORD'))
      bad(
        `${name}: GRIDOPS_KAFKA_SASL_MECHANISM=${sasl} without GRIDOPS_KAFKA_SASL_PASSWORD_FILE (or a secretKeyRef)`,
      );
  }
  // As storeSettings: only the modules that open the store (processor, query) read its settings.
  if (uses('processor', 'query') && store === 'postgres' && !has('GRIDOPS_POSTGRES_URL'))
    bad(`${name}: GRIDOPS_STORE=postgres without GRIDOPS_POSTGRES_URL_FILE (or a secretKeyRef)`);
  if (uses('processor', 'query') && cache === 'redis' && !has('GRIDOPS_REDIS_URL'))
    bad(`${name}: GRIDOPS_CACHE=redis without GRIDOPS_REDIS_URL_FILE (or a secretKeyRef)`);
  const dataDir = env.get('GRIDOPS_DATA_DIR') || './data';
  const writesData =
    (uses('ingest', 'processor') && bus === 'sqlite') || (uses('processor', 'query') && store === 'sqlite');
  if (writesData && !mounted(dataDir))
    bad(`${name}: the embedded column writes GRIDOPS_DATA_DIR=${dataDir}, which is not a volume mount`);
}
