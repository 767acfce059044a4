// Entry of the embedded bus's writer thread. It owns the producer's SQLite connection, so the
// append and its fsync (a few milliseconds per commit) run off ingest's event loop: meanwhile
// the main thread parses and validates the next requests. Messages are handled one at a time;
// each is one transaction, answered only after COMMIT returned.
import { parentPort, workerData } from 'node:worker_threads';
import type { Synchronous } from '../sqlite.ts';
import { LogAppender, openBus, type Chunk } from './sqlite-bus-log.ts';

export interface BusWriterData {
  path: string;
  synchronous?: Synchronous;
}

export type BusWriterRequest = { type: 'append'; chunks: Chunk[] } | { type: 'close' };
export type BusWriterReply = { type: 'appended' } | { type: 'failed'; message: string };

const data = workerData as BusWriterData;
const port = parentPort!;
const db = openBus(data);
const appender = new LogAppender(db);

port.on('message', (m: BusWriterRequest) => {
  if (m.type === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: BusWriterReply;
  try {
    appender.append(m.chunks);
    reply = { type: 'appended' };
  } catch (err) {
    reply = { type: 'failed', message: (err as Error).message };
  }
  port.postMessage(reply);
});
