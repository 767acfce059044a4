// Finds the real engines started by scripts/services (PostgreSQL, Redis, Kafka) for the suites
// of the real column. Locally a missing service skips the suite; in CI it fails it, so a
// suite can never pass by not running.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import pg from 'pg';

export interface Engines {
  postgresUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
}

const VARS = {
  postgresUrl: 'GRIDOPS_POSTGRES_URL',
  redisUrl: 'GRIDOPS_REDIS_URL',
  kafkaBrokers: 'GRIDOPS_KAFKA_BROKERS',
} as const;

/**
 * The engines' addresses, or undefined after marking the test skipped (locally). In CI a missing
 * address throws, failing the test.
 */
export function engines(
  t: TestContext,
  need: (keyof Engines)[] = ['postgresUrl', 'redisUrl', 'kafkaBrokers'],
) {
  const missing = need.filter((k) => !process.env[VARS[k]]);
  if (missing.length === 0) {
    return Object.fromEntries(need.map((k) => [k, process.env[VARS[k]]!])) as unknown as Engines;
  }
  const why = `${missing.map((k) => VARS[k]).join(', ')} unset: run scripts/services/up and source its env file`;
  if (process.env.CI === 'true') throw new Error(why);
  t.skip(why);
  return undefined;
}

/** A private PostgreSQL schema for one test, reached through the URL's search_path. */
export async function pgSchema(
  baseUrl: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA ${name}`);
  await client.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA ${name} CASCADE`);
      await c.end();
    },
  };
}

const SERVICES = fileURLToPath(new URL('../../scripts/services/', import.meta.url));

/** Runs scripts/services/svc <command> <name> (up, down, kill), e.g. to stop PostgreSQL for a while. */
export function service(command: 'up' | 'down' | 'kill', name: 'postgres' | 'redis' | 'kafka'): void {
  execFileSync('bash', [`${SERVICES}svc`, command, name], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A unique Kafka topic, so runs never see each other's records or consumer groups. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}.${randomBytes(4).toString('hex')}`;
}
