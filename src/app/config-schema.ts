// Every configuration key in one place: its doc, default, environment variable and parser
// (Practica's config pattern). `gridops run --help` prints this table, and the delivery checks
// (scripts/delivery/config-keys.ts) read it, so a key cannot exist without documentation.

export type Parser<T> = (raw: string) => T;

export interface KeySpec<T> {
  doc: string;
  default: T;
  env: string;
  parse: Parser<T>;
  /** Never printed by --print-config or logged; only from the environment or <env>_FILE. */
  secret?: boolean;
}

function int(min: number, max: number): Parser<number> {
  return (raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`must be an integer in [${min}, ${max}]`);
    return n;
  };
}
function bool(raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error('must be true or false');
}
function oneOf<T extends string>(...values: T[]): Parser<T> {
  return (raw) => {
    if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  };
}
const str: Parser<string> = (raw) => raw;

export const CONFIG_SCHEMA = {
  dataDir: {
    doc: 'Directory for the embedded bus and store (SQLite files).',
    default: './data',
    env: 'GRIDOPS_DATA_DIR',
    parse: str,
  },
  target: {
    doc: 'Comma list of targets to run: all, ingest, processor, query.',
    default: 'all',
    env: 'GRIDOPS_TARGET',
    parse: str,
  },
  host: { doc: 'Address the HTTP server binds to.', default: '127.0.0.1', env: 'GRIDOPS_HOST', parse: str },
  port: { doc: 'HTTP port (0 picks a free one).', default: 8080, env: 'GRIDOPS_PORT', parse: int(0, 65535) },
  logLevel: {
    doc: 'Log level.',
    default: 'info' as const,
    env: 'GRIDOPS_LOG_LEVEL',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  },
  apiKeys: {
    doc: 'Comma list of API keys accepted (hashed at start, never logged).',
    default: '',
    env: 'GRIDOPS_API_KEYS',
    parse: str,
    secret: true,
  },
  apiKeysFile: {
    doc: 'File of accepted API key SHA-256 hashes, one "name:hex" per line.',
    default: '',
    env: 'GRIDOPS_API_KEYS_FILE',
    parse: str,
  },
  metricsAuth: {
    doc: 'Require an API key on /metrics (Prometheus sends it as a bearer token).',
    default: true,
    env: 'GRIDOPS_METRICS_AUTH',
    parse: bool,
  },
  topologyFile: {
    doc: 'Grid topology JSON; default <dataDir>/topology.json.',
    default: '',
    env: 'GRIDOPS_TOPOLOGY_FILE',
    parse: str,
  },
  busPartitions: {
    doc: 'Partitions of the embedded bus (readings keyed by transformer).',
    default: 8,
    env: 'GRIDOPS_BUS_PARTITIONS',
    parse: int(1, 256),
  },
  busBackend: {
    doc: 'Bus implementation: sqlite (embedded, one machine) or kafka (GRIDOPS_KAFKA_BROKERS).',
    default: 'sqlite' as const,
    env: 'GRIDOPS_BUS',
    parse: oneOf('sqlite', 'kafka'),
  },
  kafkaBrokers: {
    doc: 'Comma list of Kafka bootstrap brokers (host:port), for busBackend=kafka.',
    default: '',
    env: 'GRIDOPS_KAFKA_BROKERS',
    parse: str,
  },
  kafkaTopic: {
    doc: 'Kafka topic of readings (its dead-letter topic is <topic>.dlq); created with busPartitions partitions.',
    default: 'gridops.readings',
    env: 'GRIDOPS_KAFKA_TOPIC',
    parse: str,
  },
  kafkaReplication: {
    doc: 'Replication factor of the topics gridops creates (3 on MSK, 1 on a single broker).',
    default: 1,
    env: 'GRIDOPS_KAFKA_REPLICATION',
    parse: int(1, 16),
  },
  kafkaTls: {
    doc: 'TLS to the Kafka brokers (Amazon MSK: port 9094 for TLS, 9096 for SASL/SCRAM over TLS).',
    default: false,
    env: 'GRIDOPS_KAFKA_TLS',
    parse: bool,
  },
  kafkaCaFile: {
    doc: "PEM CA bundle for the brokers' certificates when not signed by a public CA.",
    default: '',
    env: 'GRIDOPS_KAFKA_CA_FILE',
    parse: str,
  },
  kafkaSaslMechanism: {
    doc: 'SASL mechanism: none, plain, scram-sha-256 or scram-sha-512 (MSK SCRAM: scram-sha-512).',
    default: 'none' as const,
    env: 'GRIDOPS_KAFKA_SASL_MECHANISM',
    parse: oneOf('none', 'plain', 'scram-sha-256', 'scram-sha-512'),
  },
  kafkaSaslUsername: {
    doc: 'SASL user name.',
    default: '',
    env: 'GRIDOPS_KAFKA_SASL_USERNAME',
    parse: str,
  },
  kafkaSaslPassword: {
    doc: 'SASL password; secret: env or GRIDOPS_KAFKA_SASL_PASSWORD_FILE only.',
    default: '',
    env: 'GRIDOPS_KAFKA_SASL_PASSWORD',
    parse: str,
    secret: true,
  },
  storeBackend: {
    doc: 'Store implementation: sqlite (embedded) or postgres (GRIDOPS_POSTGRES_URL).',
    default: 'sqlite' as const,
    env: 'GRIDOPS_STORE',
    parse: oneOf('sqlite', 'postgres'),
  },
  postgresUrl: {
    doc: 'PostgreSQL URL (postgres://user:password@host:port/db); secret: env or GRIDOPS_POSTGRES_URL_FILE only.',
    default: '',
    env: 'GRIDOPS_POSTGRES_URL',
    parse: str,
    secret: true,
  },
  postgresPoolMax: {
    doc: 'Most PostgreSQL connections per pool: the query module has one, and so does each processor worker (size RDS max_connections for replicas x (1 + workers) x this).',
    default: 10,
    env: 'GRIDOPS_POSTGRES_POOL_MAX',
    parse: int(1, 1000),
  },
  postgresStatementTimeoutMs: {
    doc: 'PostgreSQL statement_timeout of every connection.',
    default: 30_000,
    env: 'GRIDOPS_POSTGRES_STATEMENT_TIMEOUT_MS',
    parse: int(0, 3_600_000),
  },
  postgresSslMode: {
    doc: 'TLS to PostgreSQL: disable, require (encrypt) or verify-full (encrypt and check the server, as RDS should be).',
    default: 'disable' as const,
    env: 'GRIDOPS_POSTGRES_SSLMODE',
    parse: oneOf('disable', 'require', 'verify-full'),
  },
  postgresCaFile: {
    doc: 'PEM CA bundle for verify-full (for RDS: the global bundle from AWS).',
    default: '',
    env: 'GRIDOPS_POSTGRES_CA_FILE',
    parse: str,
  },
  cacheBackend: {
    doc: 'Query cache: memory (per process LRU) or redis (shared, GRIDOPS_REDIS_URL).',
    default: 'memory' as const,
    env: 'GRIDOPS_CACHE',
    parse: oneOf('memory', 'redis'),
  },
  redisUrl: {
    doc: 'Redis URL (redis://[:password@]host:port or rediss:// for TLS); secret: env or GRIDOPS_REDIS_URL_FILE only.',
    default: '',
    env: 'GRIDOPS_REDIS_URL',
    parse: str,
    secret: true,
  },
  maxBusLag: {
    doc: 'Unprocessed readings on the bus above which ingest answers 503.',
    default: 2_000_000,
    env: 'GRIDOPS_MAX_BUS_LAG',
    parse: int(1, 1e9),
  },
  maxBodyBytes: {
    doc: 'Largest accepted request body, after decompression.',
    default: 64 * 1024 * 1024,
    env: 'GRIDOPS_MAX_BODY_BYTES',
    parse: int(1024, 1024 ** 3),
  },
  maxBatchItems: {
    doc: 'Most readings in one request.',
    default: 100_000,
    env: 'GRIDOPS_MAX_BATCH_ITEMS',
    parse: int(1, 10_000_000),
  },
  sqliteSynchronous: {
    doc: 'SQLite synchronous mode: FULL survives power loss, NORMAL only process crashes.',
    default: 'FULL' as const,
    env: 'GRIDOPS_SQLITE_SYNCHRONOUS',
    parse: oneOf('FULL', 'NORMAL'),
  },
  processorWorkers: {
    doc: 'Processor worker threads in one process. Each takes a share of the bus partitions (a Kafka group member each), so the per-reading work runs on several cores while another waits on its store write.',
    default: 2,
    env: 'GRIDOPS_PROCESSOR_WORKERS',
    parse: int(1, 64),
  },
  gc: {
    doc: 'V8 garbage collection: single-threaded (collected on the thread that allocated), parallel (V8 helper threads), or auto (single-threaded, on every target). Applied by re-executing the process once at start (same pid).',
    // Measured (stop 17, 8 alternating pairs of bench/ingest): the embedded monolith processed a
    // median 117k against 103k readings/s with single-threaded GC (6 pairs of 8 won), CPU 15.4
    // against 16.7 us per reading, as V8's helper threads no longer compete with ingest and the
    // processor workers for two cores; peak RSS rose from 1,094-1,189 to 1,258-1,587 MiB (1,713
    // at most in stop 18). On the split targets it cost instead while ingest kept each batch
    // alive until its commit (young collections copying most of what they met); since stop 20
    // it wins there too (bench/pipeline, 3 pairs, all won): 75-80k -> 90-94k readings/s, CPU
    // 21.0-24.2 -> 19.7-20.1 us per reading, the processor's V8 helpers 2.6-2.8 -> 1.4-1.6.
    default: 'auto' as const,
    env: 'GRIDOPS_GC',
    parse: oneOf('auto', 'single-threaded', 'parallel'),
  },
  gcSemiSpaceMiB: {
    doc: "V8 semi-space size in MiB, where new objects live until their first collections (0: V8's choice). Applied with the GC mode at start.",
    // Left to V8 it follows the memory the process may use, which in a container is its memory
    // limit: 1 MiB under the ingest pod's 512Mi (64 on this 24 GiB host), so every young
    // collection met the requests still waiting for their commit. bench/pipeline with the
    // targets in memory cgroups of the pods' limits (stop 22): ingest 9.7 us of CPU per reading
    // with V8's choice, 6.4 with 16, 5.7-6.3 outside any cgroup. bench/ingest on this host, 2
    // pairs: 16 against V8's 64 processed the same (108.6k/117.0k against 107.7k/118.2k
    // readings/s) with peak RSS 918-950 against 1,227-1,246 MiB.
    default: 16,
    env: 'GRIDOPS_GC_SEMI_SPACE_MIB',
    parse: int(0, 256),
  },
  processorBatch: {
    doc: 'Most bus records the processor takes per store transaction.',
    // A backlog is worked off in fewer, larger transactions: each one's fixed costs (the commit
    // and its fsync, the index pages it dirties across every series, rollup upserts, offsets)
    // are shared by more readings. Against 20,000, five paired bench/ingest runs: drain
    // 131k -> 167k readings/s and processed 91k -> 103k readings/s (medians), peak RSS +190 MB.
    default: 50_000,
    env: 'GRIDOPS_PROCESSOR_BATCH',
    parse: int(1, 1_000_000),
  },
  retentionDays: {
    doc: 'Days of raw meter and sensor readings kept, by their time; the processor deletes older ones every hour (PostgreSQL: whole day partitions). Rollups and events are kept. 0 keeps every reading.',
    default: 0,
    env: 'GRIDOPS_RETENTION_DAYS',
    parse: int(0, 36_500),
  },
  queryMaxRangeDays: {
    doc: 'Longest time range one query may cover, in days.',
    default: 31,
    env: 'GRIDOPS_QUERY_MAX_RANGE_DAYS',
    parse: int(1, 3660),
  },
  queryMaxLimit: {
    doc: 'Largest page size of list endpoints.',
    default: 5000,
    env: 'GRIDOPS_QUERY_MAX_LIMIT',
    parse: int(1, 100_000),
  },
  cacheTtlMs: {
    doc: 'Time a cached query answer may be served.',
    default: 5000,
    env: 'GRIDOPS_CACHE_TTL_MS',
    parse: int(0, 3_600_000),
  },
  simulate: {
    doc: 'Run the synthetic fleet in-process against this server (the demo).',
    default: false,
    env: 'GRIDOPS_SIMULATE',
    parse: bool,
  },
  simulateMeters: {
    doc: 'Meters in the simulated fleet.',
    default: 1000,
    env: 'GRIDOPS_SIMULATE_METERS',
    parse: int(1, 1_000_000),
  },
  simulateSeed: {
    doc: 'Seed of the simulated fleet (same seed, same fleet).',
    default: 42,
    env: 'GRIDOPS_SIMULATE_SEED',
    parse: int(0, 2 ** 31),
  },
  simulateSpeed: {
    doc: 'Simulated seconds per real second after the backfill (1: real time; more runs ahead of the clock).',
    default: 1,
    env: 'GRIDOPS_SIMULATE_SPEED',
    parse: int(1, 100_000),
  },
  simulateFaults: {
    doc: 'Faults the simulator injects: comma list, all or none.',
    default: 'all',
    env: 'GRIDOPS_SIMULATE_FAULTS',
    parse: str,
  },
  tlsCertFiles: {
    doc: 'Comma list of PEM certificate files whose expiry is exported as a metric (e.g. a CA bundle).',
    default: '',
    env: 'GRIDOPS_TLS_CERT_FILES',
    parse: str,
  },
  shutdownTimeoutMs: {
    doc: 'Longest graceful drain on SIGTERM before exit.',
    default: 25_000,
    env: 'GRIDOPS_SHUTDOWN_TIMEOUT_MS',
    parse: int(0, 600_000),
  },
} satisfies Record<string, KeySpec<unknown>>;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;
// Typed by what each key's parser returns (e.g. a union of allowed values), not by its default.
export type Config = { -readonly [K in ConfigKey]: ReturnType<(typeof CONFIG_SCHEMA)[K]['parse']> };
