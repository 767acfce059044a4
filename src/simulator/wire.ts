// The JSON items POST /v1/readings takes (snake_case, ISO-8601 UTC times). Key order is fixed
// by construction here, so the same readings always serialise to the same bytes.
import type { SensorType } from '../domain/readings.ts';
import { roundTo } from '../domain/decimals.ts';

export const METER_OBIS = '1-0:1.8.0';
export const INTERVAL_S = 900;
export const INTERVAL_MS = INTERVAL_S * 1000;

export interface MeterWireItem {
  event_id: string;
  meter_id: string;
  customer_id: string;
  obis: typeof METER_OBIS;
  interval_start: string;
  interval_s: typeof INTERVAL_S;
  value: number;
  unit: 'kWh';
  quality?: ['last_gasp'];
}

export type SensorUnit = 'V' | 'A' | 'kW' | 'Hz' | 'degC';

export interface SensorWireItem {
  event_id: string;
  sensor_id: string;
  sensor_type: SensorType;
  ts: string;
  value: number;
  unit: SensorUnit;
}

export type WireItem = MeterWireItem | SensorWireItem;

export const SENSOR_WIRE_UNITS: Readonly<Record<SensorType, SensorUnit>> = {
  voltage: 'V',
  current: 'A',
  active_power: 'kW',
  frequency: 'Hz',
  temperature: 'degC',
};

export function round3(x: number): number {
  return roundTo(x, 3);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isMeterItem(item: WireItem): item is MeterWireItem {
  return 'meter_id' in item;
}

export function meterItem(
  eventId: string,
  meterId: string,
  customerId: string,
  /** ISO string: the caller formats an interval's start once for all its meters. */
  intervalStart: string,
  value: number,
  lastGasp = false,
): MeterWireItem {
  const item: MeterWireItem = {
    event_id: eventId,
    meter_id: meterId,
    customer_id: customerId,
    obis: METER_OBIS,
    interval_start: intervalStart,
    interval_s: INTERVAL_S,
    value: round3(value),
    unit: 'kWh',
  };
  if (lastGasp) item.quality = ['last_gasp'];
  return item;
}

export function sensorItem(
  eventId: string,
  sensorId: string,
  type: SensorType,
  ts: string,
  value: number,
): SensorWireItem {
  return {
    event_id: eventId,
    sensor_id: sensorId,
    sensor_type: type,
    ts,
    value: round3(value),
    unit: SENSOR_WIRE_UNITS[type],
  };
}
