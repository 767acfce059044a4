import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricNames } from './promql-names.ts';

test('finds the metrics an expression reads and nothing else', () => {
  assert.deepEqual(
    metricNames(
      'sum by (job, route) (rate(smartgrid_http_requests_total{status=~"5..", route!="/x{y}"}[5m])) / on (job) group_left(route) sum without(le) (rate(smartgrid_http_requests_total[5m])) > bool 0.05',
    ),
    ['smartgrid_http_requests_total'],
  );
  assert.deepEqual(
    metricNames('predict_linear(smartgrid_process_resident_memory_bytes[1h], 4 * 3600) > 1.8e9 and up'),
    ['smartgrid_process_resident_memory_bytes', 'up'],
  );
  assert.deepEqual(metricNames('slo:sli_error:ratio_rate1h{slo="a"} > (14.4 * 0.001) and vector(1)'), [
    'slo:sli_error:ratio_rate1h',
  ]);
  assert.deepEqual(metricNames('histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) offset 5m'), [
    'x_bucket',
  ]);
  assert.deepEqual(metricNames('{__name__="a"} or absent(b{c="d\\"}"})'), ['b']);
});
