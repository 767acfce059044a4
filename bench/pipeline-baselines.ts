// bench/pipeline's two baselines, measured before and after its run: PostgreSQL's COPY of the
// same rows into the same table, and Kafka's own kafka-producer-perf-test from the same jars.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pgSchema } from '../test/support/engines.ts';
import { openStoreWriter } from '../src/app/backends.ts';
import { benchProducer } from './engines.ts';
import type { Row } from './batches.ts';
import { pidsMatching, startCpuAccount } from './cpu-account.ts';
const KAFKA_RUN = fileURLToPath(new URL('../scripts/services/kafka-run', import.meta.url));
/** The server and its backends, as scripts/services starts them (`postgres: ...` once forked). */
export const POSTGRES = /^(\S*\/)?postgres[: ]/;

/** COPY of the same rows into meter_readings of a freshly migrated schema, day partitions made. */
export async function copyBaseline(
  baseUrl: string,
  rows: Row[],
  dir: string,
  log: (l: string) => void,
): Promise<{ perS: number; postgresUs: number }> {
  const schema = await pgSchema(baseUrl);
  try {
    const writer = await openStoreWriter(
      {
        kind: 'postgres',
        url: schema.url,
        poolMax: 2,
        statementTimeoutMs: 0,
        sslMode: 'disable',
        caFile: '',
      },
      () => undefined,
    );
    await writer.close();
    const days = [
      ...new Set(rows.map((r) => Math.floor(Date.parse(r.interval_start) / 86_400_000) * 86_400_000)),
    ];
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    await client.query('SELECT gridops_ensure_day_partitions($1, $2)', ['meter_readings', days]);
    await client.end();
    const csv = join(dir, 'rows.csv');
    const now = Date.now();
    writeFileSync(
      csv,
      rows
        .map(
          (r) =>
            `${r.meter_id},${r.obis},${Date.parse(r.interval_start)},${r.interval_s},${r.value},${r.unit},0,${now}`,
        )
        .join('\n') + '\n',
    );
    log(`COPY of ${rows.length} rows into ${schema.name}.meter_readings`);
    const cpu = startCpuAccount([{ name: 'postgres', pids: () => pidsMatching(POSTGRES) }]);
    const started = performance.now();
    execFileSync('psql', [
      baseUrl,
      '-v',
      'ON_ERROR_STOP=1',
      '-qc',
      `\\copy ${schema.name}.meter_readings (meter_id, obis, interval_start, interval_s, value, unit, quality, received_at) FROM '${csv}' CSV`,
    ]);
    const perS = rows.length / ((performance.now() - started) / 1000);
    // What the server itself spends per row, to set against its share of the pipeline's CPU.
    // psql's backend ends just after psql: a zombie shows no command line, so its CPU counts
    // only once the server has reaped it (see statSeconds); give it that moment.
    await new Promise((r) => setTimeout(r, 500));
    const postgresUs = cpu.stop(rows.length).totalUs;
    return { perS, postgresUs };
  } finally {
    await schema.drop();
  }
}

/** kafka-producer-perf-test: the same count of records of our average size, acks=all, idempotent. */
export async function kafkaPerf(
  brokers: string,
  records: number,
  size: number,
  log: (l: string) => void,
): Promise<number> {
  const topic = `gridops.bench.perf.${Date.now()}`;
  const p = await benchProducer(brokers, topic);
  await p.close();
  log(`kafka-producer-perf-test: ${records} records of ${size} bytes to ${topic}`);
  const out = execFileSync(
    'bash',
    [
      KAFKA_RUN,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(size),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${brokers}`,
      'acks=all',
      'enable.idempotence=true',
      'linger.ms=5',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const m = /(\d+) records sent, ([\d.]+) records\/sec/.exec(out.trim().split('\n').at(-1) ?? '');
  if (!m) throw new Error(`unexpected perf-test output:\n${out.slice(-500)}`);
  return Number(m[2]);
}
