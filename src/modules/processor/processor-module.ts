// Main-thread side of the processor: runs the worker, turns its statistics into metrics,
// restarts it after a crash, and on stop lets it finish and commit the batch in hand.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { Module } from '../../app/module-manager.ts';
import type { ProcessorWorkerData, WorkerMessage } from './processor-worker.ts';

export interface ProcessorModuleOptions {
  workerData: ProcessorWorkerData;
  logger: Logger;
  metrics: Metrics;
  stopTimeoutMs: number;
  /** Called after every committed batch (the query cache uses it to invalidate). */
  onCommitted?: () => void;
}

export function createProcessorModule(opts: ProcessorModuleOptions): Module {
  const log = opts.logger.child({ module: 'processor' });
  let worker: Worker | undefined;
  let running = false;
  let stopping = false;
  let lastError: string | undefined;

  const onMessage = (m: WorkerMessage) => {
    if (m.type === 'ready') running = true;
    else if (m.type === 'error') {
      lastError = m.message;
      opts.metrics.processorErrors.inc();
      opts.metrics.storeErrors.inc({ op: 'write_batch' });
      log.error({ attempt: m.attempt, err: m.message }, 'batch failed; retrying with backoff');
    } else if (m.type === 'stats') {
      lastError = undefined;
      const s = m.stats;
      opts.metrics.processorRecords.inc({ kind: 'meter' }, s.meters);
      opts.metrics.processorRecords.inc({ kind: 'sensor' }, s.sensors);
      opts.metrics.unknownMeterReadings.inc(s.unknown);
      opts.metrics.processorBatchDuration.observe(s.durationMs / 1000);
      opts.metrics.storeWriteDuration.observe(s.storeMs / 1000);
      if (s.dead > 0) opts.metrics.busDeadLetter.inc({ reason: 'undecodable' }, s.dead);
      for (const [rule, n] of Object.entries(s.vee)) opts.metrics.veeOutcomes.inc({ rule }, n);
      for (const [type, n] of Object.entries(s.events)) opts.metrics.events.inc({ type }, n);
      opts.metrics.outagesActive.set(s.outagesActive);
      opts.onCommitted?.();
    }
  };

  const spawn = () => {
    const w = new Worker(new URL('./processor-worker.ts', import.meta.url), { workerData: opts.workerData });
    w.on('message', onMessage);
    w.on('error', (err) => log.error({ err }, 'processor worker crashed'));
    w.on('exit', (code) => {
      running = false;
      if (stopping) return;
      log.error({ code }, 'processor worker exited; restarting in 1 s');
      setTimeout(() => {
        if (!stopping) worker = spawn();
      }, 1000).unref();
    });
    return w;
  };

  return {
    start() {
      worker = spawn();
    },
    async stop() {
      stopping = true;
      const w = worker;
      if (!w) return;
      const stopped = new Promise<void>((resolve) => {
        w.on('message', (m: WorkerMessage) => m.type === 'stopped' && resolve());
        w.on('exit', () => resolve());
      });
      w.postMessage({ type: 'stop' });
      const timer = setTimeout(() => void w.terminate(), opts.stopTimeoutMs);
      await stopped;
      clearTimeout(timer);
      await w.terminate();
    },
    ready() {
      if (!running) return { ok: false, detail: 'processor worker not running' };
      return lastError ? { ok: true, detail: `retrying: ${lastError}` } : { ok: true };
    },
  };
}
