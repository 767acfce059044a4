// Main-thread side of the processor: runs its worker threads (each with a share of the bus
// partitions), turns their statistics into metrics, restarts one after a crash, and on stop
// raises a flag in shared memory: each worker finishes a store write in progress and commits it,
// or drops a batch still being worked out (the bus delivers it again after the restart).
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { Module } from '../../app/module-manager.ts';
import type { ProcessorWorkerData, WorkerMessage } from './processor-worker.ts';
import { workerMessages, type WorkerSlot } from './worker-messages.ts';

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

interface Slot extends WorkerSlot {
  worker?: Worker;
}

export function createProcessorModule(opts: ProcessorModuleOptions): Module {
  const log = opts.logger.child({ module: 'processor' });
  const slots: Slot[] = Array.from({ length: opts.workers }, () => ({ running: false, outages: 0 }));
  let stopping = false;
  // Shared with every worker: they see a stop mid-batch, before their message queue would.
  const stopFlag = new SharedArrayBuffer(4);

  const onMessage = workerMessages({ slots, metrics: opts.metrics, log, onCommitted: opts.onCommitted });

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
