// The shape of one `gridops` sub-command. The dispatcher (cli/main-cli.ts) parses options
// with node:util parseArgs from this declaration and prints `--help` from it, so every
// command documents itself the same way.
import type { Reexec } from './gc-mode.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  /** Shown in --help; parsed values default to undefined so config layering can tell "unset". */
  default?: string | boolean;
  multiple?: boolean;
}

export interface CommandContext {
  /** Parsed option values, keyed by long option name. */
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  /** Progress and human output (stderr); stdout is kept for machine-readable results. */
  stderr: NodeJS.WritableStream;
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Re-executes the process with extra Node flags; only the real program (src/main.ts) has it. */
  reexec?: Reexec;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** e.g. `gridops simulate [options]` */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Extra help text printed after the options (examples, notes). */
  epilog?: string;
  allowPositionals?: boolean;
  /** Resolves to the process exit code. Throw GridOpsError for usage errors. */
  run(ctx: CommandContext): Promise<number>;
}
