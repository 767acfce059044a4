// Starts `bin/gridops` as a real child process and finds its URL from the start-up banner.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GRIDOPS_BIN = fileURLToPath(new URL('../../bin/gridops', import.meta.url));

export interface GridopsProcess {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  stdout: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

export async function startGridops(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<GridopsProcess> {
  const proc = spawn(GRIDOPS_BIN, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gridops did not start in ${timeoutMs} ms:\n${err}\n${out.slice(-2000)}`)),
      timeoutMs,
    );
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m =
        /ingest +POST (http:\/\/[^/\s]+)\/v1\/readings/.exec(err) ??
        /GET +(http:\/\/[^/\s]+)\/livez/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gridops exited (${code}) before serving:\n${err}\n${out.slice(-2000)}`));
    });
  });
  return { proc, url, stderr: () => err, stdout: () => out, exited };
}

/**
 * Resolves once `/readyz` answers 200: every module runs (for a processor, every worker has
 * loaded and opened its consumer). Benchmarks wait for it so start-up is not timed as work.
 */
export async function waitReady(g: GridopsProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${g.url}/readyz`);
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gridops at ${g.url} not ready after ${timeoutMs} ms: ${last}`);
}
