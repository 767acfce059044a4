// V8's garbage collection for `gridops run`, from the config: the GC threads (GRIDOPS_GC) and the
// semi-space size (GRIDOPS_GC_SEMI_SPACE_MIB). V8 takes these only at start-up (not once running;
// --single-threaded-gc not even from NODE_OPTIONS), so a process that needs them re-executes
// itself once with the flags: same pid, argv, environment and stdio, so systemd, Kubernetes and a
// supervisor sending signals see one process. Why single-threaded is the default: see `gc` in
// app/config-schema.ts; why a fixed semi-space: see `gcSemiSpaceMiB` there.
import type { Config } from '../app/config-schema.ts';

export const SINGLE_THREADED_GC = '--single-threaded-gc';
const SEMI_SPACE = '--max-semi-space-size';

/** Replaces this process with Node.js run again with extra Node flags (process.execve). */
export type Reexec = (nodeFlags: readonly string[]) => never;

export function wantsSingleThreadedGc(config: Pick<Config, 'gc'>): boolean {
  return config.gc !== 'parallel';
}

/** The semi-space size given to Node, on its command line or in NODE_OPTIONS, if any. */
export function givenSemiSpace(execArgv: readonly string[], nodeOptions = ''): string | undefined {
  const args = [...execArgv, ...nodeOptions.split(/\s+/)];
  // V8 accepts its flags with dashes or underscores.
  const flag = args.find((a) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(a));
  return flag === undefined ? undefined : (flag.split('=')[1] ?? 'given');
}

/** The flags the config asks for that are not in effect yet, in the order they are added. */
export function missingNodeFlags(
  config: Pick<Config, 'gc' | 'gcSemiSpaceMiB'>,
  execArgv: readonly string[],
  nodeOptions = '',
): string[] {
  const flags: string[] = [];
  if (wantsSingleThreadedGc(config) && !execArgv.includes(SINGLE_THREADED_GC)) flags.push(SINGLE_THREADED_GC);
  // A size given to Node by whoever started it wins: they meant it.
  if (config.gcSemiSpaceMiB > 0 && givenSemiSpace(execArgv, nodeOptions) === undefined)
    flags.push(`${SEMI_SPACE}=${config.gcSemiSpaceMiB}`);
  return flags;
}

/**
 * Re-executes with the flags the config asks for when they are not in effect yet; otherwise
 * returns. Without `reexec` (an in-process caller such as a test) it returns too. `parallel`
 * never removes a flag given on the command line: whoever set it meant it. Returns a warning when
 * the re-exec failed: the process then runs on with V8's defaults, which cost throughput (in a
 * small container, CPU for young collections; on a large host, memory).
 */
export function applyGcMode(
  config: Pick<Config, 'gc' | 'gcSemiSpaceMiB'>,
  execArgv: readonly string[],
  reexec: Reexec | undefined,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): string | undefined {
  const flags = missingNodeFlags(config, execArgv, nodeOptions);
  if (!reexec || flags.length === 0) return undefined;
  try {
    reexec(flags);
  } catch (err) {
    return `gridops: could not restart with ${flags.join(' ')} (${(err as Error).message}); running with V8's defaults (GRIDOPS_GC=parallel and GRIDOPS_GC_SEMI_SPACE_MIB=0 silence this)`;
  }
  return undefined;
}

/** The real re-exec, for the program's entry point (src/main.ts). */
export function processReexec(nodeFlags: readonly string[]): never {
  if (!process.execve) throw new Error('process.execve is not available on this platform');
  return process.execve(
    process.execPath,
    [process.execPath, ...process.execArgv, ...nodeFlags, ...process.argv.slice(1)],
    process.env,
  );
}
