// What one processor batch did, as the worker reports it to the processor module (metrics, logs).

export interface BatchStats {
  records: number;
  meters: number;
  sensors: number;
  unknown: number;
  inserted: number;
  dead: number;
  /** Series whose loaded history had holes (gaps a stopped processor never estimated). */
  holes: number;
  vee: Record<string, number>;
  events: Record<string, number>;
  watermark: number | null;
  /**
   * Transformers with an outage open on this worker's partitions, as judged by this batch;
   * absent when it judged none (a flush of parked gap estimates), so the last count stands.
   */
  outagesActive?: number;
  durationMs: number;
  /** Time spent in the store write (the batch with its derived events: one transaction). */
  storeMs: number;
}

export function emptyStats(records: number): BatchStats {
  return {
    records,
    meters: 0,
    sensors: 0,
    unknown: 0,
    inserted: 0,
    dead: 0,
    holes: 0,
    vee: {},
    events: {},
    watermark: null,
    durationMs: 0,
    storeMs: 0,
  };
}
