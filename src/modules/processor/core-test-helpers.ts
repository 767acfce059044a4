// Shared by the processor's unit tests: a one-transformer grid and an in-memory store writer
// (the real stores have their own contract suite).
import { buildTopology, type Sensor, type Topology } from '../../domain/topology.ts';
import type { GridEvent } from '../../domain/events.ts';
import type { StoreBatch, StoreWriter, StoreWriteResult } from '../../adapters/store/store.ts';

/** Substation SUB, feeder FDR, transformer TX (100 kVA) feeding `meterIds`, and `sensors`. */
export function oneTransformer(meterIds: string[], sensors: Sensor[] = []): Topology {
  return buildTopology({
    substations: [{ id: 'SUB' }],
    feeders: [{ id: 'FDR', substation_id: 'SUB' }],
    transformers: [{ id: 'TX', feeder_id: 'FDR', kva: 100 }],
    meters: meterIds.map((id) => ({
      id,
      customer_id: `C-${id}`,
      transformer_id: 'TX',
      class: 'household' as const,
    })),
    sensors,
  });
}

/** Keeps every batch and event written; every reading counts as inserted; no history. */
export class MemoryStore implements StoreWriter {
  batches: StoreBatch[] = [];
  events: GridEvent[] = [];
  async writeBatch(b: StoreBatch): Promise<StoreWriteResult> {
    const result: StoreWriteResult = {
      inserted: b.meterReadings.length,
      unchanged: 0,
      conflicts: [],
      replacedEstimates: 0,
      transformerTotals: [],
      derivedEvents: [],
    };
    result.derivedEvents = b.deriveEvents?.(result) ?? [];
    this.batches.push(b);
    this.events.push(...b.events, ...result.derivedEvents);
    return result;
  }
  async recentReadings(series: readonly unknown[]) {
    return series.map(() => []);
  }
  async deleteReadingsBefore() {
    return { days: 0, rows: 0 };
  }
  async readingsBefore() {
    return { days: 0, rows: 0 };
  }
  async close() {}
}
