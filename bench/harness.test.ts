import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bracketed, describeBracket, medianFields, parseArgs, resultLine, sampleSum } from './harness.ts';

test('medianFields: the median of each numeric field, the first value of any other', () => {
  const runs = [
    { readings_per_s: 120, ratio: 0.4, host: 'a' },
    { readings_per_s: 90, ratio: 0.6, host: 'b' },
    { readings_per_s: 150, ratio: 0.5, host: 'c' },
  ];
  assert.deepEqual(medianFields(runs), { readings_per_s: 120, ratio: 0.5, host: 'a' });
  // Even count: the mean of the middle two; the input order is not the sorted order.
  assert.deepEqual(medianFields([{ x: 4 }, { x: 1 }, { x: 3 }, { x: 2 }]), { x: 2.5 });
  assert.deepEqual(runs[1], { readings_per_s: 90, ratio: 0.6, host: 'b' }, 'runs untouched');
  assert.throws(() => medianFields([]), /no runs/);
});

test('a RESULT line and the arguments it is run with', () => {
  assert.equal(
    resultLine('ingest', { a: 1, b: 0.12345, c: 1234.5, d: 'x' }),
    'RESULT ingest a=1 b=0.123 c=1235 d=x',
  );
  assert.deepEqual(parseArgs(['--runs=3', '--flag']), { runs: '3', flag: 'true' });
  assert.throws(() => parseArgs(['runs=3']), /use --key=value/);
});

test('a baseline bracketing its run: the mean of the two, and how far the second drifted', () => {
  assert.deepEqual(bracketed(200, 300), { perS: 250, drift: 0.5 });
  assert.deepEqual(bracketed(400, 300), { perS: 350, drift: -0.25 });
  assert.equal(
    describeBracket('COPY', 200_000, 190_000, 'rows/s'),
    'COPY 200000 rows/s before the run, 190000 after (-5.0 %): ratios use the mean, 195000',
  );
});

test('sampleSum adds every label set of one metric and no other metric', () => {
  const text = [
    '# HELP smartgrid_processor_events_total Grid events raised.',
    'smartgrid_processor_events_total{type="overload"} 40',
    'smartgrid_processor_events_total{type="outage"} 2',
    'smartgrid_processor_events_total_other 1000',
    'smartgrid_ingest_readings_total 7',
  ].join('\n');
  assert.equal(sampleSum(text, 'smartgrid_processor_events_total'), 42);
  assert.equal(sampleSum(text, 'smartgrid_ingest_readings_total'), 7);
  assert.equal(sampleSum(text, 'smartgrid_missing_total'), 0);
});
