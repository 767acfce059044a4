// Grid events as stored and served: power-quality, overload, outage, anomaly, data quality.
// The id is derived from what the event is about, so re-processing a replayed batch writes the
// same id again and the store keeps one copy.

export type EventType =
  | 'voltage_deviation'
  | 'voltage_dip'
  | 'interruption'
  | 'frequency_deviation'
  | 'transformer_overload'
  | 'outage'
  | 'anomaly'
  | 'duplicate_conflict';

export type SubjectKind = 'meter' | 'sensor' | 'transformer' | 'feeder';
export type Severity = 'info' | 'warning' | 'critical';

export interface GridEvent {
  id: string;
  type: EventType;
  subjectKind: SubjectKind;
  subjectId: string;
  start: number;
  end?: number;
  severity: Severity;
  value?: number;
  detail: string;
}

export function eventId(type: EventType, subjectId: string, start: number): string {
  return `${type}:${subjectId}:${start}`;
}
