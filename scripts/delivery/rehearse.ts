// Image rehearsal without a Docker engine: lays out the runtime stage of deploy/docker/Dockerfile
// in a directory, the way the build would, and runs it the way the image runs.
//
//   node scripts/delivery/rehearse.ts <repository root> <work dir>
//
//  1. the build context is the files .dockerignore lets through (policy.ts dockerContext);
//  2. stage "deps": its COPY instructions, then `npm ci --omit=dev --ignore-scripts` as in its RUN;
//  3. the final stage: every COPY (from the context or from "deps", resolved against WORKDIR) into
//     a fake root; files owned by root and not writable by the image's user; each VOLUME created
//     and owned by the USER (as the image's RUN does), nothing else writable;
//  4. the ENTRYPOINT + CMD with the image's ENV, as the USER's uid/gid (when run as root), with
//     this project's Node.js 24 for `node` (the image's base is the same release) and absolute
//     paths mapped into the fake root; GRIDOPS_PORT, GRIDOPS_HOST and the API key file are set
//     for the test, as `docker run -e` would;
//  5. the HEALTHCHECK command, as the image runs it, must pass within the start period;
//  6. scripts/smoke-test (with --metrics) against it;
//  7. SIGTERM (the STOPSIGNAL) must end it with status 0 within the grace period (35 s).
// Other RUN instructions are not executed (there is no engine); they only create the user and
// the data directory and remove npm, which the rehearsal reproduces or does not need.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, posix } from 'node:path';
import { dockerContext, parseDockerfile, type Instruction } from './policy.ts';

const [root, work] = process.argv.slice(2) as [string, string];
if (!root || !work) {
  console.error('usage: rehearse.ts <root> <work dir>');
  process.exit(2);
}
const node = process.execPath;
const t0 = Date.now();
const log = (s: string) => console.log(`rehearsal: [${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (r === '.git' || r === 'node_modules') out.push(`${r}/.marker`);
      else out.push(...listFiles(dir, r));
    } else out.push(r);
  }
  return out;
}

const jsonArgs = (args: string): string[] => {
  const a = args.replace(/^(--\S+\s+)*/, '');
  if (!a.startsWith('[')) throw new Error(`not in exec form: ${args}`);
  return JSON.parse(a) as string[];
};

// 1. the build context
const context = join(work, 'context');
mkdirSync(context, { recursive: true });
for (const f of dockerContext(root, listFiles(root))) {
  if (f.endsWith('/.marker')) continue;
  mkdirSync(dirname(join(context, f)), { recursive: true });
  cpSync(join(root, f), join(context, f));
}

// Stages, with their instructions
const ins = parseDockerfile(readFileSync(join(root, 'deploy/docker/Dockerfile'), 'utf8'));
const stages: { name: string; ins: Instruction[] }[] = [];
for (const i of ins) {
  if (i.cmd === 'FROM') {
    const m = /\bAS\s+(\S+)/i.exec(i.args);
    stages.push({ name: m?.[1] ?? String(stages.length), ins: [] });
  } else stages.at(-1)?.ins.push(i);
}
const final = stages.at(-1);
if (!final || stages.length < 2) throw new Error('expected a multi-stage Dockerfile');

function copyInto(fsRoot: string, workdir: string, i: Instruction, stageRoots: Map<string, string>) {
  const parts = i.args.split(/\s+/);
  const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
  const paths = parts.filter((p) => !p.startsWith('--'));
  const dest = paths.pop() as string;
  const destAbs = posix.resolve(workdir, dest);
  for (const src of paths) {
    const srcAbs = from ? join(stageRoots.get(from) ?? '', src) : join(context, src);
    if (!existsSync(srcAbs))
      throw new Error(`COPY ${src}: not in the ${from ? `stage ${from}` : 'build context'}`);
    const target =
      dest.endsWith('/') || paths.length > 1 ? posix.join(destAbs, posix.basename(src)) : destAbs;
    mkdirSync(dirname(join(fsRoot, target)), { recursive: true });
    cpSync(srcAbs, join(fsRoot, target), { recursive: true });
  }
}

// 2. the dependency stages (every stage but the last)
const stageRoots = new Map<string, string>();
for (const stage of stages.slice(0, -1)) {
  const fsRoot = join(work, `stage-${stage.name}`);
  let workdir = '/';
  for (const i of stage.ins) {
    if (i.cmd === 'WORKDIR') workdir = posix.resolve(workdir, i.args);
    if (i.cmd === 'COPY') copyInto(fsRoot, workdir, i, stageRoots);
    if (i.cmd === 'RUN' && /npm ci\b/.test(i.args)) {
      const flags = (/npm ci([^&;|]*)/.exec(i.args)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
      log(`stage ${stage.name}: npm ci ${flags.join(' ')}`);
      const r = spawnSync('npm', ['ci', ...flags, '--no-audit', '--no-fund'], {
        cwd: join(fsRoot, workdir),
        stdio: 'inherit',
        // npm itself runs on this project's Node.js 24 (its `node` shebang finds it first on PATH).
        env: { ...process.env, NODE_ENV: 'production', PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
      });
      if (r.status !== 0) throw new Error(`npm ci failed in stage ${stage.name}`);
    }
  }
  // The stage's filesystem root: its WORKDIR-relative paths are absolute in COPY --from.
  stageRoots.set(stage.name, fsRoot);
}

// 3. the final stage's filesystem
const fsRoot = join(work, 'rootfs');
let workdir = '/';
const env: Record<string, string> = {};
let user = '';
let entrypoint: string[] = [];
let cmd: string[] = [];
let healthcheck: string[] = [];
let startPeriod = 30;
const volumes: string[] = [];
const args = new Map<string, string>();
for (const i of final.ins) {
  if (i.cmd === 'ARG') {
    const [k, val] = i.args.split('=', 2);
    if (k) args.set(k.trim(), (val ?? '').trim());
  }
  if (i.cmd === 'WORKDIR') workdir = posix.resolve(workdir, i.args);
  if (i.cmd === 'COPY') copyInto(fsRoot, workdir, i, stageRoots);
  if (i.cmd === 'ENV') {
    for (const m of i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      const raw = (m[2] as string).replace(/^"|"$/g, '');
      env[m[1] as string] = raw.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_x, a?: string, b?: string) => args.get((a ?? b) as string) ?? '',
      );
    }
  }
  if (i.cmd === 'USER') user = i.args;
  if (i.cmd === 'ENTRYPOINT') entrypoint = jsonArgs(i.args);
  if (i.cmd === 'CMD') cmd = jsonArgs(i.args);
  if (i.cmd === 'VOLUME') volumes.push(...(i.args.startsWith('[') ? jsonArgs(i.args) : i.args.split(/\s+/)));
  if (i.cmd === 'HEALTHCHECK') {
    const m = /CMD\s+(\[.*\])\s*$/.exec(i.args);
    if (m) healthcheck = JSON.parse(m[1] as string) as string[];
    const sp = /--start-period=(\d+)s/.exec(i.args);
    if (sp) startPeriod = Number(sp[1]);
  }
}
const [uid, gid] = user.split(':').map(Number) as [number, number | undefined];
const asRoot = process.getuid?.() === 0;
const lockDown = (p: string) => {
  const st = statSync(p);
  if (asRoot) chownSync(p, 0, 0);
  chmodSync(p, st.isDirectory() ? 0o755 : st.mode & 0o111 ? 0o755 : 0o644);
  if (st.isDirectory()) for (const e of readdirSync(p)) lockDown(join(p, e));
};
lockDown(fsRoot);
for (const v of volumes) {
  const p = join(fsRoot, v);
  mkdirSync(p, { recursive: true });
  if (asRoot) chownSync(p, uid, gid ?? uid);
  chmodSync(p, 0o750);
}
// Every directory on the way to the root must be traversable by the user.
for (let p = fsRoot; p !== dirname(p); p = dirname(p)) {
  if (p === dirname(work)) break;
  chmodSync(p, statSync(p).mode | 0o011);
}

const mapPath = (a: string) => (a.startsWith('/') && existsSync(join(fsRoot, a)) ? join(fsRoot, a) : a);
const mapCommand = (c: string[]) => c.map((a, i) => (i === 0 && a === 'node' ? node : mapPath(a)));
for (const k of Object.keys(env)) env[k] = mapPath(env[k] as string);
log(`image user ${user}${asRoot ? '' : ' (not root here: the process runs as the current user)'}`);
log(`entrypoint ${JSON.stringify([...entrypoint, ...cmd])}, env ${JSON.stringify(env)}`);

// 4. run it
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
const port = await freePort();
const keyOut = execFileSync(node, [join(root, 'src/main.ts'), 'keys', '--name', 'rehearsal'], {
  encoding: 'utf8',
});
const key = /key: (\S+)/.exec(keyOut)?.[1] ?? '';
const keyLine = /line for the keys file: (\S+)/.exec(keyOut)?.[1] ?? '';
const secrets = join(work, 'secrets');
mkdirSync(secrets, { recursive: true });
writeFileSync(join(secrets, 'api-keys'), `${keyLine}\n`, { mode: 0o444 });
chmodSync(secrets, 0o755);
const runEnv: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  ...env,
  GRIDOPS_PORT: String(port),
  GRIDOPS_HOST: '127.0.0.1',
  GRIDOPS_API_KEYS_FILE: join(secrets, 'api-keys'),
};
const ids = asRoot ? { uid, gid: gid ?? uid } : {};
const [exe, ...exeArgs] = mapCommand([...entrypoint, ...cmd]) as [string, ...string[]];
const child = spawn(exe, exeArgs, {
  cwd: join(fsRoot, workdir),
  env: runEnv,
  stdio: ['ignore', 'pipe', 'pipe'],
  ...ids,
});
let output = '';
child.stdout.on('data', (d: Buffer) => (output += d.toString()));
child.stderr.on('data', (d: Buffer) => (output += d.toString()));
const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
let failed = false;
const fail = (s: string) => {
  console.log(`rehearsal: FAIL ${s}`);
  failed = true;
};

// 5. the HEALTHCHECK
const [hcExe, ...hcArgs] = mapCommand(healthcheck) as [string, ...string[]];
let healthy = false;
const deadline = Date.now() + startPeriod * 1000;
while (Date.now() < deadline && child.exitCode === null) {
  const r = spawnSync(hcExe, hcArgs, { env: runEnv, encoding: 'utf8', ...ids });
  if (r.status === 0) {
    healthy = true;
    break;
  }
  await new Promise((r2) => setTimeout(r2, 500));
}
if (healthy) log(`HEALTHCHECK passed (${healthcheck.join(' ')})`);
else
  fail(
    `HEALTHCHECK did not pass within ${startPeriod}s${child.exitCode !== null ? ` (the process exited ${child.exitCode})` : ''}`,
  );

// 6. the smoke test
if (healthy) {
  const r = spawnSync(join(root, 'scripts/smoke-test'), [`http://127.0.0.1:${port}`, '--metrics'], {
    env: { ...process.env, SMOKE_API_KEY: key },
    encoding: 'utf8',
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) fail('scripts/smoke-test failed');
}

// 7. graceful stop
if (child.exitCode === null) {
  const stopAt = Date.now();
  child.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise<string>((r) => setTimeout(() => r('timeout'), 35_000).unref()),
  ]);
  if (code === 'timeout') {
    child.kill('SIGKILL');
    fail('still running 35 s after SIGTERM');
  } else if (code !== 0) fail(`exited ${String(code)} after SIGTERM`);
  else log(`stopped cleanly ${Date.now() - stopAt} ms after SIGTERM`);
}
const written = readdirSync(join(fsRoot, volumes[0] ?? '/nonexistent'));
log(`data volume holds ${written.join(', ') || 'nothing'}`);
if (failed) {
  console.log('--- process output (last 40 lines) ---');
  console.log(output.trim().split('\n').slice(-40).join('\n'));
  process.exit(1);
}
log('ok');
