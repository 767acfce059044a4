// Loads the configuration: defaults < file (--config, JSON) < environment < flags.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gridError } from './errors.ts';
import { CONFIG_SCHEMA, type Config, type ConfigKey, type KeySpec } from './config-schema.ts';

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

function parseKey(key: ConfigKey, raw: unknown, source: string): unknown {
  const spec = CONFIG_SCHEMA[key] as KeySpec<unknown>;
  try {
    return spec.parse(String(raw));
  } catch (err) {
    throw gridError('SG_ERR_CONFIG_INVALID', [`${key} (from ${source})`, (err as Error).message]);
  }
}

export interface ConfigSources {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by config key (already mapped from --kebab-case). */
  flags?: Partial<Record<ConfigKey, unknown>>;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const config = Object.fromEntries(CONFIG_KEYS.map((k) => [k, CONFIG_SCHEMA[k].default])) as Config;
  const set = (key: ConfigKey, raw: unknown, source: string) => {
    (config as Record<string, unknown>)[key] = parseKey(key, raw, source);
  };
  if (sources.file) {
    let fromFile: Record<string, unknown>;
    try {
      fromFile = JSON.parse(readFileSync(sources.file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw gridError('SG_ERR_CONFIG_FILE', [sources.file, (err as Error).message]);
    }
    for (const [key, value] of Object.entries(fromFile)) {
      if (!(key in CONFIG_SCHEMA)) {
        throw gridError('SG_ERR_CONFIG_INVALID', [`${key} (from ${sources.file})`, 'unknown key']);
      }
      refuseSecret(key as ConfigKey, sources.file);
      set(key as ConfigKey, value, sources.file);
    }
  }
  const env = sources.env ?? {};
  for (const key of CONFIG_KEYS) {
    const name = CONFIG_SCHEMA[key].env;
    const raw = env[name];
    if (raw !== undefined && raw !== '') set(key, raw, name);
    const file = (CONFIG_SCHEMA[key] as KeySpec<unknown>).secret ? env[`${name}_FILE`] : undefined;
    if (file) set(key, readSecretFile(file, `${name}_FILE`), `${name}_FILE`);
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    refuseSecret(key as ConfigKey, `--${toKebab(key)}`);
    set(key as ConfigKey, value, `--${toKebab(key)}`);
  }
  if (config.topologyFile === '') config.topologyFile = join(config.dataDir, 'topology.json');
  return config;
}

// Secrets on a command line show in `ps` and shell history; in a config file they end up in Git.
function refuseSecret(key: ConfigKey, source: string): void {
  const spec = CONFIG_SCHEMA[key] as KeySpec<unknown>;
  if (!spec.secret) return;
  throw gridError('SG_ERR_CONFIG_INVALID', [
    `${key} (from ${source})`,
    `a secret is read only from ${spec.env} or ${spec.env}_FILE`,
  ]);
}

/** A secret mounted as a file (Kubernetes Secret, Docker secret); one trailing newline dropped. */
function readSecretFile(path: string, source: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw gridError('SG_ERR_CONFIG_FILE', [`${path} (from ${source})`, (err as Error).message]);
  }
}

/** The configuration with secrets masked, for --print-config and start-up logs. */
export function redactedConfig(config: Config): Record<string, unknown> {
  return Object.fromEntries(
    CONFIG_KEYS.map((k) => {
      const spec = CONFIG_SCHEMA[k] as KeySpec<unknown>;
      const value = config[k];
      return [k, spec.secret && value !== '' ? '<redacted>' : value];
    }),
  );
}

export function toKebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function fromKebab(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
