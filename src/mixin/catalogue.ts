// The series names rules may read: every metric src/telemetry/metrics.ts exports (histograms
// as their _bucket/_sum/_count series) and `up`, which Prometheus adds to every scrape.
import { createMetrics } from '../telemetry/metrics.ts';

const PROMETHEUS_SERIES = ['up'];

export function exportedSeries(): Set<string> {
  const { registry } = createMetrics({ defaultMetrics: true });
  const names = new Set(PROMETHEUS_SERIES);
  for (const m of registry.getMetricsAsArray()) {
    const { name, constructor } = m as unknown as { name: string; constructor: { name: string } };
    const type = constructor.name.toLowerCase();
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    else if (type === 'summary') for (const s of ['', '_sum', '_count']) names.add(`${name}${s}`);
    else names.add(name);
  }
  return names;
}
