// Platform alerts: is the gridops process up, ready, answering fast and not running out of
// memory or certificate lifetime. Thresholds sit well above what the demo fleet produces so a healthy run stays quiet;
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
      fires: {
        at: '6m',
        series: [{ series: `up{${J}}`, values: '1 1 0x10' }],
        labels: AT,
        description: 'Prometheus has failed to scrape gridops at 127.0.0.1:8080 for 2 minutes.',
      },
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
          'Resident memory of gridops at 127.0.0.1:8080 is predicted to reach 3.353GiB in 4 hours (limit 2 GiB).',
      },
      quiet: {
        at: '70m',
        series: [{ series: `smartgrid_process_resident_memory_bytes{${J}}`, values: '500000000x120' }],
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
        description:
          'The cache module of gridops at 127.0.0.1:8080 is not ready; queries go to the store uncached.',
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
        description:
          'Module processor of gridops at 127.0.0.1:8080 has not been ready for 5 minutes; /readyz answers 503.',
      },
      quiet: {
        at: '10m',
        series: [{ series: `smartgrid_module_up{${J},module="processor"}`, values: '1x15' }],
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
