// Platform alerts: is the gridops process up, answering, keeping up and not running out of
// anything. Thresholds sit well above what the demo fleet produces so a healthy run stays quiet;
// the SLO burn-rate alerts (slo-rules.ts) are the ones that page on user-visible failure.
import type { AlertSpec } from './rule-types.ts';

const J = 'job="gridops",instance="127.0.0.1:8080"';
const AT = { job: 'gridops', instance: '127.0.0.1:8080' };

export const PLATFORM_ALERTS: AlertSpec[] = [
  {
    alert: 'GridopsTargetDown',
    expr: 'up{job=~"gridops.*"} == 0',
    for: '2m',
    severity: 'critical',
    summary: 'A gridops target is down',
    description: 'Prometheus has failed to scrape {{ $labels.job }} at {{ $labels.instance }} for 2 minutes.',
    test: {
      fires: { at: '6m', series: [{ series: `up{${J}}`, values: '1 1 0x10' }], labels: AT },
      quiet: { at: '6m', series: [{ series: `up{${J}}`, values: '1x10' }] },
    },
  },
  {
    alert: 'GridopsHttpErrorRatioHigh',
    // The traffic guard keeps one failed probe on an idle instance from alerting.
    expr: `sum by (job) (rate(smartgrid_http_requests_total{status=~"5.."}[5m]))
  / sum by (job) (rate(smartgrid_http_requests_total[5m])) > 0.05
and sum by (job) (rate(smartgrid_http_requests_total[5m])) > 0.1`,
    for: '5m',
    severity: 'warning',
    summary: 'gridops answers many requests with 5xx',
    description:
      '{{ $value | humanizePercentage }} of HTTP requests to {{ $labels.job }} failed with 5xx over 5 minutes.',
    test: {
      fires: {
        at: '15m',
        series: [
          {
            series: `smartgrid_http_requests_total{${J},route="/v1/readings",method="POST",status="200"}`,
            values: '0+60x20',
          },
          {
            series: `smartgrid_http_requests_total{${J},route="/v1/readings",method="POST",status="500"}`,
            values: '0+6x20',
          },
        ],
        labels: { job: 'gridops' },
        description: '9.091% of HTTP requests to gridops failed with 5xx over 5 minutes.',
      },
      quiet: {
        at: '15m',
        series: [
          {
            series: `smartgrid_http_requests_total{${J},route="/v1/readings",method="POST",status="200"}`,
            values: '0+60x20',
          },
          {
            series: `smartgrid_http_requests_total{${J},route="/v1/readings",method="POST",status="500"}`,
            values: '0+1x20',
          },
        ],
      },
    },
  },
  {
    alert: 'GridopsHttpLatencyHigh',
    expr: 'histogram_quantile(0.99, sum by (job, le) (rate(smartgrid_http_request_duration_seconds_bucket[5m]))) > 1',
    for: '10m',
    severity: 'warning',
    summary: 'gridops HTTP p99 latency above 1 s',
    description: 'The 99th percentile HTTP latency of {{ $labels.job }} is {{ $value | humanizeDuration }}.',
    test: {
      fires: {
        at: '20m',
        series: [
          {
            series: `smartgrid_http_request_duration_seconds_bucket{${J},route="/v1/readings",method="POST",le="1"}`,
            values: '0+50x30',
          },
          {
            series: `smartgrid_http_request_duration_seconds_bucket{${J},route="/v1/readings",method="POST",le="2.5"}`,
            values: '0+100x30',
          },
          {
            series: `smartgrid_http_request_duration_seconds_bucket{${J},route="/v1/readings",method="POST",le="+Inf"}`,
            values: '0+100x30',
          },
        ],
        labels: { job: 'gridops' },
        description: 'The 99th percentile HTTP latency of gridops is 2.47s.',
      },
      quiet: {
        at: '20m',
        series: [
          {
            series: `smartgrid_http_request_duration_seconds_bucket{${J},route="/v1/readings",method="POST",le="1"}`,
            values: '0+100x30',
          },
          {
            series: `smartgrid_http_request_duration_seconds_bucket{${J},route="/v1/readings",method="POST",le="+Inf"}`,
            values: '0+100x30',
          },
        ],
      },
    },
  },
  {
    alert: 'GridopsEventLoopLagHigh',
    expr: 'max by (job, instance) (smartgrid_nodejs_eventloop_lag_p99_seconds) > 0.5',
    for: '5m',
    severity: 'warning',
    summary: 'gridops event loop is blocked',
    description:
      'Event-loop delay p99 of {{ $labels.job }} at {{ $labels.instance }} is {{ $value | humanizeDuration }}.',
    test: {
      fires: {
        at: '10m',
        series: [{ series: `smartgrid_nodejs_eventloop_lag_p99_seconds{${J}}`, values: '0.8x15' }],
        labels: AT,
        description: 'Event-loop delay p99 of gridops at 127.0.0.1:8080 is 800ms.',
      },
      quiet: {
        at: '10m',
        series: [{ series: `smartgrid_nodejs_eventloop_lag_p99_seconds{${J}}`, values: '0.02x15' }],
      },
    },
  },
  {
    alert: 'GridopsMemoryGrowth',
    // 1.8 GB is 90% of the 2G systemd MemoryMax (deploy/ansible gridops_memory_max); the program
    // exports no limit metric, so the number is kept in step with that default by hand.
    expr: 'predict_linear(smartgrid_process_resident_memory_bytes[1h], 4 * 3600) > 1.8e9',
    for: '15m',
    severity: 'warning',
    summary: 'gridops memory will reach its limit within 4 hours',
    description:
      'Resident memory of {{ $labels.job }} at {{ $labels.instance }} is predicted to reach {{ $value | humanize1024 }}B in 4 hours (limit 2 GiB).',
    test: {
      fires: {
        at: '70m',
        series: [
          { series: `smartgrid_process_resident_memory_bytes{${J}}`, values: '500000000+10000000x120' },
        ],
        labels: AT,
        description:
          'Resident memory of gridops at 127.0.0.1:8080 is predicted to reach 3.352GiB in 4 hours (limit 2 GiB).',
      },
      quiet: {
        at: '70m',
        series: [{ series: `smartgrid_process_resident_memory_bytes{${J}}`, values: '500000000x120' }],
      },
    },
  },
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
    alert: 'GridopsCacheDown',
    expr: 'max by (job, instance) (smartgrid_module_up{module="cache"}) == 0',
    for: '5m',
    severity: 'warning',
    summary: 'The query cache module is not running',
    description:
      'The cache module of {{ $labels.job }} at {{ $labels.instance }} is not ready; queries go to the store uncached.',
    test: {
      fires: {
        at: '10m',
        series: [{ series: `smartgrid_module_up{${J},module="cache"}`, values: '0x15' }],
        labels: AT,
      },
      quiet: { at: '10m', series: [{ series: `smartgrid_module_up{${J},module="cache"}`, values: '1x15' }] },
    },
  },
  {
    alert: 'GridopsModuleNotReady',
    expr: 'smartgrid_module_up{module!="cache"} == 0',
    for: '5m',
    severity: 'critical',
    summary: 'A gridops module is not ready',
    description:
      'Module {{ $labels.module }} of {{ $labels.job }} at {{ $labels.instance }} has not been ready for 5 minutes; /readyz answers 503.',
    test: {
      fires: {
        at: '10m',
        series: [{ series: `smartgrid_module_up{${J},module="processor"}`, values: '1 0x15' }],
        labels: { ...AT, module: 'processor' },
      },
      quiet: {
        at: '10m',
        series: [{ series: `smartgrid_module_up{${J},module="processor"}`, values: '1x15' }],
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
  {
    alert: 'GridopsCertificateExpiring',
    expr: '(min by (job, instance, path) (smartgrid_tls_certificate_expiry_timestamp_seconds) - time()) < 14 * 86400',
    for: '1h',
    severity: 'warning',
    summary: 'A TLS certificate expires within 14 days',
    description:
      'The certificate {{ $labels.path }} used by {{ $labels.job }} expires in {{ $value | humanizeDuration }}.',
    test: {
      fires: {
        at: '2h',
        series: [
          {
            series: `smartgrid_tls_certificate_expiry_timestamp_seconds{${J},path="/etc/gridops/tls.crt"}`,
            values: '864000x180',
          },
        ],
        labels: { ...AT, path: '/etc/gridops/tls.crt' },
        description: 'The certificate /etc/gridops/tls.crt used by gridops expires in 9d 22h 0m 0s.',
      },
      quiet: {
        at: '2h',
        series: [
          {
            series: `smartgrid_tls_certificate_expiry_timestamp_seconds{${J},path="/etc/gridops/tls.crt"}`,
            values: '8640000x180',
          },
        ],
      },
    },
  },
  {
    alert: 'Watchdog',
    // Always firing: Alertmanager forwards it to a dead-man's switch, which alerts when it stops.
    expr: 'vector(1)',
    severity: 'none',
    summary: 'Alerting pipeline heartbeat',
    description:
      'Always firing. If the dead-man receiver stops getting this alert, Prometheus or Alertmanager is broken.',
    test: { fires: { at: '1m', series: [] } },
  },
];
