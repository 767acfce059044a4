// Flat, index-based view of a topology for the hot generation loop: typed arrays instead of
// maps, meter sizes and id hashes computed once.
import type { SensorType } from '../domain/readings.ts';
import type { TopologyFile } from '../domain/topology.ts';
import { meterScale, NOISE_SIGMA } from './fleet.ts';
import { hashString } from './prng.ts';

export interface SimSensor {
  id: string;
  type: SensorType;
  tx: number;
  hash: number;
}

export interface FleetModel {
  topology: TopologyFile;
  seed: number;
  meterIds: string[];
  customerIds: string[];
  meterTx: Int32Array;
  meterScale: Float64Array;
  meterCommercial: Uint8Array;
  meterNoise: Float64Array;
  meterHash: Uint32Array;
  txIds: string[];
  txKva: Float64Array;
  txMeters: number[][];
  sensors: SimSensor[];
  /** Index into `sensors` of each transformer's voltage sensor, -1 when it has none. */
  txVoltageSensor: Int32Array;
}

export function buildFleetModel(topology: TopologyFile, seed: number): FleetModel {
  const txIndex = new Map<string, number>();
  topology.transformers.forEach((t, i) => txIndex.set(t.id, i));
  const n = topology.meters.length;
  const model: FleetModel = {
    topology,
    seed,
    meterIds: [],
    customerIds: [],
    meterTx: new Int32Array(n),
    meterScale: new Float64Array(n),
    meterCommercial: new Uint8Array(n),
    meterNoise: new Float64Array(n),
    meterHash: new Uint32Array(n),
    txIds: topology.transformers.map((t) => t.id),
    txKva: Float64Array.from(topology.transformers, (t) => t.kva),
    txMeters: topology.transformers.map(() => []),
    sensors: [],
    txVoltageSensor: new Int32Array(topology.transformers.length).fill(-1),
  };
  topology.meters.forEach((m, i) => {
    const tx = txIndex.get(m.transformer_id);
    if (tx === undefined) throw new RangeError(`meter ${m.id}: unknown transformer ${m.transformer_id}`);
    model.meterIds.push(m.id);
    model.customerIds.push(m.customer_id);
    model.meterTx[i] = tx;
    model.meterScale[i] = meterScale(seed, m.id, m.class);
    model.meterCommercial[i] = m.class === 'commercial' ? 1 : 0;
    model.meterNoise[i] = NOISE_SIGMA[m.class];
    model.meterHash[i] = hashString(m.id, seed);
    model.txMeters[tx]!.push(i);
  });
  for (const s of topology.sensors) {
    const tx = txIndex.get(s.transformer_id);
    if (tx === undefined) throw new RangeError(`sensor ${s.id}: unknown transformer ${s.transformer_id}`);
    if (s.type === 'voltage' && model.txVoltageSensor[tx] === -1) {
      model.txVoltageSensor[tx] = model.sensors.length;
    }
    model.sensors.push({ id: s.id, type: s.type, tx, hash: hashString(s.id, seed) });
  }
  return model;
}
