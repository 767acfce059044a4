import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createHttpSink, HttpSinkError, parseRetryAfter } from './http-sink.ts';
import { meterItem, type WireItem } from './wire.ts';

interface Seen {
  body: Buffer;
  headers: IncomingMessage['headers'];
  url: string | undefined;
}

/** A real server on an ephemeral port; `answer` decides each response by request number. */
async function withServer(
  answer: (n: number, res: ServerResponse) => void,
  fn: (url: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ body: Buffer.concat(chunks), headers: req.headers, url: req.url });
      answer(seen.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}/`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const items: WireItem[] = [
  meterItem('e1', 'MTR-0000001', 'CUST-0000001', '2026-01-14T11:45:00.000Z', 0.123),
  meterItem('e2', 'MTR-0000002', 'CUST-0000002', '2026-01-14T11:45:00.000Z', 0.456),
];

test('503 with Retry-After: waits, resends the identical body, acks once', async () => {
  await withServer(
    (n, res) => {
      if (n === 1) res.writeHead(503, { 'retry-after': '1' }).end('{"code":"SG_ERR_OVERLOADED"}');
      else res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":2}');
    },
    async (url, seen) => {
      const acked: WireItem[][] = [];
      const sink = createHttpSink({ url, apiKey: 'k3y', onAck: (b) => acked.push(b) });
      const started = Date.now();
      await sink(items);
      assert.ok(Date.now() - started >= 950, 'honoured Retry-After');
      assert.equal(seen.length, 2);
      assert.deepEqual(seen[1]!.body, seen[0]!.body);
      assert.deepEqual(JSON.parse(seen[0]!.body.toString()), items);
      assert.equal(seen[0]!.url, '/v1/readings');
      assert.equal(seen[0]!.headers.authorization, 'Bearer k3y');
      assert.equal(seen[0]!.headers['content-type'], 'application/json');
      assert.deepEqual(acked, [items]);
      assert.deepEqual(sink.stats, { acceptedBatches: 1, acceptedItems: 2, retriedBatches: 1, retries: 1 });
    },
  );
});

test('422: throws with the response body, no retry', async () => {
  const body = '{"code":"SG_ERR_VALIDATION","details":[{"field":"/0/value","message":"bad"}]}';
  await withServer(
    (_n, res) => res.writeHead(422, { 'content-type': 'application/json' }).end(body),
    async (url, seen) => {
      let acks = 0;
      const sink = createHttpSink({ url, apiKey: 'k', onAck: () => acks++ });
      await assert.rejects(sink(items), (err: HttpSinkError) => {
        assert.ok(err instanceof HttpSinkError);
        assert.equal(err.status, 422);
        assert.ok(err.message.includes(body));
        return true;
      });
      assert.equal(seen.length, 1);
      assert.equal(acks, 0);
    },
  );
});

test('gzip bodies carry content-encoding', async () => {
  await withServer(
    (_n, res) => res.writeHead(200).end(),
    async (url, seen) => {
      await createHttpSink({ url, apiKey: 'k', gzip: true })(items);
      assert.equal(seen[0]!.headers['content-encoding'], 'gzip');
      assert.deepEqual(JSON.parse(gunzipSync(seen[0]!.body).toString()), items);
    },
  );
});

test('network errors: retried with backoff, then a clear error', async () => {
  let url = '';
  await withServer(
    () => undefined,
    async (u) => {
      url = u;
    },
  ); // the port is closed now: connections are refused
  const retries: string[] = [];
  const sink = createHttpSink({
    url,
    apiKey: 'k',
    maxRetries: 2,
    backoffMs: 5,
    onRetry: (r) => retries.push(r.reason),
  });
  await assert.rejects(sink(items), /failed after 3 attempts: .*ECONNREFUSED/);
  assert.equal(retries.length, 2);
  assert.equal(sink.stats.acceptedBatches, 0);
});

test('parseRetryAfter: seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(parseRetryAfter('soon'), undefined);
});
