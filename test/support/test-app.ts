// Builds a real gridops app (embedded SQLite adapters, processor worker) in a temp directory,
// for app.inject() integration tests. Nothing is mocked; only the port (0) and paths differ.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/app/config.ts';
import { buildApp, type GridOpsApp } from '../../src/app/build-app.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { CONFIG_SCHEMA, type ConfigKey, type KeySpec } from '../../src/app/config-schema.ts';
import { generateFleet, writeTopology } from '../../src/simulator/index.ts';
import type { TopologyFile } from '../../src/domain/topology.ts';

export const TEST_KEY = 'test-key-0123456789';
export const AUTH = { authorization: `Bearer ${TEST_KEY}` };

export interface TestApp extends GridOpsApp {
  dir: string;
  topology: TopologyFile;
  /** Log lines written so far (JSON strings), to assert on logging and redaction. */
  logs: string[];
  close(): Promise<void>;
}

export async function startTestApp(
  overrides: Partial<Record<ConfigKey, string | number | boolean>> = {},
  opts: { meters?: number; listen?: boolean } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-test-'));
  mkdirSync(join(dir, 'data'));
  const topology = generateFleet({ meters: opts.meters ?? 40, seed: 7 });
  writeTopology(join(dir, 'data', 'topology.json'), topology);
  // Secrets are refused as flags (as on a real command line), so they go through the environment.
  const isSecret = (k: string) => (CONFIG_SCHEMA[k as ConfigKey] as KeySpec<unknown>).secret === true;
  const secrets = {
    apiKeys: TEST_KEY,
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => isSecret(k))),
  };
  const config = loadConfig({
    env: Object.fromEntries(
      Object.entries(secrets).map(([k, v]) => [CONFIG_SCHEMA[k as ConfigKey].env, String(v)]),
    ),
    flags: {
      dataDir: join(dir, 'data'),
      port: 0,
      sqliteSynchronous: 'NORMAL',
      logLevel: 'info',
      ...Object.fromEntries(
        Object.entries(overrides)
          .filter(([k]) => !isSecret(k))
          .map(([k, v]) => [k, String(v)]),
      ),
    },
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  const app = buildApp(config, { logger: createLogger(config.logLevel, sink) });
  if (opts.listen === false) {
    await app.http.ready();
  } else {
    await app.manager.start();
  }
  return {
    ...app,
    dir,
    topology,
    logs,
    async close() {
      await app.manager.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A valid meter item in wire format for meter `meterId` at `start` (epoch ms). */
export function meterItem(meterId: string, start: number, value = 0.25): Record<string, unknown> {
  return {
    meter_id: meterId,
    obis: '1-0:1.8.0',
    interval_start: new Date(start).toISOString(),
    interval_s: 900,
    value,
    unit: 'kWh',
  };
}
