// Opens a node-postgres pool the way every PostgreSQL adapter needs it: bounded size, connect,
// idle and statement timeouts, TLS as RDS wants it, 64-bit integers as numbers, and an `error`
// listener (an idle client killed by a server restart must not crash the process). Options are
// plain data so the processor's worker thread can receive them through workerData.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { gridError } from '../app/errors.ts';

export type SslMode = 'disable' | 'require' | 'verify-full';

export interface PgOptions {
  /**
   * postgres://user:password@host:port/database; the parameters sslmode, sslrootcert, host,
   * options and application_name are honoured (explicit options below win).
   */
  url: string;
  /** Most connections of this pool (default 10). */
  poolMax?: number;
  /** Wait for a connection (pool slot or TCP+auth) before failing (default 10 s). */
  connectionTimeoutMs?: number;
  /** Close connections idle this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Server-side statement_timeout of every connection (default 30 s; 0 disables). */
  statementTimeoutMs?: number;
  /** disable | require (encrypted, unverified) | verify-full (CA + host name); default: the URL's, else disable. */
  sslMode?: SslMode;
  /** CA bundle for verify-full, e.g. the RDS global bundle; '' or unset: the system CAs. */
  caFile?: string;
  /** Schema to work in (search_path); default: the server's (public). Tests use their own. */
  schema?: string;
  applicationName?: string;
}

const SSL_MODES: readonly string[] = ['disable', 'require', 'verify-full'];

/** The URL with its password replaced, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparsable postgres URL>';
  }
}

const INT8_ARRAY = 1016; // _int8, not in pg.types.builtins
// bigint columns hold epoch milliseconds and counts, all far below 2^53: numbers, not strings.
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (format === 'binary') return pg.types.getTypeParser(oid, format);
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    if (oid === INT8_ARRAY) {
      const parse = pg.types.getTypeParser(oid as never, 'text') as (v: string) => (string | null)[];
      return (v: string) => parse(v).map((x) => (x === null ? null : Number(x)));
    }
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * The client configuration of `opts`. The URL is parsed here rather than handed to pg as a
 * connectionString, because pg lets URL parameters override explicit options (a stray
 * `?sslmode=` would silently win over the configured TLS).
 */
export function pgPoolConfig(opts: PgOptions): pg.PoolConfig {
  let u: URL;
  try {
    u = new URL(opts.url);
  } catch {
    throw gridError('SG_ERR_CONFIG_INVALID', ['postgresUrl', `not a URL: ${redactUrl(opts.url)}`]);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw gridError('SG_ERR_CONFIG_INVALID', ['postgresUrl', 'must start with postgres://']);
  const mode = opts.sslMode ?? u.searchParams.get('sslmode') ?? 'disable';
  if (!SSL_MODES.includes(mode))
    throw gridError('SG_ERR_CONFIG_INVALID', ['postgresSslMode', `"${mode}"; use ${SSL_MODES.join('|')}`]);
  const host = u.searchParams.get('host') ?? decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ''));
  const caFile = opts.caFile || u.searchParams.get('sslrootcert') || '';
  const statementTimeout = opts.statementTimeoutMs ?? 30_000;
  // Server options as libpq takes them, e.g. `?options=-c search_path=x` (what the test suites use).
  const options = [u.searchParams.get('options'), opts.schema && `-c search_path=${quoteIdent(opts.schema)}`]
    .filter(Boolean)
    .join(' ');
  return {
    host: host || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)) || undefined,
    max: opts.poolMax ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: opts.idleTimeoutMs ?? 30_000,
    // pg sends these as startup parameters: no extra round trip per connection.
    ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
    // A client that dies mid-transaction must not hold row locks (shared rollup rows) for long.
    idle_in_transaction_session_timeout: Math.max(statementTimeout, 60_000),
    ...(options ? { options } : {}),
    application_name: opts.applicationName ?? u.searchParams.get('application_name') ?? 'gridops',
    ssl: sslConfig(mode as SslMode, caFile),
    keepAlive: true,
    types: TYPES,
  };
}

function sslConfig(mode: SslMode, caFile: string): pg.PoolConfig['ssl'] {
  if (mode === 'disable') return false;
  // libpq's `require`: encrypted, the certificate is not checked.
  if (mode === 'require') return { rejectUnauthorized: false };
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw gridError('SG_ERR_CONFIG_INVALID', ['postgresCaFile', (err as Error).message], { cause: err });
    }
  }
  // Node checks the host name (or IP) against the certificate whenever rejectUnauthorized is on;
  // pg sets the SNI server name itself for host names.
  return { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
}

/** A pool over `opts`; `onError` hears about idle clients the server dropped (default: ignored). */
export function createPgPool(opts: PgOptions, onError: (err: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool(pgPoolConfig(opts));
  pool.on('error', onError);
  return pool;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Checks a client out of the pool for `fn`. While checked out a client has no `error` listener
 * of the pool's, so a connection lost mid-use would be an uncaught exception (and kill a worker
 * thread): one is added here. A client that failed is destroyed, not handed back.
 */
async function withClient<T>(
  pool: pg.Pool,
  fn: (c: pg.PoolClient, fail: (err: unknown) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const fail = (err: unknown) => {
    broken ??= err instanceof Error ? err : new Error(String(err));
  };
  client.on('error', fail);
  try {
    return await fn(client, fail);
  } finally {
    client.off('error', fail);
    client.release(broken);
  }
}

/** Runs `fn` in a transaction on one pooled client; a broken client is discarded, not reused. */
export async function inPgTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, fail) => {
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(fail);
      throw err;
    }
  });
}

export interface MigrationResult {
  /** Versions applied by this call. */
  applied: number[];
  /** Every applied version with its time (epoch ms), oldest first. */
  versions: { version: number; appliedAt: number }[];
}

/**
 * Applies numbered migrations once each, recording them in schema_migrations. A session
 * advisory lock (per schema) makes concurrent starters wait for each other instead of racing;
 * each version commits with its bookkeeping row, so a failure leaves the previous version.
 */
export async function migratePg(
  pool: pg.Pool,
  migrations: readonly string[],
  schema?: string,
): Promise<MigrationResult> {
  // Keyed by search_path, not current_schema(): that is NULL until the schema exists.
  const lockKey = "hashtext(current_setting('search_path') || ':gridops:migrations')";
  // Up to date (every start but the first after a deploy): a read-only check, no lock; so a
  // process on a read replica starts too.
  const current = await pgMigrationStatus(pool);
  if ((current.at(-1)?.version ?? 0) >= migrations.length) return { applied: [], versions: current };
  return withClient(pool, async (client, fail) => {
    try {
      // Migrations may build indexes on big tables: no statement timeout here.
      await client.query('SET statement_timeout = 0');
      await client.query(`SELECT pg_advisory_lock(${lockKey})`);
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, applied_at bigint NOT NULL)`);
      const { rows: top } = await client.query<{ v: number }>(
        'SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations',
      );
      const applied: number[] = [];
      for (let v = top[0]!.v + 1; v <= migrations.length; v++) {
        await client.query('BEGIN');
        try {
          await client.query(migrations[v - 1]!);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
            v,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          throw gridError('SG_ERR_STORE', [`migration ${v} failed: ${(err as Error).message}`], {
            cause: err,
          });
        }
        applied.push(v);
      }
      const { rows } = await client.query<{ version: number; applied_at: number }>(
        'SELECT version, applied_at FROM schema_migrations ORDER BY version',
      );
      await client.query(`SELECT pg_advisory_unlock(${lockKey})`);
      await client.query('RESET statement_timeout');
      return { applied, versions: rows.map((r) => ({ version: r.version, appliedAt: r.applied_at })) };
    } catch (err) {
      // The session may hold the lock or an aborted transaction: destroyed, which releases both.
      fail(err);
      throw err;
    }
  });
}

/** The applied versions (oldest first) without applying anything; [] before the first migration. */
export async function pgMigrationStatus(pool: pg.Pool): Promise<MigrationResult['versions']> {
  const { rows: exists } = await pool.query<{ t: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS t",
  );
  if (exists[0]!.t === null) return [];
  const { rows } = await pool.query<{ version: number; applied_at: number }>(
    'SELECT version, applied_at FROM schema_migrations ORDER BY version',
  );
  return rows.map((r) => ({ version: r.version, appliedAt: r.applied_at }));
}
