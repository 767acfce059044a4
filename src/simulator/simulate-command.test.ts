import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadTopology } from '../domain/topology.ts';
import type { CommandContext } from '../cli/command.ts';
import { generateFleet } from './fleet.ts';
import { simulateCommand } from './simulate-command.ts';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

function ctx(values: CommandContext['values'], env: NodeJS.ProcessEnv = {}) {
  const stdout = capture();
  const stderr = capture();
  return {
    ctx: { values, positionals: [], stdout: stdout.stream, stderr: stderr.stream, env },
    stdout,
    stderr,
  };
}

test('--dry-run prints NDJSON, writes the topology and the fault journal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-sim-'));
  try {
    const topologyOut = join(dir, 'sub', 'topology.json');
    const journalOut = join(dir, 'faults.ndjson');
    const {
      ctx: c,
      stdout,
      stderr,
    } = ctx({
      meters: '40',
      seed: '7',
      'backfill-hours': '2',
      faults: 'gaps,duplicates',
      'dry-run': true,
      'topology-out': topologyOut,
      'journal-out': journalOut,
    });
    assert.equal(await simulateCommand.run(c), 0);
    const lines = stdout
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const meterLines = lines.filter((l) => 'meter_id' in l);
    assert.ok(meterLines.length > 0 && lines.length > meterLines.length);
    const topo = loadTopology(topologyOut);
    assert.deepEqual(JSON.parse(readFileSync(topologyOut, 'utf8')), generateFleet({ meters: 40, seed: 7 }));
    assert.ok(meterLines.every((l) => topo.meterById.has(l.meter_id as string)));
    assert.match(stderr.text(), /simulate: backfill sent \d+\/\d+ items/);
    assert.match(stderr.text(), /simulate: done \(duration\)/);
    const journal = readFileSync(journalOut, 'utf8').trim();
    if (journal)
      assert.ok(journal.split('\n').every((l) => ['gaps', 'duplicates'].includes(JSON.parse(l).kind)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad flag values are usage errors naming the flag', async () => {
  const cases: Array<[CommandContext['values'], RegExp]> = [
    [{ meters: 'abc', 'dry-run': true }, /--meters must be an integer/],
    [{ meters: '0', 'dry-run': true }, /--meters/],
    [{ faults: 'gaps,lightning', 'dry-run': true }, /--faults: unknown fault "lightning"/],
    [{ speed: '0', 'dry-run': true }, /--speed must be a number > 0/],
    [{ 'batch-size': '1.5', 'dry-run': true }, /--batch-size/],
    [{ duration: '-1', 'dry-run': true }, /--duration/],
    [{ url: 'ftp://x', 'api-key': 'k' }, /--url must be an http\(s\) URL/],
    [{}, /--api-key \(or env GRIDOPS_API_KEY\) is required/],
  ];
  for (const [values, message] of cases) {
    await assert.rejects(simulateCommand.run(ctx(values).ctx), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SG_ERR_CLI_USAGE');
      assert.match(err.message, message);
      return true;
    });
  }
});

test('sends to the server; a rejection ends the command with exit code 1 and the body', async () => {
  const received: unknown[] = [];
  let reject = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (ch: Buffer) => chunks.push(ch));
    req.on('end', () => {
      if (reject) return void res.writeHead(401).end('{"code":"SG_ERR_UNAUTHORIZED"}');
      received.push(...(JSON.parse(Buffer.concat(chunks).toString()) as unknown[]));
      res.writeHead(202).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const values = { url, meters: '20', 'backfill-hours': '1', duration: '0', 'batch-size': '30' };
    const ok = ctx(values, { GRIDOPS_API_KEY: 'k' });
    assert.equal(await simulateCommand.run(ok.ctx), 0);
    assert.equal(received.length, 4 * (20 + 5));
    assert.match(ok.stderr.text(), /done \(duration\): 100 items in 4 batches, 0 retried/);
    reject = true;
    const bad = ctx(values, { GRIDOPS_API_KEY: 'k' });
    assert.equal(await simulateCommand.run(bad.ctx), 1);
    assert.match(bad.stderr.text(), /rejected with 401: \{"code":"SG_ERR_UNAUTHORIZED"\}/);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
