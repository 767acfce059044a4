import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { closeHttpServer, trackRequests } from './close-server.ts';

const within = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(() => 'closed'),
    new Promise((r) => setTimeout(r, ms, `still open after ${ms} ms`).unref()),
  ]);

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
  const closing = closeHttpServer(app, { graceMs: 30_000 });
  assert.deepEqual(await answer, { status: 200, body: { done: true } });
  // Without the sweep this connection stays open for the 60 s keep-alive and close() with it.
  assert.equal(await within(closing, 10_000), 'closed');
});

test('a request that never ends is cut after the grace period, and the server says what it was', async () => {
  const app = Fastify({ keepAliveTimeout: 60_000, forceCloseConnections: 'idle' });
  const open = trackRequests(app);
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  app.get('/stuck/:id', async () => {
    entered();
    return new Promise(() => undefined);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const answer = fetch(`${url}/stuck/1`).then(
    (res) => res.status,
    (err: Error) => err.name,
  );
  await inHandler;
  assert.deepEqual(open(), { 'GET /stuck/:id': 1 });
  let forced: number | undefined;
  const closing = closeHttpServer(app, { graceMs: 300, onForce: (n) => (forced = n) });
  assert.equal(await within(closing, 10_000), 'closed');
  assert.equal(forced, 1);
  assert.equal(await answer, 'TypeError', 'the client sees the connection cut, not an answer');
});

test('a close that hangs for another reason gives up after the grace period plus 1 s', async () => {
  const app = Fastify();
  app.addHook('onClose', () => new Promise<void>(() => undefined));
  await app.listen({ host: '127.0.0.1', port: 0 });
  let gaveUp = false;
  const closing = closeHttpServer(app, { graceMs: 100, onGiveUp: () => (gaveUp = true) });
  assert.equal(await within(closing, 10_000), 'closed');
  assert.equal(gaveUp, true);
  app.server.close();
});
