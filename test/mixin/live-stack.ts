// Real Prometheus and Alertmanager (Debian's binaries) on loopback for the mixin's live test,
// plus a webhook receiver that records every notification with its arrival time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { toYaml } from '../../src/mixin/compile.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The binary's path; a missing one throws (the live test must fail, never skip). */
export function requireBinary(name: string, pkg: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} not found: apt-get install ${pkg} (scripts/mixin/check does)`);
  return r.stdout.trim();
}

export interface Notification {
  at: number;
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

export async function startWebhook(): Promise<{ port: number; received: Notification[]; server: Server }> {
  const received: Notification[] = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const n = JSON.parse(body) as Omit<Notification, 'at'>;
      received.push({ at: Date.now(), receiver: n.receiver, status: n.status, alerts: n.alerts });
      res.end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, received, server };
}

/**
 * The committed Alertmanager config with every receiver pointed at the test webhook and
 * group_interval shortened (so a resolved notice is not held for 5 minutes); routes, matchers,
 * inhibition and group_wait stay as committed.
 */
export function testAlertmanagerConfig(
  committed: string,
  webhookPort: number,
  groupInterval: string,
): string {
  const cfg = parse(readFileSync(committed, 'utf8')) as {
    route: Record<string, unknown>;
    receivers: { name: string; webhook_configs?: { url: string; http_config?: unknown }[] }[];
  };
  cfg.route.group_interval = groupInterval;
  for (const r of cfg.receivers) {
    for (const w of r.webhook_configs ?? []) {
      w.url = `http://127.0.0.1:${webhookPort}/${r.name}`;
      delete w.http_config;
    }
  }
  return toYaml(cfg);
}

export function routeGroupWait(committed: string, receiver: string): string {
  const cfg = parse(readFileSync(committed, 'utf8')) as {
    route: { group_wait: string; routes: { receiver: string; group_wait?: string }[] };
  };
  return cfg.route.routes.find((r) => r.receiver === receiver)?.group_wait ?? cfg.route.group_wait;
}

/** A daemon whose output is kept (the tail) for the failure message. */
export function startDaemon(bin: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}
