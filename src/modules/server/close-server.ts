// Closing the HTTP server at shutdown. Node's `server.close()` ends only the keep-alive
// connections that are idle at that moment; one whose request is still running stays open
// after it answers, until the keep-alive timeout (72 s under Fastify), and `close()` waits for
// it. A shutdown then overruns its deadline and exits 1 although every module stopped cleanly.
// The server stops last, after ingest has drained: whatever still runs then is answered with
// nothing acknowledged, so after a grace period the remaining connections are cut.
import type { FastifyInstance } from 'fastify';

/** Counts the requests being served, by route, so a slow close can say what it waits for. */
export function trackRequests(app: FastifyInstance): () => Record<string, number> {
  const open = new Map<object, string>();
  app.addHook('onRequest', async (request) => {
    open.set(request, `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`);
  });
  const done = async (request: object) => void open.delete(request);
  app.addHook('onResponse', done);
  app.addHook('onRequestAbort', done);
  return () => {
    const byRoute: Record<string, number> = {};
    for (const route of open.values()) byRoute[route] = (byRoute[route] ?? 0) + 1;
    return byRoute;
  };
}

export interface CloseOptions {
  /** Idle connections are closed this often while the server closes. */
  sweepEveryMs?: number;
  /** After this long, every connection still open is closed. */
  graceMs?: number;
  /** Told before connections are cut, with the count still open. */
  onForce?: (connections: number) => void;
  /** Told when the server has still not closed 1 s after that; the stop then goes on. */
  onGiveUp?: () => void;
}

/**
 * Stops accepting connections and resolves once every open one has ended: connections are
 * closed as they fall idle, so a request running at close time still gets its answer, and
 * any still open after the grace period are cut.
 */
export async function closeHttpServer(app: FastifyInstance, opts: CloseOptions = {}): Promise<void> {
  const { sweepEveryMs = 50, graceMs = 2000 } = opts;
  const sweep = setInterval(() => app.server.closeIdleConnections(), sweepEveryMs);
  const force = setTimeout(() => {
    app.server.getConnections((_err, count) => {
      opts.onForce?.(count);
      app.server.closeAllConnections();
    });
  }, graceMs);
  let giveUp: NodeJS.Timeout | undefined;
  // Cut connections end a server's close at once; if it still hangs (a close hook, say), the
  // stop goes on rather than holding every other module's clean stop hostage.
  const stuck = new Promise<void>((resolve) => {
    giveUp = setTimeout(() => {
      opts.onGiveUp?.();
      resolve();
    }, graceMs + 1000);
  });
  try {
    await Promise.race([app.close(), stuck]);
  } finally {
    clearInterval(sweep);
    clearTimeout(force);
    clearTimeout(giveUp);
  }
}
