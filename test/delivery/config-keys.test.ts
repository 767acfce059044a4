// scripts/delivery/config-keys.ts: the GRIDOPS_* settings of manifests against the key table.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { checkConfigKeys, KNOWN_KEYS, SECRET_KEYS } from '../../scripts/delivery/config-keys.ts';
import type { K8sObject } from '../../scripts/delivery/policy.ts';

const configMap = (data: Record<string, string>): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg' },
  data,
});

function deployment(target: string, env: object[], mounts: string[]): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: target },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'gridops',
              args: ['run', `--target=${target}`],
              envFrom: [{ configMapRef: { name: 'cfg' } }],
              env,
              volumeMounts: mounts.map((mountPath, i) => ({ name: `v${i}`, mountPath })),
            },
          ],
        },
      },
    },
  };
}

const real = {
  GRIDOPS_BUS: 'kafka',
  GRIDOPS_KAFKA_BROKERS: 'b-1:9096',
  GRIDOPS_STORE: 'postgres',
  GRIDOPS_CACHE: 'redis',
};
const urlFiles = [
  { name: 'GRIDOPS_POSTGRES_URL_FILE', value: '/etc/gridops/postgres/url' },
  { name: 'GRIDOPS_REDIS_URL_FILE', value: '/etc/gridops/redis/url' },
];

test('the key table: secrets and their _FILE forms, no invented names', () => {
  assert.ok(SECRET_KEYS.has('GRIDOPS_POSTGRES_URL') && SECRET_KEYS.has('GRIDOPS_REDIS_URL'));
  assert.ok(KNOWN_KEYS.has('GRIDOPS_POSTGRES_URL_FILE') && KNOWN_KEYS.has('GRIDOPS_REDIS_URL_FILE'));
  assert.ok(KNOWN_KEYS.has('GRIDOPS_POSTGRES_CA_FILE') && KNOWN_KEYS.has('GRIDOPS_KAFKA_REPLICATION'));
  assert.ok(!KNOWN_KEYS.has('GRIDOPS_PG_HOST') && !KNOWN_KEYS.has('GRIDOPS_KAFKA_AUTH'));
  assert.ok(
    SECRET_KEYS.has('GRIDOPS_KAFKA_SASL_PASSWORD') && KNOWN_KEYS.has('GRIDOPS_KAFKA_SASL_PASSWORD_FILE'),
  );
});

test('split targets on the real column with mounted secret files pass', () => {
  const objects = [
    configMap(real),
    deployment('processor', urlFiles, ['/etc/gridops/postgres', '/etc/gridops/redis']),
    // Ingest opens no store: GRIDOPS_STORE=postgres from the ConfigMap needs no URL there.
    deployment('ingest', [], []),
  ];
  assert.deepEqual(checkConfigKeys(objects, 't'), []);
});

test('unknown keys, secrets in plain values and unmounted files are reported', () => {
  const v = checkConfigKeys(
    [
      configMap({ ...real, GRIDOPS_PG_HOST: 'db', GRIDOPS_REDIS_URL: 'rediss://h:6379' }),
      deployment(
        'query',
        [
          { name: 'GRIDOPS_POSTGRES_URL', value: 'postgres://u:p@h/db' },
          { name: 'GRIDOPS_POSTGRES_CA_FILE', value: '/etc/ca.pem' },
        ],
        [],
      ),
    ],
    't',
  ).join('\n');
  assert.match(v, /GRIDOPS_PG_HOST is not a gridops configuration key/);
  assert.match(v, /ConfigMap\/cfg: holds the secret GRIDOPS_REDIS_URL/);
  assert.match(v, /sets the secret GRIDOPS_POSTGRES_URL as a plain value/);
  assert.match(v, /GRIDOPS_POSTGRES_CA_FILE=\/etc\/ca.pem is not under a volume mount/);
});

test('a secretKeyRef is a valid source of a secret key', () => {
  const env = [
    { name: 'GRIDOPS_POSTGRES_URL', valueFrom: { secretKeyRef: { name: 's', key: 'url' } } },
    { name: 'GRIDOPS_REDIS_URL', valueFrom: { secretKeyRef: { name: 's', key: 'redis' } } },
  ];
  assert.deepEqual(checkConfigKeys([configMap(real), deployment('query', env, [])], 't'), []);
});

test('split targets on the embedded column, or without their URLs, are reported', () => {
  const embedded = checkConfigKeys([configMap({}), deployment('processor', [], ['/var/lib/gridops'])], 't');
  assert.ok(embedded.some((x) => x.includes('split target on the embedded bus')));
  assert.ok(embedded.some((x) => x.includes('split target on the embedded store')));
  const missing = checkConfigKeys([configMap(real), deployment('query', [], [])], 't').join('\n');
  assert.match(missing, /GRIDOPS_STORE=postgres without GRIDOPS_POSTGRES_URL_FILE/);
  assert.match(missing, /GRIDOPS_CACHE=redis without GRIDOPS_REDIS_URL_FILE/);
});

test('the monolith on SQLite needs its data directory mounted', () => {
  const cfg = configMap({ GRIDOPS_DATA_DIR: '/var/lib/gridops' });
  assert.deepEqual(checkConfigKeys([cfg, deployment('all', [], ['/var/lib/gridops'])], 't'), []);
  assert.match(
    checkConfigKeys([cfg, deployment('all', [], [])], 't').join('\n'),
    /writes GRIDOPS_DATA_DIR=\/var\/lib\/gridops, which is not a volume mount/,
  );
});
