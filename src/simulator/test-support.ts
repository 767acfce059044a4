// Shared by the simulator's tests: a backfill-only run on a fixed clock, collected in memory.
import type { FaultKind, FaultRecord } from './faults.ts';
import { runSimulation } from './run-simulation.ts';
import type { TopologyFile } from '../domain/topology.ts';
import { isMeterItem, type MeterWireItem, type SensorWireItem, type WireItem } from './wire.ts';

/** Wednesday 14 January 2026, 12:07:30 UTC: mid-winter, mid-week, off a boundary on purpose. */
export const T0 = Date.UTC(2026, 0, 14, 12, 7, 30);

export interface Collected {
  items: WireItem[];
  meters: MeterWireItem[];
  sensors: SensorWireItem[];
  journal: FaultRecord[];
  topology: TopologyFile;
}

export async function backfill(opts: {
  meters?: number;
  seed?: number;
  hours?: number;
  faults?: FaultKind[];
  faultRates?: Partial<Record<FaultKind, number>>;
  now?: number;
}): Promise<Collected> {
  const items: WireItem[] = [];
  const result = await runSimulation(
    {
      meters: opts.meters ?? 200,
      seed: opts.seed ?? 42,
      backfillHours: opts.hours ?? 24,
      durationS: 0,
      faults: opts.faults ?? [],
      faultRates: opts.faultRates ?? {},
      now: () => opts.now ?? T0,
    },
    async (batch) => {
      for (const item of batch) items.push(item);
    },
  );
  return {
    items,
    meters: items.filter(isMeterItem),
    sensors: items.filter((i): i is SensorWireItem => !isMeterItem(i)),
    journal: result.journal,
    topology: result.topology,
  };
}

/** `meter_id|interval_start` -> items with that key. */
export function byKey(meters: MeterWireItem[]): Map<string, MeterWireItem[]> {
  const map = new Map<string, MeterWireItem[]>();
  for (const m of meters) {
    const key = `${m.meter_id}|${m.interval_start}`;
    map.set(key, [...(map.get(key) ?? []), m]);
  }
  return map;
}
