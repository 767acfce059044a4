// The real column as separate processes: `gridops run --target=<t>` per replica, sharing Kafka,
// PostgreSQL and Redis, plus the checks every loss test ends with (store vs acknowledged, rollups
// vs a recomputation) read straight from PostgreSQL.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startGridops, type GridopsProcess } from './gridops-process.ts';
import { generateFleet, writeTopology } from '../../src/simulator/index.ts';
import type { TopologyFile } from '../../src/domain/topology.ts';
import { Quality } from '../../src/domain/readings.ts';
import {
  compareRollups,
  READINGS_SQL,
  ROLLUPS_SQL,
  type ReadingRow,
  type RollupTableRow,
} from './recompute-rollups.ts';
import type { Engines } from './engines.ts';
import { openProducer } from '../../src/app/backends.ts';
import { groupReport } from './kafka-group-report.ts';

export const CLUSTER_KEY = 'cluster-test-key';

export interface Replica {
  name: string;
  target: string;
  proc?: GridopsProcess;
}

export class Cluster {
  readonly topology: TopologyFile;
  readonly env: NodeJS.ProcessEnv;
  readonly replicas = new Map<string, Replica>();
  readonly topic: string;

  constructor(
    engines: Engines,
    opts: { postgresUrl: string; topic: string; meters?: number; extraEnv?: NodeJS.ProcessEnv },
  ) {
    const dir = mkdtempSync(join(tmpdir(), 'gridops-cluster-'));
    mkdirSync(join(dir, 'data'));
    this.topology = generateFleet({ meters: opts.meters ?? 200, seed: 13 });
    writeTopology(join(dir, 'data', 'topology.json'), this.topology);
    this.topic = opts.topic;
    this.env = {
      GRIDOPS_DATA_DIR: join(dir, 'data'),
      GRIDOPS_API_KEYS: CLUSTER_KEY,
      GRIDOPS_PORT: '0',
      GRIDOPS_LOG_LEVEL: 'warn',
      GRIDOPS_BUS: 'kafka',
      GRIDOPS_KAFKA_BROKERS: engines.kafkaBrokers,
      GRIDOPS_KAFKA_TOPIC: opts.topic,
      GRIDOPS_STORE: 'postgres',
      GRIDOPS_POSTGRES_URL: opts.postgresUrl,
      GRIDOPS_CACHE: 'redis',
      GRIDOPS_REDIS_URL: engines.redisUrl,
      GRIDOPS_BUS_PARTITIONS: '8',
      GRIDOPS_PROCESSOR_BATCH: '2000',
      ...opts.extraEnv,
    };
  }

  async start(name: string, target: string): Promise<Replica> {
    const r: Replica = this.replicas.get(name) ?? { name, target };
    // Processors log at info: their partition assignments are what a stalled drain is read from.
    const env = target === 'processor' ? { ...this.env, GRIDOPS_LOG_LEVEL: 'info' } : this.env;
    r.proc = await startGridops(['run', `--target=${target}`], env, 60_000);
    this.replicas.set(name, r);
    return r;
  }

  /** URLs of the ingest replicas that are up. */
  ingestUrls(): string[] {
    return [...this.replicas.values()].filter((r) => r.target === 'ingest' && r.proc).map((r) => r.proc!.url);
  }

  url(name: string): string {
    return this.replicas.get(name)!.proc!.url;
  }

  async kill(name: string): Promise<void> {
    const r = this.replicas.get(name)!;
    const p = r.proc!;
    r.proc = undefined;
    p.proc.kill('SIGKILL');
    assert.equal(await p.exited, 'SIGKILL');
  }

  /** SIGTERM every replica; each must drain and exit 0. */
  async stopAll(): Promise<void> {
    const running = [...this.replicas.values()].filter((r) => r.proc);
    for (const r of running) r.proc!.proc.kill('SIGTERM');
    for (const r of running) {
      const code = await r.proc!.exited;
      assert.equal(code, 0, `${r.name} exits 0 after SIGTERM:\n${r.proc!.stderr().slice(-3000)}`);
      r.proc = undefined;
    }
  }

  /**
   * Waits until the processors' group has consumed everything published. A slow drain (a loaded
   * CI machine) is not a failure; a stuck one is: fails when the lag has not fallen for
   * `stallMs`, or after `timeoutMs` in all. Resolves to the lag met first and the time taken.
   */
  async drained(
    brokers: string,
    timeoutMs = 300_000,
    stallMs = 60_000,
  ): Promise<{ fromLag: number; ms: number }> {
    // The adapter's own lag read, the one ingest's back-pressure uses.
    const producer = await openProducer({
      kind: 'kafka',
      brokers: brokers.split(','),
      topic: this.topic,
      partitions: 8,
      replication: 1,
      clientId: 'gridops-test',
    });
    try {
      const started = Date.now();
      let fromLag = -1;
      let lag = -1;
      let lowest = Infinity;
      let lowestAt = started;
      let why = `in ${timeoutMs} ms`;
      while (Date.now() < started + timeoutMs) {
        lag = await producer.lag(`${this.topic}.processor`);
        if (fromLag < 0) fromLag = lag;
        if (lag === 0) return { fromLag, ms: Date.now() - started };
        if (lag < lowest) [lowest, lowestAt] = [lag, Date.now()];
        else if (Date.now() - lowestAt > stallMs) {
          why = `: the lag stayed at ${lowest} or more for ${stallMs} ms (it was ${fromLag} at first)`;
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      // What the group and the replicas logged are the only clues CI leaves to why a partition stalled.
      const report = await groupReport(brokers.split(','), this.topic, `${this.topic}.processor`).catch(
        (err: unknown) => `group report failed: ${(err as Error).message}`,
      );
      const logs = [...this.replicas.values()]
        .filter((r) => r.proc)
        .map(
          (r) => `--- ${r.name} (tail)\n${r.proc!.stderr().slice(-2000)}\n${r.proc!.stdout().slice(-4000)}`,
        )
        .join('\n');
      assert.fail(`the processors did not drain the topic ${why} (lag ${lag})\n${report}\n${logs}`);
    } finally {
      await producer.close();
    }
  }
}

/** Every acknowledged reading stored exactly once with its value, nothing else; rollups recomputed. */
export async function verifyPostgres(
  url: string,
  acked: ReadonlyMap<string, number>,
  topology: TopologyFile,
): Promise<{ readings: number; rollups: number; checksum: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const num = (r: Record<string, unknown>) => ({
      ...r,
      interval_start: Number(r.interval_start),
      value: Number(r.value),
      quality: Number(r.quality),
    });
    const readings = (await client.query(READINGS_SQL)).rows.map(num) as unknown as ReadingRow[];
    const rollups = (await client.query(ROLLUPS_SQL)).rows.map((r: Record<string, unknown>) => ({
      ...r,
      resolution: Number(r.resolution),
      bucket: Number(r.bucket),
      energy_kwh: Number(r.energy_kwh),
      readings: Number(r.readings),
      estimated: Number(r.estimated),
    })) as unknown as RollupTableRow[];
    const stored = new Map(readings.map((r) => [`${r.meter_id}|${r.interval_start}`, r]));
    let missing = 0;
    let wrong = 0;
    let checksum = 0;
    for (const [key, v] of acked) {
      const r = stored.get(key);
      checksum += v;
      if (!r) missing++;
      else if (r.value !== v) wrong++;
    }
    const storedSum = readings.reduce((a, r) => a + r.value, 0);
    assert.equal(missing, 0, 'every acknowledged reading is stored');
    assert.equal(wrong, 0, 'with its acknowledged value');
    assert.equal(readings.length, acked.size, 'and nothing else: no reading stored twice or invented');
    assert.ok(Math.abs(storedSum - checksum) < 1e-6 * Math.max(1, checksum), 'value checksum matches');
    // Every key was sent once, and the first stored copy wins: a reading stored flagged as a
    // duplicate means a redelivered batch was judged against state its failed first try left.
    const flagged = readings.filter((r) => (r.quality & Quality.DUPLICATE) !== 0).length;
    assert.equal(flagged, 0, 'no reading stored flagged DUPLICATE');
    const { mismatches, compared } = compareRollups(readings, rollups, topology);
    assert.ok(compared > 0);
    assert.deepEqual(mismatches.slice(0, 5), [], 'rollups equal a recomputation from the readings');
    return { readings: readings.length, rollups: compared, checksum };
  } finally {
    await client.end();
  }
}
