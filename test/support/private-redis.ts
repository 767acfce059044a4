// A throwaway redis-server of a test's own, on a free loopback port with its data under /tmp, so
// a fault test can stop, freeze and restart it without disturbing the shared one
// (GRIDOPS_REDIS_URL). The binary is GRIDOPS_REDIS_SERVER, else redis-server on PATH.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function redisServerBinary(): string | undefined {
  const bin = process.env.GRIDOPS_REDIS_SERVER ?? 'redis-server';
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0 ? bin : undefined;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** Answers a PING over a raw socket (no client library, so it cannot be the thing under test). */
async function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('error', () => done(false));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
    s.write('PING\r\n');
  });
}

export class PrivateRedis {
  readonly port: number;
  readonly dir: string;
  private readonly bin: string;
  private child: ChildProcess | undefined;

  private constructor(bin: string, port: number) {
    this.bin = bin;
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'gridops-private-redis-'));
  }

  static async create(bin: string): Promise<PrivateRedis> {
    return new PrivateRedis(bin, await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (loading dump.rdb from an earlier `stop(true)`), resolving once it answers. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    this.child = spawn(this.bin, [...args, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const until = Date.now() + 10_000;
    while (!(await pings(this.port))) {
      if (Date.now() > until || this.child.exitCode !== null) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SHUTDOWN, saving a snapshot first when asked (so a restart brings old entries back). */
  async stop(save = false): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    const s = connect(this.port, '127.0.0.1');
    s.on('error', () => {});
    s.write(`SHUTDOWN ${save ? 'SAVE' : 'NOSAVE'}\r\n`);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    s.destroy();
    if (child.exitCode === null) child.kill('SIGKILL');
    this.child = undefined;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: connections stay open, nothing answers. */
  freeze(frozen: boolean): void {
    this.child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  async destroy(): Promise<void> {
    this.freeze(false);
    await this.stop(false);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
