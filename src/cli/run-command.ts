// `gridops run`: start the selected targets, serve until SIGTERM/SIGINT, then drain and stop in
// reverse dependency order. A second signal exits at once.
import type { CommandSpec, OptionSpec } from './command.ts';
import { gridError } from '../app/errors.ts';
import { CONFIG_KEYS, fromKebab, loadConfig, redactedConfig, toKebab } from '../app/config.ts';
import { CONFIG_SCHEMA, type ConfigKey } from '../app/config-schema.ts';
import { buildApp } from '../app/build-app.ts';
import { applyGcMode, givenSemiSpace, SINGLE_THREADED_GC } from './gc-mode.ts';

const FLAG_KEYS: ConfigKey[] = ['target', 'dataDir', 'host', 'port', 'logLevel', 'topologyFile'];

const options: Record<string, OptionSpec> = {
  ...Object.fromEntries(
    FLAG_KEYS.map((k) => [
      toKebab(k),
      { type: 'string', description: CONFIG_SCHEMA[k].doc, default: String(CONFIG_SCHEMA[k].default) },
    ]),
  ),
  simulate: { type: 'boolean', description: 'Run the simulated fleet in-process (the demo; `npm start`).' },
  config: { type: 'string', description: 'JSON config file (keys as listed below).' },
  set: {
    type: 'string',
    multiple: true,
    description: 'Set any config key: --set maxBusLag=500000 (repeatable).',
  },
  'print-config': {
    type: 'boolean',
    description: 'Print the effective configuration (secrets redacted) and exit.',
  },
};

function configTable(): string {
  return CONFIG_KEYS.map((k) => {
    const s = CONFIG_SCHEMA[k];
    return `  ${k.padEnd(20)} ${s.env.padEnd(30)} default ${JSON.stringify(s.default)}\n      ${s.doc}`;
  }).join('\n');
}

export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'Run the pipeline: all targets in one process, or a subset (--target=ingest,query).',
  usage: 'gridops run [--target=all|ingest|processor|query[,...]] [options]',
  options,
  epilog: `Configuration, lowest precedence first: defaults < --config file < environment < flags.\n\nKeys (name, environment variable, default):\n${configTable()}`,
  async run(ctx) {
    const flags: Record<string, unknown> = {};
    for (const k of FLAG_KEYS) flags[k] = ctx.values[toKebab(k)];
    if (ctx.values.simulate) flags.simulate = 'true';
    for (const pair of (ctx.values.set as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      const key = fromKebab(pair.slice(0, eq));
      if (eq < 1 || !(key in CONFIG_SCHEMA))
        throw gridError('SG_ERR_CLI_USAGE', [`--set ${pair}: expected key=value with a known key`]);
      flags[key] = pair.slice(eq + 1);
    }
    const config = loadConfig({
      file: ctx.values.config as string | undefined,
      env: ctx.env,
      flags: flags as never,
    });
    if (ctx.values['print-config']) {
      ctx.stdout.write(`${JSON.stringify(redactedConfig(config), null, 2)}\n`);
      return 0;
    }
    const gcWarning = applyGcMode(config, process.execArgv, ctx.reexec);
    if (gcWarning) ctx.stderr.write(`${gcWarning}\n`);
    const app = buildApp(config);
    await app.manager.start();
    app.logger.info(
      {
        gc: process.execArgv.includes(SINGLE_THREADED_GC) ? 'single-threaded' : 'parallel',
        setting: config.gc,
        semiSpaceMiB: givenSemiSpace(process.execArgv, process.env.NODE_OPTIONS) ?? "V8's choice",
      },
      'V8 garbage collection',
    );
    const url = app.url();
    const runs = new Set(app.manager.status().map((m) => m.name));
    ctx.stderr.write(
      [
        `gridops ${config.target} is up:`,
        runs.has('ingest') ? `  ingest   POST ${url}/v1/readings` : '',
        runs.has('query')
          ? `  query    GET  ${url}/v1/feeders, ${url}/v1/feeders/<id>/load, ${url}/v1/events`
          : '',
        runs.has('processor') ? `  processor consuming ${config.busBackend} into ${config.storeBackend}` : '',
        `  health   GET  ${url}/livez  ${url}/readyz`,
        `  metrics  GET  ${url}/metrics`,
        app.demoKey
          ? `  demo API key in ${config.dataDir}/demo-api-key; try:\n    curl -H "Authorization: Bearer $(cat ${config.dataDir}/demo-api-key)" ${url}/v1/feeders`
          : '',
        '',
      ]
        .filter((line, i, all) => line !== '' || i === all.length - 1)
        .join('\n'),
    );
    return await new Promise<number>((resolve) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) {
          app.logger.warn('second signal: exiting without drain');
          process.exit(1);
        }
        stopping = true;
        app.logger.info({ signal }, 'draining and stopping modules in reverse order');
        const deadline = setTimeout(() => {
          app.logger.error('shutdown timed out; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs + 5000);
        deadline.unref();
        app.manager
          .stop((name) => app.logger.info({ module: name }, 'stopped'))
          .then(() => {
            // Every module has stopped and drained, so the process ends now. Something still
            // holding the event loop is a leak: say what it is, then exit as the stop was clean.
            setTimeout(() => {
              const resources = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
              app.logger.warn({ resources }, 'all modules stopped but the event loop is still busy; exiting');
              process.exit(0);
            }, 2000).unref();
            resolve(0);
          })
          .catch((err: unknown) => {
            app.logger.error({ err }, 'stop failed');
            resolve(1);
          });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
  },
};
