// Main-thread side of the processor: runs its worker threads (each with a share of the bus
// partitions), turns their statistics into metrics, restarts one after a crash, and on stop
// raises a flag in shared memory: each worker finishes a store write in progress and commits it,
// or drops a batch still being worked out (the bus delivers it again after the restart).
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { Module } from '../../app/module-manager.ts';
import type { ProcessorWorkerData, WorkerMessage } from './processor-worker.ts';

export interface ProcessorModuleOptions {
  /** Everything a worker needs but its share of the partitions and the stop flag. */
  workerData: Omit<ProcessorWorkerData, 'member' | 'stopFlag'>;
  workers: number;
  logger: Logger;
  metrics: Metrics;
  stopTimeoutMs: number;
  /** Called after every committed batch (the query cache uses it to invalidate). */
  onCommitted?: () => void;
}

interface Slot {
  worker?: Worker;
  running: boolean;
  lastError?: string;
  /** Outages this worker's transformers have open (the gauge is their sum). */
  outages: number;
}

export function createProcessorModule(opts: ProcessorModuleOptions): Module {
  const log = opts.logger.child({ module: 'processor' });
  const slots: Slot[] = Array.from({ length: opts.workers }, () => ({ running: false, outages: 0 }));
  let stopping = false;
  // Shared with every worker: they see a stop mid-batch, before their message queue would.
  const stopFlag = new SharedArrayBuffer(4);

  const onMessage = (index: number, m: WorkerMessage) => {
    const slot = slots[index]!;
    if (m.type === 'ready') slot.running = true;
    else if (m.type === 'error') {
      slot.lastError = m.message;
      opts.metrics.processorErrors.inc();
      opts.metrics.storeErrors.inc({ op: 'write_batch' });
      log.error({ worker: index, attempt: m.attempt, err: m.message }, 'batch failed; retrying with backoff');
    } else if (m.type === 'position-repair') {
      opts.metrics.busPositionRepairs.inc({ kind: m.kind }, m.partitions);
    } else if (m.type === 'retention') {
      if (m.result) {
        const { cutoff, days, rows, ms } = m.result;
        opts.metrics.retentionDeleted.inc({ unit: 'partitions' }, days);
        opts.metrics.retentionDeleted.inc({ unit: 'rows' }, rows);
        log.info(
          { cutoff: new Date(cutoff).toISOString(), partitions: days, rows, ms: Math.round(ms) },
          'old readings deleted (retention)',
        );
      } else {
        opts.metrics.storeErrors.inc({ op: 'retention' });
        log.warn({ err: m.error }, 'retention run failed; retrying in an hour');
      }
    } else if (m.type === 'stats') {
      delete slot.lastError;
      const s = m.stats;
      opts.metrics.processorRecords.inc({ kind: 'meter' }, s.meters);
      opts.metrics.processorRecords.inc({ kind: 'sensor' }, s.sensors);
      opts.metrics.unknownMeterReadings.inc(s.unknown);
      // A flush of parked gap estimates (records 0) is a store write, not a batch of the bus.
      if (s.records > 0) opts.metrics.processorBatchDuration.observe(s.durationMs / 1000);
      opts.metrics.storeWriteDuration.observe(s.storeMs / 1000);
      if (s.dead > 0) opts.metrics.busDeadLetter.inc({ reason: 'undecodable' }, s.dead);
      if (s.holes > 0)
        log.info(
          { series: s.holes },
          'holes in stored history found (gaps a stopped processor left); estimating them',
        );
      for (const [rule, n] of Object.entries(s.vee)) opts.metrics.veeOutcomes.inc({ rule }, n);
      for (const [type, n] of Object.entries(s.events)) opts.metrics.events.inc({ type }, n);
      slot.outages = s.outagesActive;
      opts.metrics.outagesActive.set(slots.reduce((sum, x) => sum + x.outages, 0));
      opts.onCommitted?.();
    }
  };

  const spawn = (index: number): Worker => {
    const workerData: ProcessorWorkerData = {
      ...opts.workerData,
      member: { index, count: opts.workers },
      stopFlag,
    };
    const w = new Worker(new URL('./processor-worker.ts', import.meta.url), { workerData });
    w.on('message', (m: WorkerMessage) => onMessage(index, m));
    w.on('error', (err) => log.error({ worker: index, err }, 'processor worker crashed'));
    w.on('exit', (code) => {
      slots[index]!.running = false;
      if (stopping) return;
      log.error({ worker: index, code }, 'processor worker exited; restarting in 1 s');
      setTimeout(() => {
        if (!stopping) slots[index]!.worker = spawn(index);
      }, 1000).unref();
    });
    return w;
  };

  const stopOne = async (w: Worker): Promise<void> => {
    const stopped = new Promise<void>((resolve) => {
      w.on('message', (m: WorkerMessage) => m.type === 'stopped' && resolve());
      w.on('exit', () => resolve());
    });
    w.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void w.terminate(), opts.stopTimeoutMs);
    await stopped;
    clearTimeout(timer);
    await w.terminate();
  };

  return {
    start() {
      slots.forEach((slot, index) => (slot.worker = spawn(index)));
    },
    async stop() {
      stopping = true;
      Atomics.store(new Int32Array(stopFlag), 0, 1);
      await Promise.all(slots.flatMap((s) => (s.worker ? [stopOne(s.worker)] : [])));
    },
    ready() {
      const down = slots.filter((s) => !s.running).length;
      if (down > 0) return { ok: false, detail: `${down} of ${slots.length} processor workers not running` };
      const failing = slots.find((s) => s.lastError !== undefined);
      return failing ? { ok: true, detail: `retrying: ${failing.lastError}` } : { ok: true };
    },
  };
}
