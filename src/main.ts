// Entry point: `bin/gridops` runs this file on Node.js 24.
import { main } from './cli/main-cli.ts';
import { processReexec } from './cli/gc-mode.ts';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  reexec: processReexec,
});
