// scripts/ci/argocd.ts against a fake Argo CD API on loopback: wait, sync, refusals, failures.
import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { ArgoCd, summarize, verdict, waitFor } from '../../scripts/ci/argocd.ts';

const REV = 'a'.repeat(40);

function app(sync: string, revision: string, health: string, phase = '', message = '') {
  return {
    status: {
      sync: { status: sync, revision },
      health: { status: health },
      ...(phase ? { operationState: { phase, message, syncResult: { revision } } } : {}),
    },
  };
}

async function fakeArgo(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

test('verdict: done only when synced to the revision and healthy', () => {
  assert.equal(verdict(summarize(app('Synced', REV, 'Healthy')), REV), 'done');
  assert.equal(verdict(summarize(app('Synced', 'b'.repeat(40), 'Healthy')), REV), 'waiting');
  assert.equal(verdict(summarize(app('Synced', REV, 'Progressing')), REV), 'waiting');
  assert.equal(verdict(summarize(app('OutOfSync', REV, 'Healthy')), REV), 'waiting');
  assert.match(
    verdict(summarize(app('OutOfSync', REV, 'Degraded', 'Failed', 'hook failed')), REV),
    /^failed: .*hook failed/,
  );
  assert.equal(verdict(summarize({}), REV), 'waiting');
});

test('wait: refreshes first, then polls until synced and healthy', async () => {
  let calls = 0;
  const argo = await fakeArgo((req, _body, res) => {
    calls++;
    json(res, 200, calls < 3 ? app('OutOfSync', 'old', 'Healthy') : app('Synced', REV, 'Healthy'));
  });
  try {
    const lines: string[] = [];
    await waitFor(new ArgoCd(argo.url, 'tok'), 'gridops-dev', REV, 5000, 10, (l) => lines.push(l));
    assert.match(
      argo.requests[0] ?? '',
      /^GET \/api\/v1\/applications\/gridops-dev\?refresh=normal Bearer tok$/,
    );
    assert.match(argo.requests[1] ?? '', /^GET \/api\/v1\/applications\/gridops-dev Bearer tok$/);
    assert.equal(lines.length, 2);
  } finally {
    await argo.close();
  }
});

test('wait: times out, and fails at once on a failed sync of the revision', async () => {
  const stuck = await fakeArgo((_req, _body, res) => json(res, 200, app('OutOfSync', 'old', 'Healthy')));
  try {
    await assert.rejects(
      waitFor(new ArgoCd(stuck.url, 't'), 'gridops-dev', REV, 100, 10, () => {}),
      /not synced/,
    );
  } finally {
    await stuck.close();
  }
  const failed = await fakeArgo((_req, _body, res) =>
    json(res, 200, app('OutOfSync', REV, 'Degraded', 'Failed', 'boom')),
  );
  try {
    await assert.rejects(
      waitFor(new ArgoCd(failed.url, 't'), 'gridops-prod', REV, 5000, 10, () => {}),
      /boom/,
    );
  } finally {
    await failed.close();
  }
});

test('sync: posts the revision with prune; a sync window refusal surfaces its message', async () => {
  let posted = '';
  const open = await fakeArgo((req, body, res) => {
    if (req.method === 'POST') posted = body;
    json(res, 200, {});
  });
  try {
    await new ArgoCd(open.url, 't').sync('gridops-prod', REV);
    assert.deepEqual(JSON.parse(posted), { revision: REV, prune: true, strategy: { hook: {} } });
  } finally {
    await open.close();
  }
  const closed = await fakeArgo((_req, _body, res) =>
    json(res, 403, { message: 'Cannot sync: Blocked by sync window' }),
  );
  try {
    await assert.rejects(
      new ArgoCd(closed.url, 't').sync('gridops-prod', REV),
      /403 Cannot sync: Blocked by sync window/,
    );
  } finally {
    await closed.close();
  }
});
