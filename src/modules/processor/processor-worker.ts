// Entry of the processor's worker thread: the processor runs off the ingest thread, with its
// own SQLite connections, and reports per-batch statistics to the main thread for metrics.
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { SqliteBusConsumer } from '../../adapters/bus/sqlite-bus.ts';
import { SqliteStoreWriter } from '../../adapters/store/sqlite-store-writer.ts';
import { emptyTopology, loadTopology } from '../../domain/topology.ts';
import { meterLocator } from './meter-locator.ts';
import { ProcessorCore, type BatchStats } from './processor-core.ts';
import { ProcessorLoop } from './processor-loop.ts';
import { PROCESSOR_GROUP } from '../ingest/ingest-routes.ts';

export interface ProcessorWorkerData {
  dataDir: string;
  topologyFile: string;
  busPartitions: number;
  synchronous: 'FULL' | 'NORMAL';
  batchSize: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'stats'; stats: BatchStats }
  | { type: 'error'; message: string; attempt: number }
  | { type: 'stopped' };

const data = workerData as ProcessorWorkerData;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);

const topology = existsSync(data.topologyFile) ? loadTopology(data.topologyFile) : emptyTopology();
const consumer = new SqliteBusConsumer({
  path: join(data.dataDir, 'bus.db'),
  partitions: data.busPartitions,
  synchronous: data.synchronous,
  group: PROCESSOR_GROUP,
});
const store = new SqliteStoreWriter(
  { path: join(data.dataDir, 'store.db'), synchronous: data.synchronous },
  meterLocator(topology),
);
const loop = new ProcessorLoop(consumer, new ProcessorCore(topology, store), {
  batchSize: data.batchSize,
  onStats: (stats) => post({ type: 'stats', stats }),
  onError: (err, attempt) => post({ type: 'error', message: (err as Error).message, attempt }),
});

port.on('message', (m: { type: string }) => {
  if (m.type !== 'stop') return;
  void (async () => {
    await loop.stop();
    await consumer.close();
    await store.close();
    post({ type: 'stopped' });
  })();
});

loop.start();
post({ type: 'ready' });
