// Events that only the store write can reveal: a resent reading whose value differs from the
// stored one (the first value is kept), and transformer quarter-hours whose stored total, with
// this batch added, is past the nameplate. Idempotent by event id, like every event. The store
// calls this inside the batch's transaction (StoreBatch.deriveEvents) and stores what it returns
// there.
import { eventId, type GridEvent } from '../../domain/events.ts';
import { loadingLevel, transformerLoading } from '../../domain/transformer-loading.ts';
import type { Topology } from '../../domain/topology.ts';
import type { StoreWriteResult } from '../../adapters/store/store.ts';

export function eventsAfterWrite(result: StoreWriteResult, topology: Topology): GridEvent[] {
  const events: GridEvent[] = [];
  for (const c of result.conflicts) {
    events.push({
      id: eventId('duplicate_conflict', c.meterId, c.intervalStart),
      type: 'duplicate_conflict',
      subjectKind: 'meter',
      subjectId: c.meterId,
      start: c.intervalStart,
      severity: 'info',
      value: c.rejectedValue,
      detail: `stored ${c.storedValue} kept; resent value ${c.rejectedValue} rejected (${c.obis})`,
    });
  }
  for (const t of result.transformerTotals) {
    const tx = topology.transformerById.get(t.transformerId);
    if (!tx) continue;
    const load = transformerLoading(t.energyKwh, 900, tx.kva);
    if (loadingLevel(load.loadingRatio) !== 'overload') continue;
    events.push({
      id: eventId('transformer_overload', tx.id, t.bucket),
      type: 'transformer_overload',
      subjectKind: 'transformer',
      subjectId: tx.id,
      start: t.bucket,
      end: t.bucket + 900_000,
      severity: 'warning',
      value: load.loadingRatio,
      detail: `${load.kvaDrawn.toFixed(1)} kVA drawn on a ${tx.kva} kVA transformer (${(load.loadingRatio * 100).toFixed(0)} %)`,
    });
  }
  return events;
}
