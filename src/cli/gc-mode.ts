// V8 garbage collection threads for `gridops run`, chosen from the config (GRIDOPS_GC). V8 takes
// this only at start-up (not from NODE_OPTIONS, and not once running), so a process that needs
// it re-executes itself once with the flag: same pid, argv, environment and stdio, so systemd,
// Kubernetes and a supervisor sending signals see one process. Why single-threaded is the
// default: see `gc` in app/config-schema.ts.
import type { Config } from '../app/config-schema.ts';

export const SINGLE_THREADED_GC = '--single-threaded-gc';

/** Replaces this process with Node.js run again with extra Node flags (process.execve). */
export type Reexec = (nodeFlags: readonly string[]) => never;

export function wantsSingleThreadedGc(config: Pick<Config, 'gc'>): boolean {
  return config.gc !== 'parallel';
}

/**
 * Re-executes with single-threaded GC when the config asks for it and the flag is not in effect
 * yet; otherwise returns. Without `reexec` (an in-process caller such as a test) it returns too.
 * `parallel` never removes a flag given on the command line: whoever set it meant it. Returns a
 * warning when the re-exec failed: the process then runs on with V8's default GC, which only
 * costs throughput.
 */
export function applyGcMode(
  config: Pick<Config, 'gc'>,
  execArgv: readonly string[],
  reexec: Reexec | undefined,
): string | undefined {
  if (!reexec || !wantsSingleThreadedGc(config) || execArgv.includes(SINGLE_THREADED_GC)) return undefined;
  try {
    reexec([SINGLE_THREADED_GC]);
  } catch (err) {
    return `gridops: could not restart with ${SINGLE_THREADED_GC} (${(err as Error).message}); running with V8's parallel GC (GRIDOPS_GC=parallel silences this)`;
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
