// Entry of the processor's worker thread: the processor runs off the ingest thread, with its
// own SQLite connections, and reports per-batch statistics to the main thread for metrics.
import { parentPort, workerData } from 'node:worker_threads';
import { existsSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { openConsumer, openStoreWriter, type BusSettings, type StoreSettings } from '../../app/backends.ts';
import type { GroupMember } from '../../adapters/bus/bus.ts';
import type { PositionRepair } from '../../adapters/bus/kafka-options.ts';
import { emptyTopology, loadTopology } from '../../domain/topology.ts';
import { createLogger } from '../../telemetry/logger.ts';
import { meterLocator } from './meter-locator.ts';
import { ProcessorCore } from './processor-core.ts';
import type { BatchStats } from './batch-stats.ts';
import { ProcessorLoop } from './processor-loop.ts';
import { startRetention, type RetentionResult } from './retention.ts';

export interface ProcessorWorkerData {
  bus: BusSettings;
  /** This worker's share of the bus partitions (on Kafka, the group assigns them). */
  member: GroupMember;
  store: StoreSettings;
  topologyFile: string;
  batchSize: number;
  /** Days of readings kept (0: all); worker 0 of each process runs the deletion (retention.ts). */
  retentionDays: number;
  logLevel: string;
  /** Int32 flag, set to 1 by the main thread when the processor stops (see StopRequested). */
  stopFlag: SharedArrayBuffer;
  /** Ingest runs in this process: the worker lowers its priority below it (see WORKER_NICE). */
  yieldToIngest: boolean;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'stats'; stats: BatchStats }
  | { type: 'error'; message: string; attempt: number }
  | { type: 'retention'; result?: RetentionResult; error?: string }
  | { type: 'position-repair'; kind: PositionRepair; partitions: number }
  | { type: 'stopped' };

const data = workerData as ProcessorWorkerData;

/**
 * Where ingest runs in the same process, processing yields the CPU to it: a request waits on an
 * acknowledgement, a backlog only waits in the durable bus (and ingest's back-pressure bounds
 * it). A processor-only process does not: niced, it would lose 10:1 to any busy neighbour on the
 * host (the store's own server included) and drain a backlog at a tenth of its speed. Linux
 * gives each thread its own nice value; elsewhere this would renice the whole process, so it is
 * skipped there.
 */
const WORKER_NICE = 10;
if (data.yieldToIngest) {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE);
  } catch {
    // Not Linux, or /proc not mounted: run at normal priority.
  }
}
const port = parentPort!;
const stopFlag = new Int32Array(data.stopFlag);
const post = (m: WorkerMessage) => port.postMessage(m);

const topology = existsSync(data.topologyFile) ? loadTopology(data.topologyFile) : emptyTopology();
// The store first: with a real store, migrations must have run before a batch arrives.
const store = await openStoreWriter(data.store, meterLocator(topology));
// The adapters log their own connection trouble (group rebalances, broker reconnects).
const log = createLogger(data.logLevel).child({ module: 'processor', worker: data.member.index });
const consumer = await openConsumer(data.bus, log, data.member, (kind, partitions) =>
  post({ type: 'position-repair', kind, partitions }),
);
const loop = new ProcessorLoop(consumer, new ProcessorCore(topology, store), {
  batchSize: data.batchSize,
  onStats: (stats) => post({ type: 'stats', stats }),
  onError: (err, attempt) => post({ type: 'error', message: (err as Error).message, attempt }),
  stopRequested: () => Atomics.load(stopFlag, 0) === 1,
});

const stopRetention =
  data.retentionDays > 0 && data.member.index === 0
    ? startRetention({
        store,
        days: data.retentionDays,
        onDone: (result) => post({ type: 'retention', result }),
        onError: (err) => post({ type: 'retention', error: (err as Error).message }),
      })
    : async () => {};

port.on('message', (m: { type: string }) => {
  if (m.type !== 'stop') return;
  void (async () => {
    await stopRetention();
    await loop.stop();
    // A store that is down at stop leaves the slots missing, as a crash would; the stop goes on.
    await loop.flushParked().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'parked gap estimates not stored at stop');
    });
    await consumer.close();
    await store.close();
    post({ type: 'stopped' });
  })();
});

loop.start();
post({ type: 'ready' });
