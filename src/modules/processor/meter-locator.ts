import type { Topology } from '../../domain/topology.ts';
import type { MeterLocator } from '../../adapters/store/store.ts';

/** Where a meter's load is aggregated, from the topology (undefined when unknown). */
export function meterLocator(topology: Topology): MeterLocator {
  return (meterId) => {
    const tx = topology.transformerById.get(topology.meterById.get(meterId)?.transformer_id ?? '');
    return tx ? { transformerId: tx.id, feederId: tx.feeder_id } : undefined;
  };
}
