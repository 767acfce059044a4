// Flag parsing for `gridops simulate`: every bad value becomes SG_ERR_CLI_USAGE naming the flag,
// before anything is generated or sent.
import { gridError } from '../app/errors.ts';
import type { CommandContext } from '../cli/command.ts';
import { parseFaultList, type FaultKind } from './faults.ts';

export interface SimulateOptions {
  url: string;
  apiKey: string | undefined;
  meters: number;
  seed: number;
  backfillHours: number;
  speed: number;
  durationS: number | undefined;
  batchSize: number;
  faults: FaultKind[];
  topologyOut: string | undefined;
  journalOut: string | undefined;
  gzip: boolean;
  dryRun: boolean;
}

function usage(message: string): Error {
  return gridError('SG_ERR_CLI_USAGE', [message]);
}

type Values = CommandContext['values'];

function text(values: Values, flag: string): string | undefined {
  const v = values[flag];
  if (v === undefined || v === false) return undefined;
  if (typeof v !== 'string') throw usage(`--${flag} takes a value`);
  return v;
}

function numberFlag(
  values: Values,
  flag: string,
  fallback: number,
  ok: (n: number) => boolean,
  what: string,
): number {
  const raw = text(values, flag);
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || !ok(n)) throw usage(`--${flag} must be ${what}, got "${raw}"`);
  return n;
}

const positiveInt = (n: number): boolean => Number.isInteger(n) && n > 0;

export function parseSimulateOptions(values: Values, env: NodeJS.ProcessEnv): SimulateOptions {
  const url = text(values, 'url') ?? 'http://127.0.0.1:8080';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`--url must be an http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usage(`--url must be an http(s) URL, got "${url}"`);
  }
  let faults: FaultKind[];
  try {
    faults = parseFaultList(text(values, 'faults') ?? 'none');
  } catch (err) {
    throw usage(`--faults: ${(err as Error).message}`);
  }
  const dryRun = values['dry-run'] === true;
  const apiKey = text(values, 'api-key') ?? (env.GRIDOPS_API_KEY || undefined);
  if (!dryRun && apiKey === undefined) {
    throw usage('--api-key (or env GRIDOPS_API_KEY) is required unless --dry-run');
  }
  const durationRaw = text(values, 'duration');
  return {
    url,
    apiKey,
    meters: numberFlag(
      values,
      'meters',
      1000,
      (n) => positiveInt(n) && n <= 1_000_000,
      'an integer 1..1000000',
    ),
    seed: numberFlag(values, 'seed', 42, (n) => Number.isInteger(n) && Math.abs(n) <= 2 ** 32, 'an integer'),
    backfillHours: numberFlag(values, 'backfill-hours', 24, (n) => n >= 0 && n <= 24 * 366, 'hours 0..8784'),
    speed: numberFlag(values, 'speed', 1, (n) => n > 0 && n <= 1_000_000, 'a number > 0'),
    // A dry run prints the backfill and ends unless asked to keep going.
    durationS:
      durationRaw === undefined && dryRun
        ? 0
        : durationRaw === undefined
          ? undefined
          : numberFlag(values, 'duration', 0, (n) => n >= 0, 'seconds >= 0'),
    batchSize: numberFlag(
      values,
      'batch-size',
      5000,
      (n) => positiveInt(n) && n <= 1_000_000,
      'an integer 1..1000000',
    ),
    faults,
    topologyOut: text(values, 'topology-out'),
    journalOut: text(values, 'journal-out'),
    gzip: values.gzip === true,
    dryRun,
  };
}
