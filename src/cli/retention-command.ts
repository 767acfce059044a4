// `gridops retention`: one retention run now, or a dry run that only counts. The processors
// run it every hour when GRIDOPS_RETENTION_DAYS is set (modules/processor/retention.ts); this is
// for deciding on a number of days before turning that on, and for a cron job or a one-off
// clean-up with the processors stopped or running (the store's deletes are idempotent).
import { existsSync } from 'node:fs';
import type { CommandSpec } from './command.ts';
import { gridError, isGridOpsError } from '../app/errors.ts';
import { loadConfig } from '../app/config.ts';
import { openStoreWriter, storeSettings } from '../app/backends.ts';
import { retentionCutoff } from '../modules/processor/retention.ts';

export const retentionCommand: CommandSpec = {
  name: 'retention',
  summary: 'Delete raw readings older than the kept days now, or count them (--dry-run).',
  usage: 'gridops retention [--days N] [--dry-run] [--config FILE]',
  options: {
    days: {
      type: 'string',
      description: 'Days of raw readings to keep before today (UTC); default GRIDOPS_RETENTION_DAYS.',
    },
    'dry-run': {
      type: 'boolean',
      description:
        'Delete nothing; count what would go (reads every row before the cutoff: slow on a big store).',
    },
    config: { type: 'string', description: 'JSON config file (store keys as for gridops run).' },
  },
  epilog: [
    'The store is the configured one (GRIDOPS_STORE, GRIDOPS_DATA_DIR or GRIDOPS_POSTGRES_URL).',
    'Rollups and events are kept. stdout: one line "cutoff=<ISO> partitions=<n> rows=<n>',
    'dry_run=<true|false>": partitions are the PostgreSQL day partitions dropped; rows the readings',
    'counted (dry run: all of them, partitions included) or deleted one by one (not those of',
    'dropped partitions). Exit codes: 0 done, 1 store error, 2 usage.',
  ].join('\n'),
  async run(ctx) {
    const config = loadConfig({
      env: ctx.env,
      ...(typeof ctx.values.config === 'string' ? { file: ctx.values.config } : {}),
      ...(typeof ctx.values.days === 'string' ? { flags: { retentionDays: ctx.values.days } } : {}),
    });
    if (config.retentionDays === 0)
      throw gridError('SG_ERR_CLI_USAGE', [
        '--days: retention is off (GRIDOPS_RETENTION_DAYS=0); give the days to keep, e.g. --days 400',
      ]);
    const dryRun = ctx.values['dry-run'] === true;
    const cutoff = retentionCutoff(Date.now(), config.retentionDays);
    const started = performance.now();
    const settings = storeSettings(config);
    // Opening a missing embedded store would create an empty one and report nothing to delete.
    if (settings.kind === 'sqlite' && !existsSync(settings.path))
      throw gridError('SG_ERR_CLI_USAGE', [`no embedded store at ${settings.path}; set GRIDOPS_DATA_DIR`]);
    ctx.stderr.write(
      `${dryRun ? 'counting' : 'deleting'} readings before ${new Date(cutoff).toISOString()} (${config.retentionDays} days kept)\n`,
    );
    let result: { days: number; rows: number };
    try {
      // Deletes need no topology: the locator only serves rollups of written readings. Opening
      // the store applies pending migrations, as every gridops process does.
      const store = await openStoreWriter(settings, () => undefined);
      try {
        result = dryRun ? await store.readingsBefore(cutoff) : await store.deleteReadingsBefore(cutoff);
      } finally {
        await store.close();
      }
    } catch (err) {
      if (isGridOpsError(err)) throw err;
      throw gridError('SG_ERR_STORE', [(err as Error).message], { cause: err });
    }
    ctx.stdout.write(
      `cutoff=${new Date(cutoff).toISOString()} partitions=${result.days} rows=${result.rows} dry_run=${dryRun}\n`,
    );
    ctx.stderr.write(`done in ${Math.round(performance.now() - started)} ms\n`);
    return 0;
  },
};
