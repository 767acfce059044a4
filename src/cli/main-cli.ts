// The `gridops` command: parses options from each command's declaration, prints --help from
// it, and maps coded errors to exit codes (2 for usage, 1 otherwise).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { isGridOpsError, gridError } from '../app/errors.ts';
import type { CommandContext, CommandSpec, OptionSpec } from './command.ts';
import { runCommand } from './run-command.ts';
import { keysCommand, metricsCommand } from './small-commands.ts';
import { simulateCommand } from '../simulator/index.ts';
import { rulesCommand, sloCommand } from '../mixin/mixin-commands.ts';
import { migrateCommand } from './migrate-command.ts';
import { retentionCommand } from './retention-command.ts';

export const COMMANDS: CommandSpec[] = [
  runCommand,
  simulateCommand,
  keysCommand,
  metricsCommand,
  sloCommand,
  rulesCommand,
  migrateCommand,
  retentionCommand,
];

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function commandHelp(cmd: CommandSpec): string {
  const lines = [`${cmd.summary}`, '', `Usage: ${cmd.usage}`, '', 'Options:'];
  const opts: Record<string, OptionSpec> = {
    ...cmd.options,
    help: { type: 'boolean', short: 'h', description: 'Show this help.' },
  };
  for (const [name, o] of Object.entries(opts)) {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' <value>' : ''}`;
    const def = o.default !== undefined ? ` (default: ${String(o.default)})` : '';
    lines.push(`  ${flag.padEnd(32)} ${o.description}${def}`);
  }
  if (cmd.epilog) lines.push('', cmd.epilog);
  return `${lines.join('\n')}\n`;
}

export function mainHelp(): string {
  return [
    'gridops: the Smart Grid Analytics pipeline and its operations tooling',
    '',
    'Usage: gridops <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Run `gridops <command> --help` for its options. `gridops --version` prints the version.',
    '',
  ].join('\n');
}

export async function main(
  argv: string[],
  io: Pick<CommandContext, 'stdout' | 'stderr' | 'env' | 'reexec'>,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`gridops ${version()}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  try {
    if (!cmd) throw gridError('SG_ERR_CLI_USAGE', [`unknown command "${name}"; run gridops --help`]);
    // Defaults are for --help only: an unset flag must stay undefined so env and file apply.
    const options = Object.fromEntries(
      Object.entries({ ...cmd.options, help: { type: 'boolean', short: 'h' } }).map(([k, o]) => [
        k,
        {
          type: o.type,
          ...('short' in o && o.short ? { short: o.short } : {}),
          ...('multiple' in o && o.multiple ? { multiple: true } : {}),
        },
      ]),
    );
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: options as never,
        allowPositionals: cmd.allowPositionals ?? false,
        strict: true,
      });
    } catch (err) {
      throw gridError('SG_ERR_CLI_USAGE', [`${(err as Error).message}; run gridops ${cmd.name} --help`]);
    }
    if (parsed.values.help) {
      io.stdout.write(commandHelp(cmd));
      return 0;
    }
    return await cmd.run({
      values: parsed.values as CommandContext['values'],
      positionals: parsed.positionals,
      ...io,
    });
  } catch (err) {
    if (isGridOpsError(err)) {
      io.stderr.write(`gridops: ${err.code}: ${err.message}\n`);
      for (const d of err.details) io.stderr.write(`  ${d.field ?? ''} ${d.message}\n`);
      return err.code === 'SG_ERR_CLI_USAGE' ? 2 : 1;
    }
    throw err;
  }
}
