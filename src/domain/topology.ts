// The grid's shape: meter -> transformer -> feeder -> substation, plus sensors placed on
// transformers. Loaded from a JSON file (`GRIDOPS_TOPOLOGY_FILE`); the simulator writes one.
import { readFileSync } from 'node:fs';
import { gridError } from '../app/errors.ts';
import { SENSOR_TYPES, type Reading, type SensorType } from './readings.ts';

export interface Substation {
  id: string;
  name?: string;
  lat?: number;
  lon?: number;
}
export interface Feeder {
  id: string;
  substation_id: string;
}
export interface Transformer {
  id: string;
  feeder_id: string;
  /** Nameplate rating in kVA; loading is kVA drawn over this. */
  kva: number;
  lat?: number;
  lon?: number;
}
export type MeterClass = 'household' | 'commercial';
export interface Meter {
  id: string;
  customer_id: string;
  transformer_id: string;
  class: MeterClass;
}
export interface Sensor {
  id: string;
  type: SensorType;
  transformer_id: string;
  /** Nominal value for the sensor (230 V, 50 Hz, ...), used by power-quality rules. */
  nominal?: number;
  lat?: number;
  lon?: number;
}

/** The file format (snake_case, as the original platform's users know it). */
export interface TopologyFile {
  substations: Substation[];
  feeders: Feeder[];
  transformers: Transformer[];
  meters: Meter[];
  sensors: Sensor[];
}

/** A topology with lookup indexes, built once at start. */
export interface Topology extends TopologyFile {
  meterById: Map<string, Meter>;
  transformerById: Map<string, Transformer>;
  feederById: Map<string, Feeder>;
  sensorById: Map<string, Sensor>;
  metersByTransformer: Map<string, Meter[]>;
}

function fail(where: string, why: string): never {
  throw gridError('SG_ERR_TOPOLOGY_INVALID', [where, why]);
}

function indexUnique<T extends { id: string }>(items: T[], kind: string): Map<string, T> {
  const map = new Map<string, T>();
  items.forEach((item, i) => {
    if (typeof item?.id !== 'string' || item.id === '')
      fail(`${kind}[${i}].id`, 'must be a non-empty string');
    if (map.has(item.id)) fail(`${kind}[${i}].id`, `duplicate id "${item.id}"`);
    map.set(item.id, item);
  });
  return map;
}

/** Checks references and builds the indexes; throws SG_ERR_TOPOLOGY_INVALID naming the path. */
export function buildTopology(file: TopologyFile): Topology {
  for (const key of ['substations', 'feeders', 'transformers', 'meters', 'sensors'] as const) {
    if (!Array.isArray(file?.[key])) fail(key, 'must be an array');
  }
  const substationById = indexUnique(file.substations, 'substations');
  const feederById = indexUnique(file.feeders, 'feeders');
  const transformerById = indexUnique(file.transformers, 'transformers');
  const meterById = indexUnique(file.meters, 'meters');
  const sensorById = indexUnique(file.sensors, 'sensors');
  file.feeders.forEach((f, i) => {
    if (!substationById.has(f.substation_id))
      fail(`feeders[${i}].substation_id`, `unknown "${f.substation_id}"`);
  });
  file.transformers.forEach((t, i) => {
    if (!feederById.has(t.feeder_id)) fail(`transformers[${i}].feeder_id`, `unknown "${t.feeder_id}"`);
    if (!(typeof t.kva === 'number' && t.kva > 0))
      fail(`transformers[${i}].kva`, 'must be a positive number');
  });
  const metersByTransformer = new Map<string, Meter[]>();
  file.meters.forEach((m, i) => {
    if (!transformerById.has(m.transformer_id)) {
      fail(`meters[${i}].transformer_id`, `unknown "${m.transformer_id}"`);
    }
    if (m.class !== 'household' && m.class !== 'commercial') {
      fail(`meters[${i}].class`, 'must be "household" or "commercial"');
    }
    const list = metersByTransformer.get(m.transformer_id) ?? [];
    list.push(m);
    metersByTransformer.set(m.transformer_id, list);
  });
  file.sensors.forEach((s, i) => {
    if (!transformerById.has(s.transformer_id)) {
      fail(`sensors[${i}].transformer_id`, `unknown "${s.transformer_id}"`);
    }
    if (!(SENSOR_TYPES as readonly string[]).includes(s.type)) {
      fail(`sensors[${i}].type`, `must be one of ${SENSOR_TYPES.join(', ')}`);
    }
  });
  return { ...file, meterById, transformerById, feederById, sensorById, metersByTransformer };
}

export function loadTopology(path: string): Topology {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(path, (err as Error).message);
  }
  return buildTopology(parsed as TopologyFile);
}

export function emptyTopology(): Topology {
  return buildTopology({ substations: [], feeders: [], transformers: [], meters: [], sensors: [] });
}

/**
 * The bus partition key of a reading: its transformer, so that every meter and sensor of one
 * transformer lands on one partition and so reaches the one processor that owns it (outage
 * detection counts a transformer's meters; a processor seeing half of them misses outages).
 * A device missing from the topology is keyed by its own id. Either way one device's readings
 * stay in order. When a meter moves to another transformer, readings sent before and after
 * the move may be processed out of order once; VEE treats the older ones as late data.
 */
export function busKey(topology: Topology, r: Reading): string {
  const device = r.kind === 'meter' ? topology.meterById.get(r.meterId) : topology.sensorById.get(r.sensorId);
  return device?.transformer_id ?? (r.kind === 'meter' ? r.meterId : r.sensorId);
}
