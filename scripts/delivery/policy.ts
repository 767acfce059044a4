// Policy checks of the delivery files, used by scripts/delivery/check (one subcommand per check):
//
//   node scripts/delivery/policy.ts k8s <rendered.yaml>...          workload and cluster policy, GRIDOPS_* keys
//   node scripts/delivery/policy.ts argocd <root> <rendered-dir>     Argo CD project, apps, ownership
//   node scripts/delivery/policy.ts compose <compose.yaml>           pinned images, limits, checks
//   node scripts/delivery/policy.ts dockerfile <root>                hadolint-like rules of our own
//   node scripts/delivery/policy.ts dockerignore <root>              list the build context's files
//   node scripts/delivery/policy.ts parity <root>                    pipelines call the same steps
//
// Each prints one line per violation ("VIOLATION <where>: <what>") and exits 1 if there is any.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { checkConfigKeys } from './config-keys.ts';

type Obj = Record<string, unknown>;
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Obj;
} & Obj;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

export function loadObjects(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message);
    const v = doc.toJS() as unknown;
    if (isObj(v) && typeof v.kind === 'string') out.push(v as K8sObject);
  }
  return out;
}

const id = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

// ------------------------------------------------------------------------------------------------
// Kubernetes workload policy

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

function podTemplate(o: K8sObject): Obj | undefined {
  const spec = obj(o.spec);
  if (o.kind === 'CronJob') return obj(obj(obj(obj(spec.jobTemplate).spec).template));
  return isObj(spec.template) ? spec.template : undefined;
}

function labelsMatch(selector: Obj, labels: Record<string, string>): boolean {
  const ml = obj(selector.matchLabels) as Record<string, string>;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of arr(selector.matchExpressions)) {
    const { key, operator, values } = e as { key: string; operator: string; values?: string[] };
    const has = key in labels;
    const val = labels[key];
    if (operator === 'In' && !(has && (values ?? []).includes(val as string))) return false;
    if (operator === 'NotIn' && has && (values ?? []).includes(val as string)) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function imagePinned(image: string): string | null {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return null;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon < 0) return `image ${image} has no tag or digest`;
  const tag = lastSegment.slice(colon + 1);
  if (tag === 'latest' || tag === '') return `image ${image} uses the tag "${tag}"`;
  return null;
}

export function checkK8s(objects: K8sObject[], where: string): string[] {
  const v: string[] = [];
  const bad = (o: K8sObject | string, what: string) =>
    v.push(`VIOLATION ${where} ${typeof o === 'string' ? o : id(o)}: ${what}`);
  const byKind = (k: string) => objects.filter((o) => o.kind === k);
  const hpaTargets = new Set(
    byKind('HorizontalPodAutoscaler').map((h) => {
      const ref = obj(obj(h.spec).scaleTargetRef);
      return `${String(ref.kind)}/${String(ref.name)}`;
    }),
  );
  for (const h of byKind('HorizontalPodAutoscaler')) {
    const ref = obj(obj(h.spec).scaleTargetRef);
    if (!objects.some((o) => o.kind === ref.kind && o.metadata.name === ref.name)) {
      bad(h, `scales ${String(ref.kind)}/${String(ref.name)}, which is not rendered`);
    }
  }
  const policies = byKind('NetworkPolicy');
  const defaultDeny = policies.some((p) => {
    const s = obj(p.spec);
    const types = arr(s.policyTypes);
    return (
      Object.keys(obj(s.podSelector)).length === 0 &&
      types.includes('Ingress') &&
      types.includes('Egress') &&
      arr(s.ingress).length === 0 &&
      arr(s.egress).length === 0
    );
  });
  if (!defaultDeny)
    bad('NetworkPolicy', 'no default-deny policy (empty podSelector, Ingress and Egress, no rules)');

  for (const ns of byKind('Namespace')) {
    if (ns.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
      bad(ns, 'does not enforce the Pod Security "restricted" profile');
    }
  }
  for (const sa of byKind('ServiceAccount')) {
    if (sa.automountServiceAccountToken !== false) bad(sa, 'automountServiceAccountToken is not false');
  }

  const podLabels: Record<string, string>[] = [];
  for (const w of objects.filter((o) => WORKLOADS.has(o.kind))) {
    const tpl = podTemplate(w);
    if (!tpl) {
      bad(w, 'no pod template');
      continue;
    }
    const labels = (obj(tpl.metadata).labels ?? {}) as Record<string, string>;
    podLabels.push(labels);
    const pod = obj(tpl.spec);
    const psc = obj(pod.securityContext);
    if (pod.automountServiceAccountToken !== false) bad(w, 'pod automountServiceAccountToken is not false');
    if (pod.hostNetwork === true || pod.hostPID === true || pod.hostIPC === true)
      bad(w, 'uses host namespaces');
    if (arr(pod.volumes).some((vol) => isObj(vol) && 'hostPath' in vol)) bad(w, 'mounts a hostPath volume');
    const podSeccomp = obj(psc.seccompProfile).type;
    const containers = arr(pod.containers).map(obj);
    const inits = arr(pod.initContainers).map(obj);
    if (containers.length === 0) bad(w, 'no containers');
    for (const [c, init] of [
      ...containers.map((c) => [c, false] as const),
      ...inits.map((c) => [c, true] as const),
    ]) {
      const cname = `${id(w)} container ${String(c.name)}`;
      const csc = obj(c.securityContext);
      const runAsNonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
      const runAsUser = csc.runAsUser ?? psc.runAsUser;
      if (runAsNonRoot !== true) bad(cname, 'may run as root (runAsNonRoot is not true)');
      if (runAsUser === 0) bad(cname, 'runs as root (runAsUser 0)');
      if (csc.allowPrivilegeEscalation !== false) bad(cname, 'allowPrivilegeEscalation is not false');
      if (csc.privileged === true) bad(cname, 'is privileged');
      const caps = obj(csc.capabilities);
      if (!arr(caps.drop).includes('ALL')) bad(cname, 'does not drop ALL capabilities');
      const added = arr(caps.add).filter((a) => a !== 'NET_BIND_SERVICE');
      if (added.length > 0) bad(cname, `adds capabilities ${added.join(', ')}`);
      const seccomp = obj(csc.seccompProfile).type ?? podSeccomp;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
        bad(cname, 'no RuntimeDefault seccomp profile');
      if (csc.readOnlyRootFilesystem !== true) bad(cname, 'has a writable root filesystem');
      const res = obj(c.resources);
      for (const r of ['cpu', 'memory']) {
        if (obj(res.limits)[r] === undefined) bad(cname, `no ${r} limit`);
        if (obj(res.requests)[r] === undefined) bad(cname, `no ${r} request`);
      }
      const image = typeof c.image === 'string' ? c.image : '';
      const pin = imagePinned(image);
      if (pin) bad(cname, pin);
      if (!init) {
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
          if (!isObj(c[probe])) bad(cname, `no ${probe}`);
        }
      }
    }
    if (w.kind === 'Deployment' || w.kind === 'StatefulSet') {
      const spec = obj(w.spec);
      const scaled = hpaTargets.has(id(w));
      if (scaled && spec.replicas !== undefined) {
        bad(w, 'sets replicas although a HorizontalPodAutoscaler owns the count (GitOps would fight it)');
      }
      if (!scaled && spec.replicas === undefined)
        bad(w, 'has neither replicas nor a HorizontalPodAutoscaler');
      if (arr(pod.topologySpreadConstraints).length === 0) bad(w, 'no topologySpreadConstraints');
      const pdb = byKind('PodDisruptionBudget').some((p) => labelsMatch(obj(obj(p.spec).selector), labels));
      if (!pdb) bad(w, 'no PodDisruptionBudget selects its pods');
      const np = policies.some(
        (p) =>
          Object.keys(obj(obj(p.spec).podSelector)).length > 0 &&
          labelsMatch(obj(obj(p.spec).podSelector), labels),
      );
      if (!np) bad(w, 'no NetworkPolicy (besides default deny) selects its pods');
    }
  }
  for (const s of byKind('Service')) {
    const sel = obj(obj(s.spec).selector) as Record<string, string>;
    if (Object.keys(sel).length === 0) continue;
    if (!podLabels.some((l) => Object.entries(sel).every(([k, val]) => l[k] === val))) {
      bad(s, 'selects no rendered pod');
    }
  }
  return v;
}

// ------------------------------------------------------------------------------------------------
// Argo CD: project scope, one Application per environment, sync policies, resource ownership

export function renderGoTemplate(template: string, vars: Obj): string {
  // The subset the ApplicationSet uses: {{ .key }} and {{- if .key }} ... {{- end }}.
  let out = template.replace(
    /\{\{-?\s*if\s+\.(\w+)\s*\}\}([\s\S]*?)\{\{-?\s*end\s*\}\}/g,
    (_m, key: string, body: string) => (vars[key] ? body : ''),
  );
  out = out.replace(/\{\{-?\s*\.(\w+)\s*-?\}\}/g, (_m, key: string) => {
    if (!(key in vars)) throw new Error(`template variable .${key} is not defined (missingkey=error)`);
    return String(vars[key]);
  });
  if (/\{\{/.test(out))
    throw new Error(`unsupported template syntax in: ${out.slice(out.indexOf('{{'), 60)}`);
  return out;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (isObj(a) && isObj(b)) {
    const out: Obj = { ...a };
    for (const [k, val] of Object.entries(b)) out[k] = deepMerge(a[k], val);
    return out;
  }
  return b === undefined ? a : b;
}

export interface GeneratedApp {
  name: string;
  env: string;
  spec: Obj;
}

export function generateApps(appset: K8sObject): GeneratedApp[] {
  const spec = obj(appset.spec);
  const apps: GeneratedApp[] = [];
  for (const gen of arr(spec.generators)) {
    for (const el of arr(obj(obj(gen).list).elements)) {
      const vars = obj(el);
      const tpl = parseYaml(renderGoTemplate(JSON.stringify(spec.template), vars)) as Obj;
      const patch = typeof spec.templatePatch === 'string' ? renderGoTemplate(spec.templatePatch, vars) : '';
      const patched = (patch.trim() ? deepMerge(tpl, parseYaml(patch)) : tpl) as Obj;
      apps.push({ name: String(obj(patched.metadata).name), env: String(vars.env), spec: obj(patched.spec) });
    }
  }
  return apps;
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);
const groupOf = (apiVersion: string): string =>
  apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';

export function checkArgoCd(argocd: K8sObject[], rendered: Map<string, K8sObject[]>, root: string): string[] {
  const v: string[] = [];
  const bad = (what: string) => v.push(`VIOLATION argocd: ${what}`);
  const projects = argocd.filter((o) => o.kind === 'AppProject');
  const appsets = argocd.filter((o) => o.kind === 'ApplicationSet');
  if (projects.length !== 1) bad(`expected one AppProject, found ${projects.length}`);
  if (appsets.length !== 1) bad(`expected one ApplicationSet, found ${appsets.length}`);
  const project = projects[0];
  const appset = appsets[0];
  if (!project || !appset) return v;
  const ps = obj(project.spec);
  const repos = arr(ps.sourceRepos).map(String);
  if (repos.length === 0 || repos.some((r) => r.includes('*')))
    bad('AppProject sourceRepos must list this repository, no wildcard');
  const dests = arr(ps.destinations).map(obj);
  if (dests.length === 0) bad('AppProject has no destinations');
  for (const d of dests) {
    if (String(d.namespace ?? '*').includes('*') || String(d.server ?? d.name ?? '*').includes('*')) {
      bad(`AppProject destination ${JSON.stringify(d)} uses a wildcard`);
    }
  }
  const clusterKinds = arr(ps.clusterResourceWhitelist).map(obj);
  const nsKinds = arr(ps.namespaceResourceWhitelist).map(obj);
  if (nsKinds.length === 0) bad('AppProject has no namespaceResourceWhitelist (every kind would be allowed)');
  for (const k of [...clusterKinds, ...nsKinds]) {
    if (String(k.kind).includes('*') || String(k.group).includes('*'))
      bad(`AppProject whitelists a wildcard ${JSON.stringify(k)}`);
  }
  const allowed = (list: Obj[], group: string, kind: string) =>
    list.some((k) => k.group === group && k.kind === kind);
  const windows = arr(ps.syncWindows).map(obj);

  if (obj(obj(appset.spec).syncPolicy).preserveResourcesOnDeletion !== true) {
    bad('ApplicationSet does not preserve resources on deletion: deleting it would delete every environment');
  }
  let apps: GeneratedApp[];
  try {
    apps = generateApps(appset);
  } catch (err) {
    bad(`ApplicationSet template: ${(err as Error).message}`);
    return v;
  }
  const envs = apps.map((a) => a.env).sort();
  if (envs.join(',') !== 'dev,prod,staging')
    bad(`ApplicationSet must make one Application per environment, makes: ${envs.join(',')}`);
  if (new Set(apps.map((a) => a.name)).size !== apps.length) bad('two Applications share a name');

  const owner = new Map<string, string>();
  for (const app of apps) {
    const where = `Application ${app.name}`;
    const src = obj(app.spec.source);
    const dst = obj(app.spec.destination);
    const sp = obj(app.spec.syncPolicy);
    const auto = obj(sp.automated);
    if (app.spec.project !== project.metadata.name)
      bad(`${where} is not in project ${project.metadata.name}`);
    if (!repos.includes(String(src.repoURL)))
      bad(`${where} source ${String(src.repoURL)} is not in the project's sourceRepos`);
    if (src.path !== `deploy/kubernetes/overlays/${app.env}`)
      bad(`${where} does not deploy overlays/${app.env}`);
    if (!existsSync(join(root, String(src.path), 'kustomization.yaml')))
      bad(`${where} path ${String(src.path)} does not exist`);
    if (
      !dests.some((d) => (d.server ?? d.name) === (dst.server ?? dst.name) && d.namespace === dst.namespace)
    ) {
      bad(
        `${where} destination ${String(dst.server)} ${String(dst.namespace)} is not allowed by the project`,
      );
    }
    if (app.env === 'dev' && !(auto.prune === true && auto.selfHeal === true)) {
      bad(`${where}: dev must sync automatically with prune and self-heal`);
    }
    if (app.env === 'prod') {
      if ('automated' in sp) bad(`${where}: prod must not sync automatically`);
      const win = windows.find(
        (w) => w.kind === 'allow' && arr(w.applications).includes(app.name) && w.manualSync === true,
      );
      if (!win) bad(`${where}: no allow sync window with manualSync for prod in the AppProject`);
    }
    const objects = rendered.get(app.env);
    if (!objects) {
      bad(`${where}: overlay ${app.env} was not rendered`);
      continue;
    }
    for (const o of objects) {
      const group = groupOf(o.apiVersion);
      const cluster = CLUSTER_SCOPED.has(o.kind);
      if (cluster) {
        if (!allowed(clusterKinds, group, o.kind))
          bad(`${where} deploys cluster-scoped ${o.kind} not whitelisted`);
      } else {
        if (!allowed(nsKinds, group, o.kind))
          bad(`${where} deploys ${group || 'core'}/${o.kind} not whitelisted`);
        if (o.metadata.namespace !== dst.namespace) {
          bad(
            `${where}: ${id(o)} is in namespace ${String(o.metadata.namespace)}, not ${String(dst.namespace)}`,
          );
        }
      }
      // Ownership across Applications, as if every environment shared one cluster (stricter).
      const key = cluster
        ? `${group}/${o.kind}/${o.metadata.name}`
        : `${group}/${o.kind}/${String(o.metadata.namespace)}/${o.metadata.name}`;
      const prev = owner.get(key);
      if (prev && prev !== app.name) bad(`${key} is owned by both ${prev} and ${app.name}`);
      owner.set(key, app.name);
    }
  }
  return v;
}

// ------------------------------------------------------------------------------------------------
// Compose

export function checkCompose(text: string): string[] {
  const v: string[] = [];
  const doc = parseYaml(text, { merge: true }) as Obj;
  const services = obj(doc.services);
  const bad = (s: string, what: string) => v.push(`VIOLATION compose service ${s}: ${what}`);
  const profiles = new Set<string>();
  for (const [name, raw] of Object.entries(services)) {
    const s = obj(raw);
    for (const p of arr(s.profiles)) profiles.add(String(p));
    const image = typeof s.image === 'string' ? s.image : '';
    if (!image) bad(name, 'no image');
    else if (isObj(s.build)) {
      if (obj(s.build).dockerfile !== 'deploy/docker/Dockerfile')
        bad(name, 'gridops must build from deploy/docker/Dockerfile');
    } else {
      const pin = imagePinned(image);
      if (pin) bad(name, pin);
    }
    const limit = obj(obj(obj(s.deploy).resources).limits).memory ?? s.mem_limit;
    if (limit === undefined) bad(name, 'no memory limit');
    const hc = obj(s.healthcheck);
    const exempt = s['x-gridops-healthcheck-exempt'];
    if (hc.disable === true || (!hc.test && !(typeof exempt === 'string' && exempt.length > 10))) {
      bad(name, 'no healthcheck (or x-gridops-healthcheck-exempt with the reason)');
    }
    if (isObj(s.build)) {
      if (s.read_only !== true) bad(name, 'gridops must run with a read-only root filesystem');
      if (!/^[1-9][0-9]*(:[0-9]+)?$/.test(String(s.user ?? '')))
        bad(name, 'gridops must run as a numeric non-root user');
      if (!arr(s.cap_drop).includes('ALL')) bad(name, 'gridops must drop ALL capabilities');
    }
  }
  for (const p of ['monolith', 'microservices'])
    if (!profiles.has(p)) v.push(`VIOLATION compose: no "${p}" profile`);
  return v;
}

// ------------------------------------------------------------------------------------------------
// Dockerfile: the rules hadolint would apply that matter here, plus ours

export interface Instruction {
  line: number;
  cmd: string;
  args: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  let buf = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (buf === '' && /^\s*(#.*)?$/.test(line)) continue;
    if (buf !== '' && /^\s*#/.test(line)) continue;
    if (buf === '') start = i + 1;
    if (/\\\s*$/.test(line)) {
      buf += line.replace(/\\\s*$/, ' ');
      continue;
    }
    buf += line;
    const m = /^\s*(\w+)\s*(.*)$/s.exec(buf);
    if (m) out.push({ line: start, cmd: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim() });
    buf = '';
  }
  return out;
}

export function checkDockerfile(text: string, lockNodeVersion: string | undefined): string[] {
  const v: string[] = [];
  const ins = parseDockerfile(text);
  const bad = (i: Instruction | undefined, rule: string, what: string) =>
    v.push(`VIOLATION Dockerfile${i ? `:${i.line}` : ''} ${rule}: ${what}`);
  const globalArgs = new Map<string, string>();
  const froms = ins.filter((i) => i.cmd === 'FROM');
  for (const i of ins) {
    if (i.cmd === 'FROM') break;
    if (i.cmd === 'ARG') {
      const [k, val] = i.args.split('=', 2);
      if (k) globalArgs.set(k.trim(), (val ?? '').trim());
    }
  }
  const expand = (s: string) =>
    s.replace(
      /\$\{(\w+)\}|\$(\w+)/g,
      (_m, a?: string, b?: string) => globalArgs.get((a ?? b) as string) ?? '',
    );
  if (froms.length < 2) bad(undefined, 'GD001', 'not a multi-stage build');
  const stages = new Set<string>();
  for (const f of froms) {
    const parts = f.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    const image = expand(parts[0] ?? '');
    if (parts[1]?.toUpperCase() === 'AS' && parts[2]) stages.add(parts[2]);
    if (stages.has(image) && parts[0] === image) continue;
    const pin = imagePinned(image);
    if (pin) bad(f, 'GD002', `base ${pin}`);
    if (/^(docker\.io\/library\/)?node:/.test(image)) {
      const tag = image.slice(image.indexOf(':') + 1);
      if (!/^24\.\d+\.\d+-/.test(tag))
        bad(f, 'GD003', `Node.js base must be pinned to a 24.x.y release, is ${tag}`);
      if (lockNodeVersion && !tag.startsWith(`${lockNodeVersion}-`)) {
        bad(
          f,
          'GD004',
          `Node.js ${tag} differs from the node devDependency ${lockNodeVersion} in package-lock.json`,
        );
      }
    }
  }
  const lastFrom = ins.lastIndexOf(froms[froms.length - 1] as Instruction);
  const final = ins.slice(lastFrom);
  const users = final.filter((i) => i.cmd === 'USER');
  const user = users[users.length - 1];
  if (!user) bad(undefined, 'GD005', 'the final stage sets no USER (it would run as root)');
  else if (!/^[1-9][0-9]*(:[1-9][0-9]*)?$/.test(user.args))
    bad(user, 'GD005', `USER ${user.args} must be a numeric non-root uid[:gid]`);
  const hc = final.findLast((i) => i.cmd === 'HEALTHCHECK'); // the last one counts
  if (!hc || /^NONE\b/i.test(hc.args)) bad(undefined, 'GD006', 'the final stage has no HEALTHCHECK');
  for (const i of ins) {
    if (i.cmd === 'ADD') {
      if (/(https?|ftp):\/\/|git@|\.git\b/.test(i.args))
        bad(i, 'GD007', 'ADD of a URL: fetch in a RUN with a checksum, or COPY');
      else bad(i, 'GD007', 'use COPY for local files (ADD unpacks archives implicitly)');
    }
    if (i.cmd === 'RUN') {
      if (/\bsudo\b/.test(i.args)) bad(i, 'GD008', 'sudo in RUN');
      if (/\bnpm (install|i)\b/.test(i.args))
        bad(i, 'GD009', 'npm install: use npm ci (the lock file decides)');
      if (/\bnpm ci\b/.test(i.args) && !/--omit=dev/.test(i.args))
        bad(i, 'GD010', 'npm ci without --omit=dev');
      if (/apt-get install/.test(i.args)) {
        if (!/--no-install-recommends/.test(i.args))
          bad(i, 'GD011', 'apt-get install without --no-install-recommends');
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(i.args))
          bad(i, 'GD011', 'apt lists not removed in the same layer');
      }
      if (/\bcurl\b[^|]*\|\s*(ba)?sh/.test(i.args)) bad(i, 'GD012', 'curl piped into a shell');
    }
    if (i.cmd === 'WORKDIR' && !i.args.startsWith('/')) bad(i, 'GD013', 'WORKDIR must be absolute');
    if ((i.cmd === 'CMD' || i.cmd === 'ENTRYPOINT') && !i.args.startsWith('[')) {
      bad(i, 'GD014', `${i.cmd} in shell form: signals would not reach the process`);
    }
  }
  if (!ins.some((i) => i.cmd === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))) {
    bad(undefined, 'GD010', 'no production-only dependency install (npm ci --omit=dev)');
  }
  const labels = final
    .filter((i) => i.cmd === 'LABEL')
    .map((i) => i.args)
    .join(' ');
  for (const l of ['title', 'source', 'revision', 'version', 'created', 'licenses']) {
    if (!labels.includes(`org.opencontainers.image.${l}=`))
      bad(undefined, 'GD015', `OCI label org.opencontainers.image.${l} missing`);
  }
  const finalArgs = final.filter((i) => i.cmd === 'ARG').map((i) => i.args.split('=')[0]);
  const env = final
    .filter((i) => i.cmd === 'ENV')
    .map((i) => i.args)
    .join(' ');
  if (!finalArgs.includes('GRIDOPS_TARGET') || !/GRIDOPS_TARGET=\$\{?GRIDOPS_TARGET\}?/.test(env)) {
    bad(
      undefined,
      'GD016',
      'the target is not chosen by a build argument (ARG GRIDOPS_TARGET -> ENV GRIDOPS_TARGET)',
    );
  }
  if (!/GRIDOPS_HOST=0\.0\.0\.0/.test(env))
    bad(undefined, 'GD017', 'GRIDOPS_HOST must be 0.0.0.0 in a container');
  if (!/GRIDOPS_DATA_DIR=\//.test(env))
    bad(undefined, 'GD018', 'GRIDOPS_DATA_DIR must be an absolute path (the volume)');
  if (!final.some((i) => i.cmd === 'VOLUME' && i.args.includes('/var/lib/gridops'))) {
    bad(undefined, 'GD018', 'the data directory is not a VOLUME (read-only root filesystem)');
  }
  return v;
}

/** A .dockerignore pattern as a regular expression (Go filepath.Match plus `**`; `*` matches dot files). */
export function dockerGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      re += end > i ? pattern.slice(i, end + 1).replace('[!', '[^') : '\\[';
      if (end > i) i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The files of the build context after .dockerignore (Docker's rules: last match wins, `!` re-includes). */
export function dockerContext(root: string, files: string[]): string[] {
  const rules = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({
      neg: l.startsWith('!'),
      re: dockerGlob(l.replace(/^!/, '').replace(/^\/+/, '').replace(/\/+$/, '')),
    }));
  return files.filter((f) => {
    // A pattern that matches a directory matches everything below it.
    const parts = f.split('/');
    const prefixes = parts.map((_p, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const r of rules) {
      if (prefixes.some((p) => r.re.test(p))) excluded = !r.neg;
    }
    return !excluded;
  });
}

// ------------------------------------------------------------------------------------------------
// Pipeline parity: GitHub Actions, GitLab CI and Jenkins call the same scripts/ci steps

const INLINE_LOGIC =
  /\b(docker (buildx )?build|trivy |skopeo |kubectl |kustomize |argocd |npm (ci|test|run)\b|helm )/;

export function checkParity(root: string): string[] {
  const v: string[] = [];
  const ciDir = join(root, 'scripts/ci');
  const steps = readdirSync(ciDir).filter(
    (f) => !f.includes('.') && (statSync(join(ciDir, f)).mode & 0o111) !== 0,
  );
  const stepText = steps.map((s) => readFileSync(join(ciDir, s), 'utf8')).join('\n');
  const internal = new Set(steps.filter((s) => new RegExp(`scripts/ci/${s}\\b`).test(stepText)));
  const ghDir = join(root, '.github/workflows');
  const pipelines: [string, string][] = [
    [
      'GitHub Actions',
      existsSync(ghDir)
        ? readdirSync(ghDir)
            .map((f) => readFileSync(join(ghDir, f), 'utf8'))
            .join('\n')
        : '',
    ],
    [
      'GitLab CI',
      existsSync(join(root, '.gitlab-ci.yml')) ? readFileSync(join(root, '.gitlab-ci.yml'), 'utf8') : '',
    ],
    ['Jenkins', existsSync(join(root, 'Jenkinsfile')) ? readFileSync(join(root, 'Jenkinsfile'), 'utf8') : ''],
  ];
  for (const [name, text] of pipelines) {
    if (!text) {
      v.push(`VIOLATION parity: ${name} pipeline missing`);
      continue;
    }
    const code = text
      .split('\n')
      .filter((l) => !/^\s*(#|\/\/)/.test(l))
      .join('\n');
    const used = new Set([...code.matchAll(/scripts\/ci\/([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string));
    for (const s of steps) {
      if (!internal.has(s) && !used.has(s)) v.push(`VIOLATION parity: ${name} does not run scripts/ci/${s}`);
    }
    for (const s of used)
      if (!steps.includes(s))
        v.push(`VIOLATION parity: ${name} calls scripts/ci/${s}, which is not an executable step`);
    const inline = INLINE_LOGIC.exec(code);
    if (inline)
      v.push(
        `VIOLATION parity: ${name} runs "${inline[0].trim()}" itself instead of through a scripts/ci step`,
      );
  }
  return v;
}

// ------------------------------------------------------------------------------------------------

function report(violations: string[], what: string): number {
  for (const line of violations) console.log(line);
  console.log(`${what}: ${violations.length === 0 ? 'ok' : `${violations.length} violation(s)`}`);
  return violations.length === 0 ? 0 : 1;
}

function lockedNodeVersion(root: string): string | undefined {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string }>;
  };
  return lock.packages?.['node_modules/node']?.version;
}

function listFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (rel === '.git' || rel === 'node_modules') {
        out.push(`${rel}/.marker`);
        continue;
      }
      out.push(...listFiles(root, rel));
    } else out.push(rel);
  }
  return out;
}

export function main(argv: string[]): number {
  const [command, ...args] = argv;
  switch (command) {
    case 'k8s': {
      const all: string[] = [];
      for (const file of args) {
        const objects = loadObjects(readFileSync(file, 'utf8'));
        const where = relative(process.cwd(), file) || file;
        all.push(...checkK8s(objects, where), ...checkConfigKeys(objects, where));
        console.log(`${file}: ${objects.length} objects checked`);
      }
      return report(all, 'k8s policy');
    }
    case 'argocd': {
      const [root, dir] = args as [string, string];
      const rendered = new Map<string, K8sObject[]>();
      for (const env of ['dev', 'staging', 'prod']) {
        const f = join(dir, `${env}.yaml`);
        if (existsSync(f)) rendered.set(env, loadObjects(readFileSync(f, 'utf8')));
      }
      const argocd = loadObjects(readFileSync(join(dir, 'argocd.yaml'), 'utf8'));
      return report(checkArgoCd(argocd, rendered, root), 'argocd policy');
    }
    case 'compose':
      return report(checkCompose(readFileSync(args[0] as string, 'utf8')), 'compose policy');
    case 'dockerfile': {
      const root = args[0] as string;
      const v = checkDockerfile(
        readFileSync(join(root, 'deploy/docker/Dockerfile'), 'utf8'),
        lockedNodeVersion(root),
      );
      const context = dockerContext(root, listFiles(root));
      for (const must of [
        'package.json',
        'package-lock.json',
        'src/main.ts',
        'deploy/docker/healthcheck.ts',
      ]) {
        if (!context.includes(must)) v.push(`VIOLATION .dockerignore: ${must} is not in the build context`);
      }
      for (const f of context) {
        if (/^(\.git|node_modules|data|dist)(\/|$)|(^|\/)\.env$|\.test\.ts$/.test(f)) {
          v.push(`VIOLATION .dockerignore: ${f} would be sent to the build context`);
        }
      }
      return report(v, 'dockerfile rules');
    }
    case 'dockerignore': {
      const root = args[0] as string;
      for (const f of dockerContext(root, listFiles(root))) console.log(f);
      return 0;
    }
    case 'parity':
      return report(checkParity(args[0] as string), 'pipeline parity');
    default:
      console.error('usage: policy.ts k8s|argocd|compose|dockerfile|dockerignore|parity ...');
      return 2;
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
