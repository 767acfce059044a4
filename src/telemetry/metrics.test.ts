import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMetrics, metricsCatalogue } from './metrics.ts';

test('docs/metrics.md matches the code (run npm run docs:metrics after changing a metric)', async () => {
  const committed = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  assert.equal(committed, await metricsCatalogue());
});

test('every metric follows smartgrid_<module>_<thing>_<unit> and no label is a meter id', () => {
  const { registry } = createMetrics({ defaultMetrics: false });
  for (const m of registry.getMetricsAsArray()) {
    const metric = m as unknown as { name: string; labelNames?: string[] };
    assert.match(metric.name, /^smartgrid_[a-z]+_[a-z0-9_]+$/);
    assert.ok(!(metric.labelNames ?? []).some((l) => /meter|customer/.test(l)), metric.name);
  }
});
