import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loadConfig } from './config.ts';
import { busSettings, processorGroup, storeSettings } from './backends.ts';

test('the embedded column is the default, with its files under dataDir', () => {
  const c = loadConfig({ flags: { dataDir: '/d' } });
  assert.deepEqual(busSettings(c, 'all'), {
    kind: 'sqlite',
    path: '/d/bus.db',
    partitions: 8,
    synchronous: 'FULL',
  });
  assert.deepEqual(storeSettings(c), { kind: 'sqlite', path: '/d/store.db', synchronous: 'FULL' });
  assert.equal(processorGroup(busSettings(c, 'all')), 'processor');
});

test('Kafka: brokers required; TLS with a CA and SCRAM credentials from the environment', () => {
  assert.throws(() => busSettings(loadConfig({ env: { GRIDOPS_BUS: 'kafka' } }), 'ingest'), /kafkaBrokers/);
  const c = loadConfig({
    env: {
      GRIDOPS_BUS: 'kafka',
      GRIDOPS_KAFKA_BROKERS: 'b-1:9096, b-2:9096',
      GRIDOPS_KAFKA_TLS: 'true',
      GRIDOPS_KAFKA_CA_FILE: '/ca.pem',
      GRIDOPS_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      GRIDOPS_KAFKA_SASL_USERNAME: 'gridops',
      GRIDOPS_KAFKA_SASL_PASSWORD: 'pw',
    },
  });
  const s = busSettings(c, 'ingest');
  assert.ok(s.kind === 'kafka');
  assert.deepEqual(s.brokers, ['b-1:9096', 'b-2:9096']);
  assert.deepEqual(s.tls, { caFile: '/ca.pem' });
  assert.deepEqual(s.sasl, { mechanism: 'SCRAM-SHA-512', username: 'gridops', password: 'pw' });
  assert.equal(processorGroup(s), 'gridops.readings.processor');
});

test('SASL without a password is a configuration error naming the key', () => {
  const c = loadConfig({
    env: {
      GRIDOPS_BUS: 'kafka',
      GRIDOPS_KAFKA_BROKERS: 'b:9096',
      GRIDOPS_KAFKA_SASL_MECHANISM: 'plain',
      GRIDOPS_KAFKA_SASL_USERNAME: 'u',
    },
  });
  assert.throws(() => busSettings(c, 'ingest'), /kafkaSaslPassword: required when kafkaSaslMechanism=plain/);
});

test('PostgreSQL needs its URL; pool, timeout and TLS come from config', () => {
  assert.throws(() => storeSettings(loadConfig({ env: { GRIDOPS_STORE: 'postgres' } })), /postgresUrl/);
  const c = loadConfig({
    env: {
      GRIDOPS_STORE: 'postgres',
      GRIDOPS_POSTGRES_URL: 'postgres://u:p@db/g',
      GRIDOPS_POSTGRES_SSLMODE: 'verify-full',
      GRIDOPS_POSTGRES_CA_FILE: '/rds.pem',
    },
  });
  assert.deepEqual(storeSettings(c), {
    kind: 'postgres',
    url: 'postgres://u:p@db/g',
    poolMax: 10,
    statementTimeoutMs: 30_000,
    sslMode: 'verify-full',
    caFile: '/rds.pem',
  });
});

test('the embedded column loads no Kafka, PostgreSQL or Redis client (a processor worker imports this file)', () => {
  // In a fresh process, since this one may have loaded them for other tests. The Redis client,
  // loaded by the main thread and every processor worker, made the embedded process take 2.3 s
  // instead of 1.7 to start and stop, with a peak of 226 MiB instead of 188 (8 runs each).
  const script = `
    import { registerHooks } from 'node:module';
    const packages = new Set();
    registerHooks({ resolve(spec, ctx, next) {
      const r = next(spec, ctx);
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url);
      if (m) packages.add(m[1]);
      return r;
    } });
    await import(${JSON.stringify(new URL('./build-app.ts', import.meta.url).href)});
    await import(${JSON.stringify(new URL('./backends.ts', import.meta.url).href)});
    console.log(JSON.stringify([...packages]));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const loaded = JSON.parse(out) as string[];
  assert.ok(loaded.includes('fastify'), `the hook saw the imports: ${loaded.join(', ')}`);
  for (const client of ['redis', '@redis/client', 'pg', '@platformatic/kafka'])
    assert.ok(!loaded.includes(client), `${client} loaded: ${loaded.join(', ')}`);
});
