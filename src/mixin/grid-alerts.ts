// Grid-domain alerts: the data the utility relies on is late, incomplete or says the grid itself
// is in trouble (overload, EN 50160 voltage, outages, VEE failures). Labels never carry a meter
// id; the description tells where to look (the query API) for which transformer or meter.
import type { AlertSpec } from './rule-types.ts';

const J = 'job="gridops",instance="127.0.0.1:8080"';

export const GRID_ALERTS: AlertSpec[] = [
  {
    alert: 'GridMeterDataStale',
    expr: 'max by (job) (smartgrid_data_freshness_seconds) > 1800',
    for: '10m',
    severity: 'warning',
    summary: 'Meter data is stale',
    description:
      'The newest stored meter interval of {{ $labels.job }} ended {{ $value | humanizeDuration }} ago (meters report every 15 minutes).',
    test: {
      fires: {
        at: '20m',
        series: [{ series: `smartgrid_data_freshness_seconds{${J}}`, values: '3600x25' }],
        labels: { job: 'gridops' },
        description:
          'The newest stored meter interval of gridops ended 1h 0m 0s ago (meters report every 15 minutes).',
      },
      quiet: { at: '20m', series: [{ series: `smartgrid_data_freshness_seconds{${J}}`, values: '600x25' }] },
    },
  },
  {
    alert: 'GridDataCompletenessLow',
    expr: 'min by (job) (smartgrid_data_completeness_ratio) < 0.95',
    for: '30m',
    severity: 'warning',
    summary: 'Meter data completeness is below 95%',
    description:
      'Only {{ $value | humanizePercentage }} of the expected meter intervals of the last complete 24 h reached {{ $labels.job }}.',
    test: {
      fires: {
        at: '40m',
        series: [{ series: `smartgrid_data_completeness_ratio{${J}}`, values: '0.9x45' }],
        labels: { job: 'gridops' },
        description: 'Only 90% of the expected meter intervals of the last complete 24 h reached gridops.',
      },
      quiet: {
        at: '40m',
        series: [{ series: `smartgrid_data_completeness_ratio{${J}}`, values: '0.995x45' }],
      },
    },
  },
  {
    alert: 'GridTransformerOverload',
    expr: 'max by (job) (smartgrid_grid_transformers_overloaded) > 0',
    for: '15m',
    severity: 'warning',
    summary: 'Transformers are loaded at or above nameplate',
    description:
      '{{ $value }} transformer(s) seen by {{ $labels.job }} were at or above nameplate rating in their newest 15-minute bucket.',
    test: {
      fires: {
        at: '20m',
        series: [{ series: `smartgrid_grid_transformers_overloaded{${J}}`, values: '2x25' }],
        labels: { job: 'gridops' },
        description:
          '2 transformer(s) seen by gridops were at or above nameplate rating in their newest 15-minute bucket.',
      },
      quiet: {
        at: '20m',
        series: [{ series: `smartgrid_grid_transformers_overloaded{${J}}`, values: '0x25' }],
      },
    },
  },
  {
    alert: 'GridVoltageOutOfRange',
    // voltage_deviation is the processor's EN 50160 check (10-minute mean outside 230 V ±10%).
    expr: 'sum by (job) (increase(smartgrid_processor_events_total{type="voltage_deviation"}[15m])) > 0',
    for: '5m',
    severity: 'warning',
    summary: 'Supply voltage outside the EN 50160 range',
    description:
      '{{ $value | humanize }} EN 50160 voltage deviation events were raised by {{ $labels.job }} in 15 minutes.',
    test: {
      fires: {
        at: '15m',
        series: [
          { series: `smartgrid_processor_events_total{${J},type="voltage_deviation"}`, values: '0+1x20' },
        ],
        labels: { job: 'gridops' },
        description: '15 EN 50160 voltage deviation events were raised by gridops in 15 minutes.',
      },
      quiet: {
        at: '15m',
        series: [
          { series: `smartgrid_processor_events_total{${J},type="voltage_deviation"}`, values: '3x20' },
          { series: `smartgrid_processor_events_total{${J},type="anomaly"}`, values: '0+1x20' },
        ],
      },
    },
  },
  {
    alert: 'GridOutageCluster',
    expr: 'max by (job) (smartgrid_grid_outages_active) > 0',
    for: '2m',
    severity: 'critical',
    summary: 'Outage detected on a transformer',
    description:
      '{{ $value }} transformer(s) seen by {{ $labels.job }} have a cluster of meters that stopped reporting together in the last hour.',
    test: {
      fires: {
        at: '5m',
        series: [{ series: `smartgrid_grid_outages_active{${J}}`, values: '0 1x10' }],
        labels: { job: 'gridops' },
        description:
          '1 transformer(s) seen by gridops have a cluster of meters that stopped reporting together in the last hour.',
      },
      quiet: { at: '5m', series: [{ series: `smartgrid_grid_outages_active{${J}}`, values: '0x10' }] },
    },
  },
  {
    alert: 'GridVeeFailureRate',
    // `estimated` marks a value VEE filled in; the other rules are readings that failed a check.
    expr: `sum by (job) (rate(smartgrid_processor_vee_outcomes_total{rule!="estimated"}[15m]))
  / sum by (job) (rate(smartgrid_processor_records_total{kind="meter"}[15m])) > 0.05`,
    for: '15m',
    severity: 'warning',
    summary: 'Many meter readings fail validation (VEE)',
    description:
      '{{ $value | humanizePercentage }} of the meter readings processed by {{ $labels.job }} failed a VEE check over 15 minutes.',
    test: {
      fires: {
        at: '40m',
        series: [
          { series: `smartgrid_processor_vee_outcomes_total{${J},rule="spike"}`, values: '0+100x45' },
          { series: `smartgrid_processor_vee_outcomes_total{${J},rule="estimated"}`, values: '0+500x45' },
          { series: `smartgrid_processor_records_total{${J},kind="meter"}`, values: '0+1000x45' },
        ],
        labels: { job: 'gridops' },
        description: '10% of the meter readings processed by gridops failed a VEE check over 15 minutes.',
      },
      quiet: {
        at: '40m',
        series: [
          { series: `smartgrid_processor_vee_outcomes_total{${J},rule="spike"}`, values: '0+10x45' },
          { series: `smartgrid_processor_vee_outcomes_total{${J},rule="estimated"}`, values: '0+500x45' },
          { series: `smartgrid_processor_records_total{${J},kind="meter"}`, values: '0+1000x45' },
        ],
      },
    },
  },
];
