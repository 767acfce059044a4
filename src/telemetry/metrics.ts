// Every metric the program exports, defined in one place so docs/metrics.md can be generated
// from it and the monitoring mixin can check its expressions against it. Names follow
// smartgrid_<module>_<thing>_<unit>; no label ever carries a meter id.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'smartgrid_' });
  const r = [registry];
  const m = {
    registry,
    httpRequests: new Counter({
      name: 'smartgrid_http_requests_total',
      help: 'HTTP requests answered, by route, method and status code.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: r,
    }),
    httpDuration: new Histogram({
      name: 'smartgrid_http_request_duration_seconds',
      help: 'HTTP request latency from arrival to response, by route and method.',
      labelNames: ['route', 'method'] as const,
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    ingestReadings: new Counter({
      name: 'smartgrid_ingest_readings_total',
      help: 'Readings accepted by ingest and durably published to the bus, by kind (meter, sensor).',
      labelNames: ['kind'] as const,
      registers: r,
    }),
    ingestRejected: new Counter({
      name: 'smartgrid_ingest_rejected_items_total',
      help: 'Items rejected by ingest validation, by reason.',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    ingestBatchSize: new Histogram({
      name: 'smartgrid_ingest_batch_size_items',
      help: 'Items per accepted ingest request.',
      buckets: [1, 10, 100, 500, 1000, 5000, 10000, 50000, 100000],
      registers: r,
    }),
    ingestOverload: new Counter({
      name: 'smartgrid_ingest_overload_rejections_total',
      help: 'Requests answered 503 because the processor is behind (back-pressure).',
      registers: r,
    }),
    busPublished: new Counter({
      name: 'smartgrid_bus_published_records_total',
      help: 'Records durably appended to the bus.',
      registers: r,
    }),
    busLag: new Gauge({
      name: 'smartgrid_bus_lag_records',
      help: 'Records on the bus not yet committed by the processor consumer group.',
      registers: r,
    }),
    busDeadLetter: new Counter({
      name: 'smartgrid_bus_dead_letter_records_total',
      help: 'Records moved to the dead-letter queue, by reason.',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    busPositionRepairs: new Counter({
      name: 'smartgrid_bus_position_repairs_total',
      help: 'Partitions the Kafka position check repaired, by kind: recommit (a committed offset gone back behind its owner) or refetch (a fetch not advancing, restarted).',
      labelNames: ['kind'] as const,
      registers: r,
    }),
    processorRecords: new Counter({
      name: 'smartgrid_processor_records_total',
      help: 'Bus records processed and committed, by kind (meter, sensor).',
      labelNames: ['kind'] as const,
      registers: r,
    }),
    processorBatchDuration: new Histogram({
      name: 'smartgrid_processor_batch_duration_seconds',
      help: 'Time to process and store one batch of bus records.',
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    processorErrors: new Counter({
      name: 'smartgrid_processor_errors_total',
      help: 'Processor batch failures (the batch is retried with backoff).',
      registers: r,
    }),
    veeOutcomes: new Counter({
      name: 'smartgrid_processor_vee_outcomes_total',
      help: 'VEE findings on meter readings, by rule (range, negative, spike, frozen, gap, duplicate, clock_drift, estimated).',
      labelNames: ['rule'] as const,
      registers: r,
    }),
    events: new Counter({
      name: 'smartgrid_processor_events_total',
      help: 'Grid events raised, by type (power quality, overload, outage, anomaly).',
      labelNames: ['type'] as const,
      registers: r,
    }),
    unknownMeterReadings: new Counter({
      name: 'smartgrid_processor_unknown_device_readings_total',
      help: 'Readings of meters or sensors missing from the topology, kept apart (never dropped).',
      registers: r,
    }),
    storeWriteDuration: new Histogram({
      name: 'smartgrid_store_write_duration_seconds',
      help: 'Store write transaction latency.',
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    storeDiskAvailable: new Gauge({
      name: 'smartgrid_store_disk_available_bytes',
      help: 'Bytes available to gridops on the filesystem of the data directory.',
      registers: r,
    }),
    storeDiskSize: new Gauge({
      name: 'smartgrid_store_disk_size_bytes',
      help: 'Size in bytes of the filesystem of the data directory.',
      registers: r,
    }),
    tlsCertificateExpiry: new Gauge({
      name: 'smartgrid_tls_certificate_expiry_timestamp_seconds',
      help: 'Expiry (notAfter, Unix seconds) of each certificate file listed in GRIDOPS_TLS_CERT_FILES, by path.',
      labelNames: ['path'] as const,
      registers: r,
    }),
    retentionDeleted: new Counter({
      name: 'smartgrid_store_retention_deleted_total',
      help: 'Readings deleted by retention (GRIDOPS_RETENTION_DAYS): day partitions dropped (PostgreSQL, unit=partitions) and rows deleted (unit=rows).',
      labelNames: ['unit'] as const,
      registers: r,
    }),
    storeErrors: new Counter({
      name: 'smartgrid_store_errors_total',
      help: 'Store operations that failed, by operation.',
      labelNames: ['op'] as const,
      registers: r,
    }),
    cacheRequests: new Counter({
      name: 'smartgrid_query_cache_requests_total',
      help: 'Query cache look-ups, by result (hit, miss).',
      labelNames: ['result'] as const,
      registers: r,
    }),
    cacheErrors: new Counter({
      name: 'smartgrid_cache_errors_total',
      help: 'Shared (Redis) cache operations not served by Redis (failed, timed out, or skipped while it is down), by op (get, set, clear); queries fall back to the store.',
      labelNames: ['op'] as const,
      registers: r,
    }),
    cacheUp: new Gauge({
      name: 'smartgrid_cache_up',
      help: '1 while the query cache answers (always 1 for the in-process cache; for Redis, while connected and answering), else 0 (queries are then served from the store).',
      registers: r,
    }),
    cacheInvalidations: new Counter({
      name: 'smartgrid_cache_invalidations_total',
      help: 'Shared cache generation bumps, by reason (clear: committed data; reconnect: invalidations may have been missed while Redis was unreachable; retry: a failed clear retried).',
      labelNames: ['reason'] as const,
      registers: r,
    }),
    freshness: new Gauge({
      name: 'smartgrid_data_freshness_seconds',
      help: 'Age of the newest stored meter interval end, in seconds.',
      registers: r,
    }),
    completeness: new Gauge({
      name: 'smartgrid_data_completeness_ratio',
      help: 'Meter intervals received over intervals expected, over the last complete 24 h.',
      registers: r,
    }),
    feederLoad: new Gauge({
      name: 'smartgrid_grid_feeder_load_kw',
      help: 'Average load of each feeder over its newest complete 15-minute bucket.',
      labelNames: ['feeder'] as const,
      registers: r,
    }),
    transformersOverloaded: new Gauge({
      name: 'smartgrid_grid_transformers_overloaded',
      help: 'Transformers whose newest 15-minute loading is at or above nameplate.',
      registers: r,
    }),
    outagesActive: new Gauge({
      name: 'smartgrid_grid_outages_active',
      help: 'Transformers with an outage detected in the last hour of data.',
      registers: r,
    }),
    moduleUp: new Gauge({
      name: 'smartgrid_module_up',
      help: '1 when a started module is running and ready, else 0, by module.',
      labelNames: ['module'] as const,
      registers: r,
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Markdown catalogue of every metric, for docs/metrics.md (checked for drift in tests). */
export async function metricsCatalogue(): Promise<string> {
  const { registry } = createMetrics({ defaultMetrics: true });
  const rows = registry
    .getMetricsAsArray()
    .map((m) => {
      const metric = m as unknown as {
        name: string;
        help: string;
        labelNames?: string[];
        constructor: { name: string };
      };
      const type = metric.constructor.name.toLowerCase();
      return `| \`${metric.name}\` | ${type} | ${(metric.labelNames ?? []).join(', ') || '-'} | ${metric.help} |`;
    })
    .sort();
  return [
    '# Metrics catalogue',
    '',
    'Generated by `npm run docs:metrics` from `src/telemetry/metrics.ts` (a test fails when this file',
    'drifts from the code). Names follow `smartgrid_<module>_<thing>_<unit>`; no label carries a meter id.',
    'Process and Node.js runtime metrics come from prom-client defaults with the same prefix.',
    '',
    '| name | type | labels | help |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
