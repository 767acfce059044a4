// Issue 3's fault acceptance on the real engines (scripts/services stops and starts them):
// PostgreSQL down for 60 s under load, the Kafka broker restarted under load, Redis stopped.
// After each, every acknowledged reading is stored exactly once (count and checksum).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { engines, pgSchema, service, uniqueTopic } from '../support/engines.ts';
import { Cluster, CLUSTER_KEY, verifyPostgres } from '../support/cluster.ts';
import { LOAD_T0, startAckedLoad } from '../support/acked-load.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PG_DOWN_MS = Number(process.env.GRIDOPS_FAULT_PG_DOWN_MS ?? 60_000);

async function metric(url: string, name: string): Promise<number> {
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${CLUSTER_KEY}` } })
  ).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm')))
    n += Number(m[1]);
  return n;
}

async function withCluster(
  t: TestContext,
  name: string,
  body: (cluster: Cluster, brokers: string, schemaUrl: string) => Promise<void>,
) {
  const e = engines(t);
  if (!e) return;
  const schema = await pgSchema(e.postgresUrl);
  const cluster = new Cluster(e, { postgresUrl: schema.url, topic: uniqueTopic(`gridops.${name}`) });
  try {
    await body(cluster, e.kafkaBrokers, schema.url);
  } finally {
    await cluster.stopAll().catch(() => {});
    await schema.drop().catch(() => {});
  }
}

test(
  `PostgreSQL stopped for ${PG_DOWN_MS / 1000} s under load: ingest keeps accepting, the processor catches up`,
  { timeout: 900_000 },
  async (t) => {
    await withCluster(t, 'pgdown', async (cluster, brokers, schemaUrl) => {
      await cluster.start('processor-1', 'processor');
      await cluster.start('ingest-1', 'ingest');
      const load = startAckedLoad({
        meters: cluster.topology.meters.map((m) => m.id),
        key: CLUSTER_KEY,
        urls: () => cluster.ingestUrls(),
        pauseMs: 200,
      });
      try {
        await sleep(3000);
        service('down', 'postgres');
        const ackedAtStop = load.acked.size;
        await sleep(PG_DOWN_MS);
        const ackedWhileDown = load.acked.size - ackedAtStop;
        const failures = await metric(cluster.url('processor-1'), 'smartgrid_processor_errors_total');
        service('up', 'postgres');
        assert.ok(
          ackedWhileDown > 0,
          `ingest acknowledged ${ackedWhileDown} readings into Kafka while PostgreSQL was down`,
        );
        assert.ok(failures > 0, 'the processor saw the store fail (and retried with backoff)');
        await sleep(3000);
      } finally {
        await load.stop();
      }
      await cluster.drained(brokers);
      await cluster.stopAll();
      const v = await verifyPostgres(schemaUrl, load.acked, cluster.topology);
      console.log(`pg down: ${v.readings} readings acknowledged and stored once; processor retries seen`);
    });
  },
);

test(
  'Kafka broker restarted under load: ingest answers 503 + Retry-After, never acks what the broker did not take',
  { timeout: 900_000 },
  async (t) => {
    await withCluster(t, 'kafkarestart', async (cluster, brokers, schemaUrl) => {
      await cluster.start('processor-1', 'processor');
      await cluster.start('ingest-1', 'ingest');
      const load = startAckedLoad({
        meters: cluster.topology.meters.map((m) => m.id),
        key: CLUSTER_KEY,
        urls: () => cluster.ingestUrls(),
        pauseMs: 100,
      });
      try {
        await sleep(3000);
        service('down', 'kafka');
        await sleep(10_000);
        service('up', 'kafka');
        await sleep(15_000);
      } finally {
        await load.stop();
      }
      assert.ok((load.refusals.get('503') ?? 0) > 0, 'ingest refused with 503 while the broker was down');
      await cluster.drained(brokers);
      await cluster.stopAll();
      const v = await verifyPostgres(schemaUrl, load.acked, cluster.topology);
      console.log(
        `kafka restart: ${v.readings} readings acknowledged and stored once; refusals ${JSON.stringify(Object.fromEntries(load.refusals))}`,
      );
    });
  },
);

test(
  'Redis stopped: queries still answer from the store, and a metric says the cache is down',
  { timeout: 300_000 },
  async (t) => {
    await withCluster(t, 'redisdown', async (cluster, brokers) => {
      await cluster.start('processor-1', 'processor');
      await cluster.start('ingest-1', 'ingest');
      await cluster.start('query-1', 'query');
      const load = startAckedLoad({
        meters: cluster.topology.meters.map((m) => m.id),
        key: CLUSTER_KEY,
        urls: () => cluster.ingestUrls(),
        pauseMs: 500,
      });
      await sleep(3000);
      await load.stop();
      await cluster.drained(brokers);
      const feeder = cluster.topology.feeders[0]!.id;
      const q = `${cluster.url('query-1')}/v1/feeders/${feeder}/load?from=${new Date(LOAD_T0).toISOString()}&to=${new Date(LOAD_T0 + 86_400_000).toISOString()}`;
      const get = async () => {
        const res = await fetch(q, { headers: { authorization: `Bearer ${CLUSTER_KEY}` } });
        assert.equal(res.status, 200, await res.clone().text());
        return ((await res.json()) as { buckets: unknown[] }).buckets.length;
      };
      const withRedis = await get();
      assert.ok(withRedis > 0);
      service('down', 'redis');
      try {
        const started = Date.now();
        assert.equal(await get(), withRedis, 'same answer from the store with Redis down');
        assert.equal(await get(), withRedis);
        assert.ok(Date.now() - started < 5000, 'answers do not wait on the dead cache');
        assert.equal(
          await metric(cluster.url('query-1'), 'smartgrid_cache_up'),
          0,
          'smartgrid_cache_up says 0',
        );
      } finally {
        service('up', 'redis');
      }
      await sleep(3000);
      assert.equal(await get(), withRedis);
      await cluster.stopAll();
    });
  },
);
