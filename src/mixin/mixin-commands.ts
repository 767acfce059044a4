// `gridops slo validate|generate` and `gridops rules lint|test`: the monitoring mixin's CLI.
import { spawn, spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import type { CommandContext, CommandSpec } from '../cli/command.ts';
import { gridError } from '../app/errors.ts';
import { compileMixin, driftedFiles, loadSlos, writeCompiled } from './compile.ts';
import { formatSpecError } from './openslo-docs.ts';
import { lintRules, testFiles } from './rules-lint.ts';

const dirOption = {
  dir: { type: 'string' as const, description: 'The monitoring directory.', default: 'monitoring' },
};

function dirOf(ctx: CommandContext): string {
  return typeof ctx.values.dir === 'string' ? ctx.values.dir : 'monitoring';
}

export const sloCommand: CommandSpec = {
  name: 'slo',
  summary: 'Validate the OpenSLO specs, or compile them and the alert sources into monitoring/compiled/.',
  usage: 'gridops slo validate|generate [--dir monitoring] [--check]',
  options: {
    ...dirOption,
    check: { type: 'boolean', description: 'generate: fail if compiled/ differs instead of writing it.' },
  },
  allowPositionals: true,
  epilog: [
    'validate  reads <dir>/slos/*.yaml (OpenSLO v1) and prints each problem as file:line path: reason.',
    'generate  writes <dir>/compiled/*.yaml (SLO recording rules, burn-rate alerts, platform and grid',
    '          alerts) and <dir>/compiled/tests/*.test.yaml (promtool cases); --check is the CI drift test.',
  ].join('\n'),
  async run(ctx) {
    const action = ctx.positionals[0];
    if ((action !== 'validate' && action !== 'generate') || ctx.positionals.length > 1)
      throw gridError('SG_ERR_CLI_USAGE', ['usage: gridops slo validate|generate [--dir DIR] [--check]']);
    const dir = dirOf(ctx);
    const { slos, errors } = loadSlos(dir);
    for (const e of errors) ctx.stderr.write(`${formatSpecError(e)}\n`);
    if (errors.length > 0) throw gridError('SG_ERR_SLO_INVALID', [String(errors.length)]);
    if (action === 'validate') {
      ctx.stderr.write(`${slos.length} SLOs valid: ${slos.map((s) => s.name).join(', ')}\n`);
      return 0;
    }
    const result = compileMixin(dir);
    for (const p of result.pending)
      ctx.stderr.write(`pending: ${p.alert} left out until the program exports ${p.missing.join(', ')}\n`);
    if (ctx.values.check) {
      const drifted = driftedFiles(dir, result.files);
      if (drifted.length > 0) throw gridError('SG_ERR_MIXIN_DRIFT', [drifted.join(', ')]);
      ctx.stderr.write(`compiled/ is up to date (${result.files.size} files)\n`);
      return 0;
    }
    writeCompiled(dir, result.files);
    ctx.stderr.write(`wrote ${result.files.size} files to ${dir}/compiled\n`);
    return 0;
  },
};

function promtool(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('promtool', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: 127, output: err.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Runs promtool on every test file, two at a time (the machine has two cores). */
async function testRules(ctx: CommandContext, dir: string): Promise<number> {
  if (spawnSync('promtool', ['--version']).error)
    throw gridError('SG_ERR_TOOL_MISSING', ['promtool', 'prometheus']);
  const files = testFiles(dir);
  let failed = 0;
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const started = Date.now();
      const { code, output } = await promtool(['test', 'rules', f]);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      ctx.stderr.write(`${code === 0 ? 'ok  ' : 'FAIL'} ${relative('.', f)} (${secs}s)\n`);
      if (code !== 0) {
        failed++;
        ctx.stderr.write(output);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  ctx.stdout.write(`rules test: ${files.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

export const rulesCommand: CommandSpec = {
  name: 'rules',
  summary: 'Lint the compiled Prometheus rules, or run their promtool tests.',
  usage: 'gridops rules lint|test [--dir monitoring]',
  options: dirOption,
  allowPositionals: true,
  epilog: [
    'lint  fails on an alert without severity/summary/description/runbook_url, a missing runbook or',
    '      runbook section, a metric the program does not export, or a rule no promtool case covers.',
    'test  runs `promtool test rules` on <dir>/compiled/tests/*.yaml and <dir>/tests/*.yaml.',
  ].join('\n'),
  async run(ctx) {
    const action = ctx.positionals[0];
    const dir = dirOf(ctx);
    if (action === 'test' && ctx.positionals.length === 1) return testRules(ctx, dir);
    if (action !== 'lint' || ctx.positionals.length > 1)
      throw gridError('SG_ERR_CLI_USAGE', ['usage: gridops rules lint|test [--dir DIR]']);
    const problems = lintRules(dir);
    for (const p of problems) ctx.stderr.write(`${relative('.', p.file)}: ${p.rule}: ${p.reason}\n`);
    for (const p of compileMixin(dir).pending)
      ctx.stderr.write(`note: ${p.alert} is left out until the program exports ${p.missing.join(', ')}\n`);
    if (problems.length > 0) throw gridError('SG_ERR_RULES_LINT', [String(problems.length)]);
    ctx.stderr.write('rules lint: no problems\n');
    return 0;
  },
};
