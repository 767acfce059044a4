// What the PostgreSQL suites share: the server (GRIDOPS_POSTGRES_URL, from scripts/services),
// skipped locally when unset but failed in CI, and a private schema per store so parallel runs
// never see each other's rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { quoteIdent } from '../postgres.ts';
import type { PgStoreOptions } from './pg-store-pool.ts';

export const PG_URL = process.env.GRIDOPS_POSTGRES_URL ?? '';
const why = 'GRIDOPS_POSTGRES_URL is not set (scripts/services up)';
/** For describe()/test() `skip`: the reason locally, false when the server is there. */
export const PG_SKIP: string | false = PG_URL ? false : why;
if (!PG_URL && process.env.CI === 'true') test('PostgreSQL is available in CI', () => assert.fail(why));

/** Options for a store in a schema of its own (created by the first migration, dropped by drop()). */
export function privateSchema(extra: Partial<PgStoreOptions> = {}): {
  opts: PgStoreOptions;
  drop(): Promise<void>;
} {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  return {
    opts: { url: PG_URL, schema, poolMax: 4, ...extra },
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A TCP proxy to the server that a test can stop, start and cut: a PostgreSQL outage on demand. */
export class TcpProxy {
  private readonly target: { host: string; port: number };
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(serverUrl: URL) {
    this.target = { host: serverUrl.hostname || '127.0.0.1', port: Number(serverUrl.port || 5432) };
  }

  /** A free loopback port the proxy will listen on; nothing listens there until start(). */
  async reservePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    this.port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    return this.port;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  cutConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.cutConnections();
    await new Promise((resolve) => this.server?.close(resolve));
    this.server = undefined;
  }
}
