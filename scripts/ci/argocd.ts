// The pipelines' Argo CD client, through its REST API (no argocd CLI to install):
//
//   node scripts/ci/argocd.ts wait <app> --revision <git sha> [--timeout <s>]
//   node scripts/ci/argocd.ts sync <app> --revision <git sha> [--timeout <s>]
//
// `wait` asks Argo CD to refresh the application from Git, then polls until it is Synced to that
// revision and Healthy. `sync` (prod, whose application has no automated sync) starts a sync of
// that revision first; a sync window that forbids it makes the step fail with Argo CD's reason.
// Environment: ARGOCD_SERVER (https://argocd.example.com), ARGOCD_AUTH_TOKEN (a token of the
// AppProject role gridops:ci), ARGOCD_POLL_MS (default 5000).

export interface AppStatus {
  sync: string;
  revision: string;
  health: string;
  phase: string;
  message: string;
  operationRevision: string;
}

export function summarize(app: unknown): AppStatus {
  const s = (app as { status?: Record<string, unknown> }).status ?? {};
  const sync = (s.sync ?? {}) as { status?: string; revision?: string };
  const health = (s.health ?? {}) as { status?: string };
  const op = (s.operationState ?? {}) as {
    phase?: string;
    message?: string;
    syncResult?: { revision?: string };
    operation?: { sync?: { revision?: string } };
  };
  return {
    sync: sync.status ?? 'Unknown',
    revision: sync.revision ?? '',
    health: health.status ?? 'Unknown',
    phase: op.phase ?? '',
    message: op.message ?? '',
    operationRevision: op.syncResult?.revision ?? op.operation?.sync?.revision ?? '',
  };
}

/** 'done', 'failed: why' or 'waiting' for one observation of the application. */
export function verdict(st: AppStatus, revision: string): string {
  if (st.operationRevision === revision && (st.phase === 'Failed' || st.phase === 'Error')) {
    return `failed: sync of ${revision} ${st.phase.toLowerCase()}: ${st.message}`;
  }
  if (st.revision === revision && st.sync === 'Synced' && st.health === 'Healthy' && st.phase !== 'Running') {
    return 'done';
  }
  return 'waiting';
}

export class ArgoCd {
  private readonly server: string;
  private readonly token: string;

  constructor(server: string, token: string) {
    this.server = server;
    this.token = token;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.server), {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new Error(`${method} ${path}: ${response.status} ${message}`);
    }
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }

  get(app: string, refresh: boolean): Promise<unknown> {
    return this.call(
      'GET',
      `/api/v1/applications/${encodeURIComponent(app)}${refresh ? '?refresh=normal' : ''}`,
    );
  }

  sync(app: string, revision: string): Promise<unknown> {
    return this.call('POST', `/api/v1/applications/${encodeURIComponent(app)}/sync`, {
      revision,
      prune: true,
      strategy: { hook: {} },
    });
  }
}

export async function waitFor(
  argo: ArgoCd,
  app: string,
  revision: string,
  timeoutMs: number,
  pollMs: number,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let first = true;
  for (;;) {
    const st = summarize(await argo.get(app, first));
    first = false;
    const line = `${app}: sync=${st.sync} revision=${st.revision.slice(0, 12)} health=${st.health} operation=${st.phase || '-'}`;
    if (line !== last) log(line);
    last = line;
    const v = verdict(st, revision);
    if (v === 'done') return;
    if (v.startsWith('failed')) throw new Error(v);
    if (Date.now() >= deadline) {
      throw new Error(`${app} not synced to ${revision} and healthy after ${Math.round(timeoutMs / 1000)}s`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, app, ...rest] = argv;
  const opt = (name: string): string | undefined => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const revision = opt('--revision');
  const timeout = Number(opt('--timeout') ?? '900');
  if ((command !== 'wait' && command !== 'sync') || !app || !revision || !Number.isFinite(timeout)) {
    console.error('usage: argocd.ts wait|sync <app> --revision <git sha> [--timeout <seconds>]');
    return 2;
  }
  const server = process.env.ARGOCD_SERVER;
  const token = process.env.ARGOCD_AUTH_TOKEN;
  if (!server || !token) {
    console.error('argocd: ARGOCD_SERVER and ARGOCD_AUTH_TOKEN are required');
    return 2;
  }
  const argo = new ArgoCd(server, token);
  const log = (line: string) => console.log(`[argocd] ${line}`);
  try {
    if (command === 'sync') {
      await argo.get(app, true);
      log(`${app}: sync ${revision}`);
      await argo.sync(app, revision);
    }
    await waitFor(argo, app, revision, timeout * 1000, Number(process.env.ARGOCD_POLL_MS ?? '5000'), log);
    log(`${app}: synced to ${revision} and healthy`);
    return 0;
  } catch (err) {
    console.error(`[argocd] ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
