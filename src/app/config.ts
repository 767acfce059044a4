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
      set(key as ConfigKey, value, sources.file);
    }
  }
  const env = sources.env ?? {};
  for (const key of CONFIG_KEYS) {
    const raw = env[CONFIG_SCHEMA[key].env];
    if (raw !== undefined && raw !== '') set(key, raw, CONFIG_SCHEMA[key].env);
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined) set(key as ConfigKey, value, `--${toKebab(key)}`);
  }
  if (config.topologyFile === '') config.topologyFile = join(config.dataDir, 'topology.json');
  return config;
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
