import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from './metrics.ts';
import { createLogger } from './logger.ts';
import { certFileList, refreshHostGauges } from './host-gauges.ts';

test('exports the data directory filesystem and certificate expiry; a bad certificate has no series', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-host-'));
  const cert = join(dir, 'tls.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      cert,
      '-days',
      '10',
      '-subj',
      '/CN=gridops-test',
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'broken.crt'), 'not a certificate');
  const metrics = createMetrics({ defaultMetrics: false });
  await refreshHostGauges(
    dir,
    certFileList(` ${cert}, ${join(dir, 'broken.crt')} ,`),
    metrics,
    createLogger('silent'),
  );
  const text = await metrics.registry.metrics();
  const size = Number(/^smartgrid_store_disk_size_bytes (\S+)/m.exec(text)?.[1]);
  const avail = Number(/^smartgrid_store_disk_available_bytes (\S+)/m.exec(text)?.[1]);
  assert.ok(size > 0 && avail >= 0 && avail <= size, `${avail} of ${size}`);
  const expiry = Number(
    new RegExp(`smartgrid_tls_certificate_expiry_timestamp_seconds\\{path="${cert}"\\} (\\S+)`).exec(
      text,
    )?.[1],
  );
  const days = (expiry - Date.now() / 1000) / 86400;
  assert.ok(days > 9.9 && days <= 10.01, `expires in ${days} days`);
  assert.doesNotMatch(text, /broken\.crt/);
  rmSync(dir, { recursive: true, force: true });
});
