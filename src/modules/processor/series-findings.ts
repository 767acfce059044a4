// What one reading tells about its series beyond VEE: anomaly episodes (every series), power
// quality events (voltage and frequency sensors), and the outages of the transformers. Each
// function advances the series' state in place; ProcessorCore journals that state per batch.
import { anomalyStep } from '../../domain/anomaly.ts';
import { eventId, type GridEvent } from '../../domain/events.ts';
import { detectGaspCluster, detectOutage } from '../../domain/outage.ts';
import { pqStep } from '../../domain/power-quality.ts';
import type { SensorReading } from '../../domain/readings.ts';
import type { Topology } from '../../domain/topology.ts';
import type { Series, SeriesTracker } from './series-tracker.ts';

const NOMINAL: Record<string, number> = { voltage: 230, frequency: 50 };

/** UTC hour of day, without a Date per reading. */
function hourOfDay(ts: number): number {
  const hour = Math.floor(ts / 3_600_000) % 24;
  return hour < 0 ? hour + 24 : hour;
}

/**
 * Scores a value against the series' window `slot`. Load and temperature follow the day:
 * scoring 18:00 against a window holding 03:00 would call every evening peak an anomaly. So
 * such series keep a window per hour of the day (UTC), holding that hour over the past days;
 * voltage and frequency keep one (slot 0).
 */
function score(s: Series, slot: number, value: number) {
  const a = anomalyStep(s.anomaly[slot], value);
  s.anomaly[slot] = a.state;
  return a;
}

/**
 * True once per anomalous episode: when two consecutive values are anomalous in the same
 * direction. One odd value is noise (or VEE's spike rule); a sag or a theft-like drop lasts.
 * The run then stays open, without new events, until a normal value arrives.
 */
function anomalyEpisode(s: Series, anomalous: boolean, score: number): boolean {
  const run = s.anomalySign;
  const sign = anomalous ? Math.sign(score) : 0;
  const next = sign === 0 ? 0 : Math.sign(run) === sign ? run + sign : sign;
  s.anomalySign = next;
  return Math.abs(next) === 2;
}

/** Scores the value; the anomaly event when it opens an episode. */
export function anomalyFinding(
  s: Series,
  kind: 'meter' | 'sensor',
  id: string,
  ts: number,
  value: number,
  slot = hourOfDay(ts),
): GridEvent | undefined {
  const a = score(s, slot, value);
  if (!anomalyEpisode(s, a.anomalous, a.score)) return undefined;
  return {
    id: eventId('anomaly', id, ts),
    type: 'anomaly',
    subjectKind: kind,
    subjectId: id,
    start: ts,
    severity: 'info',
    value: a.score,
    detail: `value ${value} scores ${a.score.toFixed(1)} robust deviations from the series' recent level`,
  };
}

/** Power quality events (EN 50160) and the anomaly event of one sensor reading. */
export function sensorFindings(r: SensorReading, s: Series, topology: Topology): GridEvent[] {
  const events: GridEvent[] = [];
  const grid = r.sensorType === 'voltage' || r.sensorType === 'frequency';
  if (r.sensorType === 'voltage' || r.sensorType === 'frequency') {
    const nominal = topology.sensorById.get(r.sensorId)?.nominal ?? NOMINAL[r.sensorType]!;
    const pq = pqStep(
      s.pq,
      { sensorId: r.sensorId, sensorType: r.sensorType, ts: r.ts, value: r.value },
      nominal,
    );
    s.pq = pq.state;
    for (const e of pq.events) {
      events.push({
        id: eventId(e.type, e.sensorId, e.start),
        type: e.type,
        subjectKind: 'sensor',
        subjectId: e.sensorId,
        start: e.start,
        end: e.end,
        severity: e.type === 'interruption' ? 'critical' : 'warning',
        value: e.value,
        detail: e.detail,
      });
    }
  }
  const anomaly = anomalyFinding(s, 'sensor', r.sensorId, r.ts, r.value, grid ? 0 : hourOfDay(r.ts));
  if (anomaly) events.push(anomaly);
  return events;
}

/**
 * Outages are judged against `low`, the low watermark: the oldest of the partitions' newest
 * event times. Partitions are consumed unevenly (one may be an hour ahead of another during a
 * backfill), and judging silence by the newest time would call every meter on a lagging
 * partition silent.
 */
export function outageEvents(topology: Topology, state: SeriesTracker, low: number): GridEvent[] {
  const events: GridEvent[] = [];
  for (const [txId, meters] of topology.metersByTransformer) {
    const ids = meters.map((m) => m.id);
    const o =
      detectGaspCluster(txId, ids, state.lastGasp) ??
      detectOutage(txId, ids, state.lastSeen, state.lastGasp, low);
    if (!o) continue;
    events.push({
      id: eventId('outage', txId, o.start),
      type: 'outage',
      subjectKind: 'transformer',
      subjectId: txId,
      start: o.start,
      severity: 'critical',
      value: o.affectedMeters.length,
      detail: o.detail,
    });
  }
  return events;
}
