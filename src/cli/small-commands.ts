// Small utility commands: API key hashing and the metrics catalogue.
import { writeFileSync } from 'node:fs';
import type { CommandSpec } from './command.ts';
import { generateKey, hashKey } from '../app/api-keys.ts';
import { gridError } from '../app/errors.ts';
import { metricsCatalogue } from '../telemetry/metrics.ts';

export const keysCommand: CommandSpec = {
  name: 'keys',
  summary: 'Make an API key and the "name:sha256" line for GRIDOPS_API_KEYS_FILE.',
  usage: 'gridops keys --name <name>',
  options: { name: { type: 'string', description: 'Name recorded with the hash (who uses the key).' } },
  epilog: 'The key is printed once on stdout; only its hash line goes into the keys file.',
  async run(ctx) {
    const name = ctx.values.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
      throw gridError('SG_ERR_CLI_USAGE', ['--name is required: 1-64 letters, digits, ".", "_" or "-"']);
    }
    const key = generateKey();
    ctx.stdout.write(`key: ${key}\nline for the keys file: ${name}:${hashKey(key)}\n`);
    return 0;
  },
};

export const metricsCommand: CommandSpec = {
  name: 'metrics',
  summary: 'Print (or write) the catalogue of every exported metric, as Markdown.',
  usage: 'gridops metrics catalogue [--out docs/metrics.md]',
  options: { out: { type: 'string', description: 'Write to this file instead of stdout.' } },
  allowPositionals: true,
  async run(ctx) {
    if (ctx.positionals[0] !== 'catalogue')
      throw gridError('SG_ERR_CLI_USAGE', ['usage: gridops metrics catalogue [--out FILE]']);
    const text = await metricsCatalogue();
    if (typeof ctx.values.out === 'string') writeFileSync(ctx.values.out, text);
    else ctx.stdout.write(text);
    return 0;
  },
};
