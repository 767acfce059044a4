// Body and batch size limits of the ingest API (part of the bad-input acceptance, split out
// because each limit needs its own app): oversize bodies, a gzip bomb judged by its
// decompressed size, and a 1,000,000-item batch -> 413, nothing stored, no 5xx.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { meterItem, startTestApp, type TestApp } from './support/test-app.ts';
import { readCounters, Sentinel } from './support/ingest-counters.ts';
import { expectError, millionItemsText, postReadings, statuses } from './support/ingest-requests.ts';

const Q = Date.UTC(2026, 10, 26);
const SMALL = 65_536;

/** Valid items of one meter on consecutive quarter hours from `start`, as one JSON text each. */
function itemTexts(meterId: string, start: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify(meterItem(meterId, start + i * 900_000, 0.1 + (i % 9) / 100)),
  );
}

/** Starts an app per describe block, with its sentinel; `ctx.app` is set once `before` ran. */
function withApp(overrides: Parameters<typeof startTestApp>[0]) {
  const ctx = {} as { app: TestApp; sentinel: Sentinel };
  before(async () => {
    ctx.app = await startTestApp(overrides);
    ctx.sentinel = new Sentinel(ctx.app, ctx.app.topology.meters[0]!.id, Date.UTC(2026, 10, 20));
  });
  after(async () => {
    // Still alive after the abuse, before it is shut down.
    assert.equal((await ctx.app.http.inject({ url: '/livez' })).statusCode, 200);
    await ctx.app.close();
  });
  return ctx;
}

describe(`GRIDOPS_MAX_BODY_BYTES=${SMALL}`, () => {
  const ctx = withApp({ maxBodyBytes: SMALL });
  const postJson = (body: string | Buffer, headers: Record<string, string> = {}) =>
    postReadings(ctx.app, body, { 'content-type': 'application/json', ...headers });

  test('a body just under the limit is accepted and stored, exactly', async () => {
    const before = await readCounters(ctx.app);
    const texts = itemTexts(ctx.app.topology.meters[1]!.id, Q - 10 * 86_400_000, 1000);
    let n = 0;
    while (`[${texts.slice(0, n + 1).join(',')}]`.length <= SMALL) n++;
    const body = `[${texts.slice(0, n).join(',')}]`;
    assert.ok(body.length <= SMALL && body.length > SMALL - 200, `${body.length} bytes`);
    const res = await postJson(body);
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().accepted, n);
    await ctx.sentinel.expectOnly(before, { meterReadings: n, ingestMeter: n, busPublished: n });
  });

  test('413 SG_ERR_BODY_TOO_LARGE: JSON and NDJSON bodies over the limit', async () => {
    const before = await readCounters(ctx.app);
    const texts = itemTexts(ctx.app.topology.meters[0]!.id, Q, 1000);
    const json = `[${texts.join(',')}]`;
    assert.ok(json.length > SMALL);
    expectError(await postJson(json), 413, 'SG_ERR_BODY_TOO_LARGE', /exceeds 65536 bytes/);
    const ndjson = texts.join('\n');
    const res = await postReadings(ctx.app, ndjson, { 'content-type': 'application/x-ndjson' });
    expectError(res, 413, 'SG_ERR_BODY_TOO_LARGE', /exceeds 65536 bytes/);
    await ctx.sentinel.expectOnly(before);
  });

  test('413: the limit applies to the decompressed bytes (gzip bomb, gzip of real items)', async () => {
    const before = await readCounters(ctx.app);
    // 20 MB of JSON whitespace compresses to ~20 KB: small on the wire, a bomb once inflated.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('['), Buffer.alloc(20_000_000, 0x20), Buffer.from(']')]),
    );
    assert.ok(bomb.length < SMALL, `${bomb.length} compressed bytes`);
    expectError(await postJson(bomb, { 'content-encoding': 'gzip' }), 413, 'SG_ERR_BODY_TOO_LARGE');
    const text = `[${itemTexts(ctx.app.topology.meters[0]!.id, Q, 600).join(',')}]`;
    const items = gzipSync(text);
    assert.ok(items.length < SMALL && text.length > SMALL, `${items.length} -> ${text.length} bytes`);
    expectError(await postJson(items, { 'content-encoding': 'gzip' }), 413, 'SG_ERR_BODY_TOO_LARGE');
    await ctx.sentinel.expectOnly(before);
  });
});

describe('a 1,000,000-item batch', () => {
  test('413 SG_ERR_BODY_TOO_LARGE under the default 64 MiB body limit', async () => {
    const app = await startTestApp();
    try {
      const sentinel = new Sentinel(app, app.topology.meters[0]!.id, Date.UTC(2026, 10, 20));
      const before = await readCounters(app);
      const text = millionItemsText(app, Q, 'json');
      assert.equal(app.config.maxBodyBytes, 64 * 1024 * 1024);
      assert.ok(text.length > app.config.maxBodyBytes, `${text.length} bytes`);
      const res = await postReadings(app, text, { 'content-type': 'application/json' });
      expectError(res, 413, 'SG_ERR_BODY_TOO_LARGE', /exceeds 67108864 bytes/);
      await sentinel.expectOnly(before);
      assert.equal((await app.http.inject({ url: '/livez' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  test('413 SG_ERR_BATCH_TOO_LARGE once the body limit lets it through (NDJSON)', async () => {
    const app = await startTestApp({ maxBodyBytes: 256 * 1024 * 1024, maxBatchItems: 100_000 });
    try {
      const sentinel = new Sentinel(app, app.topology.meters[0]!.id, Date.UTC(2026, 10, 20));
      const before = await readCounters(app);
      const res = await postReadings(app, millionItemsText(app, Q, 'ndjson'), {
        'content-type': 'application/x-ndjson',
      });
      expectError(res, 413, 'SG_ERR_BATCH_TOO_LARGE', /^batch has 1000000 items; the limit is 100000$/);
      await sentinel.expectOnly(before);
      assert.equal((await app.http.inject({ url: '/livez' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

test('no request of this suite was answered with a 5xx', async () => {
  assert.equal(statuses.length, 7, 'every request of the suite was recorded');
  assert.deepEqual(
    statuses.filter((s) => s >= 500),
    [],
  );
});
