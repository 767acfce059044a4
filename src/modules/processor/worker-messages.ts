// What the processor's main thread makes of its workers' messages: metrics (the registry lives
// on the main thread; workers only report), logs, and each worker's state for /readyz.
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { WorkerMessage } from './processor-worker.ts';

/** A worker as readiness and the outage gauge see it. */
export interface WorkerSlot {
  running: boolean;
  lastError?: string;
  /** Outages this worker's transformers have open (the gauge is their sum). */
  outages: number;
}

export interface WorkerMessageDeps {
  slots: WorkerSlot[];
  metrics: Metrics;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Called after every committed batch (the query cache uses it to invalidate). */
  onCommitted?: () => void;
}

/** The handler of messages from worker `index`. */
export function workerMessages(deps: WorkerMessageDeps): (index: number, m: WorkerMessage) => void {
  const { slots, metrics, log } = deps;
  return (index, m) => {
    const slot = slots[index]!;
    if (m.type === 'ready') slot.running = true;
    else if (m.type === 'error') {
      slot.lastError = m.message;
      metrics.processorErrors.inc();
      metrics.storeErrors.inc({ op: 'write_batch' });
      log.error({ worker: index, attempt: m.attempt, err: m.message }, 'batch failed; retrying with backoff');
    } else if (m.type === 'position-repair') {
      metrics.busPositionRepairs.inc({ kind: m.kind }, m.partitions);
    } else if (m.type === 'retention') {
      if (m.result) {
        const { cutoff, days, rows, ms } = m.result;
        metrics.retentionDeleted.inc({ unit: 'partitions' }, days);
        metrics.retentionDeleted.inc({ unit: 'rows' }, rows);
        log.info(
          { cutoff: new Date(cutoff).toISOString(), partitions: days, rows, ms: Math.round(ms) },
          'old readings deleted (retention)',
        );
      } else {
        metrics.storeErrors.inc({ op: 'retention' });
        log.warn({ err: m.error }, 'retention run failed; retrying in an hour');
      }
    } else if (m.type === 'stats') {
      delete slot.lastError;
      const s = m.stats;
      metrics.processorRecords.inc({ kind: 'meter' }, s.meters);
      metrics.processorRecords.inc({ kind: 'sensor' }, s.sensors);
      metrics.unknownMeterReadings.inc(s.unknown);
      // A flush of parked gap estimates (records 0) is a store write, not a batch of the bus.
      if (s.records > 0) metrics.processorBatchDuration.observe(s.durationMs / 1000);
      metrics.storeWriteDuration.observe(s.storeMs / 1000);
      if (s.dead > 0) metrics.busDeadLetter.inc({ reason: 'undecodable' }, s.dead);
      if (s.holes > 0)
        log.info(
          { series: s.holes },
          'holes in stored history found (gaps a stopped processor left); estimating them',
        );
      for (const [rule, n] of Object.entries(s.vee)) metrics.veeOutcomes.inc({ rule }, n);
      for (const [type, n] of Object.entries(s.events)) metrics.events.inc({ type }, n);
      if (s.outagesActive !== undefined) {
        slot.outages = s.outagesActive;
        metrics.outagesActive.set(slots.reduce((sum, x) => sum + x.outages, 0));
      }
      deps.onCommitted?.();
    }
  };
}
