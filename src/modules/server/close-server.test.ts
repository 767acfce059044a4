import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { closeHttpServer } from './close-server.ts';

test('a request running at close gets its answer, and close does not wait out the keep-alive', async () => {
  const app = Fastify({ keepAliveTimeout: 60_000, forceCloseConnections: 'idle' });
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  app.get('/slow', async () => {
    entered();
    await new Promise((r) => setTimeout(r, 300));
    return { done: true };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const answer = fetch(`${url}/slow`).then(async (res) => ({ status: res.status, body: await res.json() }));
  await inHandler;
  const closing = closeHttpServer(app);
  assert.deepEqual(await answer, { status: 200, body: { done: true } });
  // Without the sweep this connection stays open for the 60 s keep-alive and close() with it.
  const outcome = await Promise.race([
    closing.then(() => 'closed'),
    new Promise((r) => setTimeout(r, 10_000, 'still open after 10 s').unref()),
  ]);
  assert.equal(outcome, 'closed');
});
