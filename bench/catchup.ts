// bench/catchup: a steady load through ingest into Kafka; the processor is stopped for an outage
// (default 10 minutes) while readings keep arriving, then restarted. Measures the time to drain
// the backlog while the load goes on, and the catch-up rate as a multiple of the arrival rate.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGridops, type GridopsProcess } from '../test/support/gridops-process.ts';
import { pgSchema } from '../test/support/engines.ts';
import { generateFleet, writeTopology } from '../src/simulator/index.ts';
import type { Bench } from './harness.ts';
import { BENCH_KEY, benchProducer, need, realColumnEnv } from './engines.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts `rate` readings every second (interval-major over the fleet) until stopped. */
function steadyLoad(
  url: () => string,
  key: string,
  meters: string[],
  rate: number,
  log: (l: string) => void,
) {
  let k = 0;
  let sent = 0;
  let running = true;
  const t0 = Date.UTC(2025, 0, 1);
  const done = (async () => {
    let next = performance.now();
    while (running) {
      const items = [];
      for (let i = 0; i < rate; i++, k++) {
        const m = k % meters.length;
        const slot = Math.floor(k / meters.length);
        items.push({
          meter_id: meters[m],
          obis: '1-0:1.8.0',
          interval_start: new Date(t0 + slot * 900_000).toISOString(),
          interval_s: 900,
          value: ((m * 31 + slot * 17) % 200) / 100 + 0.05,
          unit: 'kWh',
        });
      }
      const body = JSON.stringify(items);
      for (;;) {
        const res = await fetch(`${url()}/v1/readings`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        });
        await res.text();
        if (res.status === 202) break;
        if (res.status !== 503) throw new Error(`ingest answered ${res.status}`);
        log('ingest answered 503 (back-pressure): the steady load is not steady any more');
        await sleep(200);
      }
      sent += items.length;
      next += 1000;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      running = false;
      await done;
    },
  };
}

export const catchupBench: Bench = {
  name: 'catchup',
  summary:
    'processor outage under steady load, then time to drain (--outage-s=600 --rate=2000 --meters=5000)',
  async run(args, log) {
    const brokers = need('GRIDOPS_KAFKA_BROKERS');
    const baseUrl = need('GRIDOPS_POSTGRES_URL');
    const outageS = Number(args['outage-s'] ?? 600);
    const rate = Number(args.rate ?? 2000);
    const meters = Number(args.meters ?? 5000);
    const dir = mkdtempSync(join(tmpdir(), 'gridops-bench-'));
    mkdirSync(join(dir, 'data'));
    const topology = generateFleet({ meters, seed: 5 });
    writeTopology(join(dir, 'data', 'topology.json'), topology);
    const schema = await pgSchema(baseUrl);
    const topic = `gridops.bench.catchup.${Date.now()}`;
    const key = BENCH_KEY;
    const env = realColumnEnv({ dataDir: join(dir, 'data'), brokers, topic, postgresUrl: schema.url });
    const group = `${topic}.processor`;
    const producer = await benchProducer(brokers, topic);
    let processor: GridopsProcess | undefined;
    let ingest: GridopsProcess | undefined;
    try {
      processor = await startGridops(['run', '--target=processor'], env, 60_000);
      ingest = await startGridops(['run', '--target=ingest'], env, 60_000);
      const load = steadyLoad(
        () => ingest!.url,
        key,
        topology.meters.map((m) => m.id),
        rate,
        log,
      );
      try {
        log(`steady load of ${rate} readings/s; warming up 20 s`);
        await sleep(20_000);
        // This producer publishes nothing, so its lag counts Kafka records (envelopes of a
        // transformer's readings, kafka-envelope.ts); readings per envelope are derived from
        // what ingest acknowledged during the outage.
        const lagBefore = await producer.lag(group);
        log(`lag before the outage: ${lagBefore} Kafka records`);
        processor.proc.kill('SIGTERM');
        await processor.exited;
        processor = undefined;
        const sentAtOutage = load.sent();
        log(`processor stopped for ${outageS} s`);
        for (let s = 0; s < outageS; s += 60) {
          await sleep(Math.min(60, outageS - s) * 1000);
          log(`outage ${Math.min(outageS, s + 60)} s: backlog ${await producer.lag(group)} Kafka records`);
        }
        const backlogRecords = await producer.lag(group);
        const sentAtRestart = load.sent();
        const perRecord = (sentAtRestart - sentAtOutage) / Math.max(1, backlogRecords - lagBefore);
        const backlog = Math.round(backlogRecords * perRecord);
        log(`backlog ${backlogRecords} Kafka records, ${perRecord.toFixed(1)} readings each`);
        processor = await startGridops(['run', '--target=processor'], env, 60_000);
        const started = performance.now();
        // Drained: the lag is back under one second of arrivals.
        while ((await producer.lag(group)) * perRecord > rate) await sleep(250);
        const catchupS = (performance.now() - started) / 1000;
        const processedDuring = backlog + (load.sent() - sentAtRestart);
        const arrival = (load.sent() - sentAtRestart) / catchupS;
        log(`backlog ${backlog} drained in ${catchupS.toFixed(1)} s while ${rate}/s kept arriving`);
        return {
          outage_s: outageS,
          arrival_per_s: arrival,
          backlog,
          catchup_s: catchupS,
          catchup_per_s: processedDuring / catchupS,
          catchup_multiple: processedDuring / catchupS / arrival,
        };
      } finally {
        await load.stop();
      }
    } finally {
      await producer.close();
      for (const p of [processor, ingest]) p?.proc.kill('SIGTERM');
      for (const p of [processor, ingest]) await p?.exited;
      await schema.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
