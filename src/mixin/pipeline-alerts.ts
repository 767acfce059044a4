// Pipeline alerts: the path from ingest through the bus and processor to the store is keeping
// up, not losing records and not running out of disk.
import type { AlertSpec } from './rule-types.ts';

const J = 'job="gridops",instance="127.0.0.1:8080"';
const AT = { job: 'gridops', instance: '127.0.0.1:8080' };

export const PIPELINE_ALERTS: AlertSpec[] = [
  {
    alert: 'GridopsBusLagHigh',
    expr: 'max by (job) (smartgrid_bus_lag_records) > 500000',
    for: '15m',
    severity: 'warning',
    summary: 'The processor is falling behind the bus',
    description:
      '{{ $value | humanize }} records on the bus of {{ $labels.job }} are not processed yet; ingest refuses work at 2M (maxBusLag).',
    test: {
      fires: {
        at: '20m',
        series: [{ series: `smartgrid_bus_lag_records{${J}}`, values: '600000x25' }],
        labels: { job: 'gridops' },
        description:
          '600k records on the bus of gridops are not processed yet; ingest refuses work at 2M (maxBusLag).',
      },
      quiet: { at: '20m', series: [{ series: `smartgrid_bus_lag_records{${J}}`, values: '5000x25' }] },
    },
  },
  {
    alert: 'GridopsIngestBackPressure',
    expr: 'sum by (job) (rate(smartgrid_ingest_overload_rejections_total[5m])) > 0',
    for: '10m',
    severity: 'warning',
    summary: 'Ingest is refusing readings with 503 (back-pressure)',
    description:
      '{{ $labels.job }} answers {{ $value | humanize }} requests/s with 503 because the bus lag passed maxBusLag.',
    test: {
      fires: {
        at: '20m',
        series: [{ series: `smartgrid_ingest_overload_rejections_total{${J}}`, values: '0+30x25' }],
        labels: { job: 'gridops' },
        description: 'gridops answers 500m requests/s with 503 because the bus lag passed maxBusLag.',
      },
      quiet: {
        at: '20m',
        series: [{ series: `smartgrid_ingest_overload_rejections_total{${J}}`, values: '0x25' }],
      },
    },
  },
  {
    alert: 'GridopsDeadLetterGrowth',
    expr: 'sum by (job, reason) (increase(smartgrid_bus_dead_letter_records_total[15m])) > 0',
    for: '5m',
    severity: 'warning',
    summary: 'Records are going to the dead-letter queue',
    description:
      '{{ $value | humanize }} records of {{ $labels.job }} went to the dead-letter queue in 15 minutes, reason {{ $labels.reason }}.',
    test: {
      fires: {
        at: '15m',
        series: [
          { series: `smartgrid_bus_dead_letter_records_total{${J},reason="decode"}`, values: '0+2x20' },
        ],
        labels: { job: 'gridops', reason: 'decode' },
        description: '30 records of gridops went to the dead-letter queue in 15 minutes, reason decode.',
      },
      quiet: {
        at: '15m',
        series: [{ series: `smartgrid_bus_dead_letter_records_total{${J},reason="decode"}`, values: '4x20' }],
      },
    },
  },
  {
    // One repair is the check doing its job after a rebalance; several an hour mean rebalances
    // keep sending commits back, or fetches keep hanging: worth a look, not a page.
    alert: 'GridopsBusPositionRepairs',
    expr: 'sum by (job, kind) (increase(smartgrid_bus_position_repairs_total[1h])) > 3',
    for: '5m',
    severity: 'warning',
    summary: 'The Kafka position check keeps repairing partitions',
    description:
      'The Kafka position check of {{ $labels.job }} repaired {{ $value | humanize }} partitions in an hour, kind {{ $labels.kind }}.',
    test: {
      fires: {
        at: '70m',
        series: [{ series: `smartgrid_bus_position_repairs_total{${J},kind="recommit"}`, values: '0+1x80' }],
        labels: { job: 'gridops', kind: 'recommit' },
        description: 'The Kafka position check of gridops repaired 60 partitions in an hour, kind recommit.',
      },
      quiet: {
        at: '70m',
        series: [
          { series: `smartgrid_bus_position_repairs_total{${J},kind="recommit"}`, values: '0+1x5 5x75' },
        ],
      },
    },
  },
  {
    alert: 'GridopsProcessorErrors',
    expr: 'sum by (job) (rate(smartgrid_processor_errors_total[5m])) > 0',
    for: '10m',
    severity: 'warning',
    summary: 'Processor batches keep failing',
    description:
      'The processor of {{ $labels.job }} fails {{ $value | humanize }} batches/s; each is retried with backoff, so the bus lag grows.',
    test: {
      fires: {
        at: '20m',
        series: [{ series: `smartgrid_processor_errors_total{${J}}`, values: '0+6x25' }],
        labels: { job: 'gridops' },
        description:
          'The processor of gridops fails 100m batches/s; each is retried with backoff, so the bus lag grows.',
      },
      quiet: { at: '20m', series: [{ series: `smartgrid_processor_errors_total{${J}}`, values: '3x25' }] },
    },
  },
  {
    alert: 'GridopsStoreErrors',
    expr: 'sum by (job, op) (rate(smartgrid_store_errors_total[5m])) > 0',
    for: '5m',
    severity: 'critical',
    summary: 'Store operations are failing',
    description:
      'Store operation {{ $labels.op }} of {{ $labels.job }} fails {{ $value | humanize }} times/s.',
    test: {
      fires: {
        at: '15m',
        series: [{ series: `smartgrid_store_errors_total{${J},op="write"}`, values: '0+3x20' }],
        labels: { job: 'gridops', op: 'write' },
        description: 'Store operation write of gridops fails 50m times/s.',
      },
      quiet: {
        at: '15m',
        series: [{ series: `smartgrid_store_errors_total{${J},op="write"}`, values: '1x20' }],
      },
    },
  },
  {
    alert: 'GridopsStoreSaturated',
    expr: 'histogram_quantile(0.99, sum by (job, le) (rate(smartgrid_store_write_duration_seconds_bucket[10m]))) > 1',
    for: '15m',
    severity: 'warning',
    summary: 'Store writes are slow (p99 above 1 s)',
    description: 'p99 store write transaction time of {{ $labels.job }} is {{ $value | humanizeDuration }}.',
    test: {
      fires: {
        at: '30m',
        series: [
          { series: `smartgrid_store_write_duration_seconds_bucket{${J},le="1"}`, values: '0+10x40' },
          { series: `smartgrid_store_write_duration_seconds_bucket{${J},le="2.5"}`, values: '0+20x40' },
          { series: `smartgrid_store_write_duration_seconds_bucket{${J},le="+Inf"}`, values: '0+20x40' },
        ],
        labels: { job: 'gridops' },
        description: 'p99 store write transaction time of gridops is 2.47s.',
      },
      quiet: {
        at: '30m',
        series: [
          { series: `smartgrid_store_write_duration_seconds_bucket{${J},le="1"}`, values: '0+20x40' },
          { series: `smartgrid_store_write_duration_seconds_bucket{${J},le="+Inf"}`, values: '0+20x40' },
        ],
      },
    },
  },
  {
    alert: 'GridopsDiskFilling',
    expr: `predict_linear(smartgrid_store_disk_available_bytes[6h], 24 * 3600) < 0
and smartgrid_store_disk_available_bytes / smartgrid_store_disk_size_bytes < 0.2`,
    for: '30m',
    severity: 'warning',
    summary: 'The data disk will be full within a day',
    description:
      'The filesystem of the data directory of {{ $labels.job }} at {{ $labels.instance }} has under 20% free and fills within 24 hours.',
    test: {
      fires: {
        at: '7h',
        series: [
          { series: `smartgrid_store_disk_available_bytes{${J}}`, values: '20000000000-50000000x480' },
          { series: `smartgrid_store_disk_size_bytes{${J}}`, values: '100000000000x480' },
        ],
        labels: AT,
        description:
          'The filesystem of the data directory of gridops at 127.0.0.1:8080 has under 20% free and fills within 24 hours.',
      },
      quiet: {
        at: '7h',
        series: [
          { series: `smartgrid_store_disk_available_bytes{${J}}`, values: '60000000000x480' },
          { series: `smartgrid_store_disk_size_bytes{${J}}`, values: '100000000000x480' },
        ],
      },
    },
  },
];
