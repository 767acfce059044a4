import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopology, type TopologyFile } from './topology.ts';

function sample(): TopologyFile {
  return {
    substations: [{ id: 'SUB-1' }],
    feeders: [{ id: 'FDR-1', substation_id: 'SUB-1' }],
    transformers: [{ id: 'TX-1', feeder_id: 'FDR-1', kva: 100 }],
    meters: [{ id: 'MTR-1', customer_id: 'CUST-1', transformer_id: 'TX-1', class: 'household' }],
    sensors: [{ id: 'SNS-1', type: 'voltage', transformer_id: 'TX-1', nominal: 230 }],
  };
}

test('buildTopology indexes meters by transformer', () => {
  const t = buildTopology(sample());
  assert.equal(t.metersByTransformer.get('TX-1')?.[0]?.id, 'MTR-1');
  assert.equal(t.feederById.get('FDR-1')?.substation_id, 'SUB-1');
});

test('buildTopology names the path of a dangling reference', () => {
  const f = sample();
  f.meters[0]!.transformer_id = 'TX-404';
  assert.throws(
    () => buildTopology(f),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SG_ERR_TOPOLOGY_INVALID');
      assert.match(err.message, /meters\[0\]\.transformer_id/);
      return true;
    },
  );
});

test('buildTopology rejects duplicate ids and non-positive kVA', () => {
  const f = sample();
  f.meters.push({ ...f.meters[0]! });
  assert.throws(() => buildTopology(f), /duplicate id "MTR-1"/);
  const g = sample();
  g.transformers[0]!.kva = 0;
  assert.throws(() => buildTopology(g), /transformers\[0\]\.kva/);
});
