// `gridops migrate`: applies the PostgreSQL store's pending migrations (the processes also do
// it at start-up; this is for a deploy step or an init container) and prints every applied
// version. Concurrent runs wait for each other on an advisory lock.
import type { CommandSpec } from './command.ts';
import { gridError, isGridOpsError } from '../app/errors.ts';
import { loadConfig } from '../app/config.ts';
import type { PgOptions } from '../adapters/postgres.ts';
import { PG_STORE_MIGRATIONS } from '../adapters/store/pg-schema.ts';

/** Exit code of --status when migrations are pending. */
export const EXIT_PENDING = 3;

/** Where to migrate: the configured PostgreSQL store (GRIDOPS_POSTGRES_URL or its _FILE, ...). */
export function migrateTarget(env: NodeJS.ProcessEnv, configFile?: string): PgOptions {
  const config = loadConfig({ env, ...(configFile ? { file: configFile } : {}) });
  if (config.postgresUrl === '')
    throw gridError('SG_ERR_CLI_USAGE', [
      'no PostgreSQL URL: set GRIDOPS_POSTGRES_URL or GRIDOPS_POSTGRES_URL_FILE',
    ]);
  return {
    url: config.postgresUrl,
    poolMax: config.postgresPoolMax,
    statementTimeoutMs: config.postgresStatementTimeoutMs,
    sslMode: config.postgresSslMode,
    caFile: config.postgresCaFile,
  };
}

export const migrateCommand: CommandSpec = {
  name: 'migrate',
  summary: 'Apply pending PostgreSQL store migrations and print the applied versions.',
  usage: 'gridops migrate [--status] [--schema NAME] [--config FILE]',
  options: {
    status: {
      type: 'boolean',
      description: `Apply nothing; print applied and pending versions (exit ${EXIT_PENDING} if any is pending).`,
    },
    schema: {
      type: 'string',
      description: "Schema to migrate, created if missing (default: the server's search_path).",
    },
    config: { type: 'string', description: 'JSON config file (for the postgres* keys but the URL).' },
  },
  epilog: [
    'The URL comes from GRIDOPS_POSTGRES_URL or GRIDOPS_POSTGRES_URL_FILE (never a flag); TLS, pool',
    'and timeouts from the postgres* config keys. stdout: one "version <n> applied <ISO time>" line',
    'per applied version, then "pending <n>" lines. Exit codes: 0 done, 1 store error, 2 usage,',
    `${EXIT_PENDING} pending (--status only).`,
  ].join('\n'),
  async run(ctx) {
    // Imported here: every other command (the embedded demo) never loads the PostgreSQL client.
    const { createPgPool, migratePg, pgMigrationStatus, redactUrl } = await import('../adapters/postgres.ts');
    const config = typeof ctx.values.config === 'string' ? ctx.values.config : undefined;
    const schema = typeof ctx.values.schema === 'string' ? ctx.values.schema : undefined;
    const opts = { ...migrateTarget(ctx.env, config), poolMax: 1, applicationName: 'gridops-migrate' };
    const pool = createPgPool(schema ? { ...opts, schema } : opts);
    try {
      let applied: number[] = [];
      let versions;
      try {
        if (ctx.values.status) versions = await pgMigrationStatus(pool);
        else ({ applied, versions } = await migratePg(pool, PG_STORE_MIGRATIONS, schema));
      } catch (err) {
        if (isGridOpsError(err)) throw err;
        throw gridError('SG_ERR_STORE', [`${redactUrl(opts.url)}: ${(err as Error).message}`], {
          cause: err,
        });
      }
      for (const v of versions)
        ctx.stdout.write(`version ${v.version} applied ${new Date(v.appliedAt).toISOString()}\n`);
      const have = new Set(versions.map((v) => v.version));
      const pending = PG_STORE_MIGRATIONS.map((_, i) => i + 1).filter((v) => !have.has(v));
      for (const v of pending) ctx.stdout.write(`pending ${v}\n`);
      const where = `${redactUrl(opts.url)}${schema ? ` schema ${schema}` : ''}`;
      ctx.stderr.write(
        ctx.values.status
          ? `${where}: ${versions.length} applied, ${pending.length} pending\n`
          : `${where}: applied ${applied.length ? applied.join(', ') : 'nothing'}; at version ${versions.at(-1)?.version ?? 0}\n`,
      );
      return pending.length > 0 ? EXIT_PENDING : 0;
    } finally {
      await pool.end();
    }
  },
};
