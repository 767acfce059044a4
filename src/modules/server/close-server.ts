// Closing the HTTP server at shutdown. Node's `server.close()` ends only the keep-alive
// connections that are idle at that moment; one whose request is still running stays open
// after it answers, until the keep-alive timeout (72 s under Fastify), and `close()` waits for
// it. A shutdown then overruns its deadline and exits 1 although every module stopped cleanly.
import type { FastifyInstance } from 'fastify';

/**
 * Stops accepting connections and resolves once every open one has ended: connections are
 * swept as they fall idle, so a request running at close time still gets its full answer.
 */
export async function closeHttpServer(app: FastifyInstance, sweepEveryMs = 50): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), sweepEveryMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}
