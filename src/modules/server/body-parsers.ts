// Request body handling for the ingest API: gzip decoding with the size limit applied to the
// decompressed bytes (a 1 MB gzip bomb cannot inflate past bodyLimit), JSON and NDJSON parsing
// with errors that say where the text broke.
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { gridError } from '../../app/errors.ts';

export function registerBodyParsers(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip')
      throw gridError('SG_ERR_BODY_INVALID', [`unsupported content-encoding "${encoding}"; use gzip`]);
    const gunzip = createGunzip();
    let received = 0;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      (gunzip as unknown as { receivedEncodedLength: number }).receivedEncodedLength = received;
    });
    payload.on('error', (err) => gunzip.destroy(err));
    gunzip.on('error', () => undefined);
    return payload.pipe(gunzip);
  });

  // Only JSON and NDJSON: anything else (text/plain included) is 415, not a confusing 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch (err) {
      done(gridError('SG_ERR_BODY_INVALID', [`malformed JSON: ${(err as Error).message}`]), undefined);
    }
  });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, (_req, body, done) => {
    const lines = (body as Buffer).toString('utf8').split('\n');
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        items.push(JSON.parse(line));
      } catch (err) {
        done(
          gridError('SG_ERR_BODY_INVALID', [`malformed NDJSON at line ${i + 1}: ${(err as Error).message}`]),
          undefined,
        );
        return;
      }
    }
    done(null, items);
  });
}
