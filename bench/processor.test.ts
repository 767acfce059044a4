import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processorBench } from './processor.ts';

test('bench/processor processes every reading and reports its CPU against the store write alone', async () => {
  const lines: string[] = [];
  const r = await processorBench.run({ readings: '3000', meters: '200', batch: '1000' }, (l) =>
    lines.push(l),
  );
  assert.equal(r.readings, 3000);
  for (const k of ['processor_us', 'store_us', 'gc_us', 'processed_per_s'] as const)
    assert.ok(typeof r[k] === 'number' && r[k] >= 0 && Number.isFinite(r[k]), `${k} = ${r[k]}`);
  // The processor does the store write and more, so it cannot cost less than a fraction of it.
  assert.ok((r.processor_us as number) > 0.5 * (r.store_us as number), JSON.stringify(r));
  assert.equal(r.ratio, (r.store_us as number) / (r.processor_us as number));
  assert.ok(
    lines.some((l) => /^processor .* us\/reading of CPU/.test(l)),
    lines.join('\n'),
  );
});
