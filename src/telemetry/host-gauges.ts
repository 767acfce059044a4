// Gauges about the machine a process runs on, refreshed by every target: the data directory's
// filesystem (the store's disk-filling alert) and the expiry of configured certificate files.
import { statfs, readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import type { Metrics } from './metrics.ts';
import type { Logger } from './logger.ts';

export async function refreshHostGauges(
  dataDir: string,
  certFiles: string[],
  metrics: Metrics,
  logger: Logger,
): Promise<void> {
  try {
    const fs = await statfs(dataDir);
    metrics.storeDiskAvailable.set(fs.bavail * fs.bsize);
    metrics.storeDiskSize.set(fs.blocks * fs.bsize);
  } catch (err) {
    logger.warn({ err, dataDir }, 'cannot read the data directory filesystem');
  }
  for (const path of certFiles) {
    try {
      const cert = new X509Certificate(await readFile(path));
      metrics.tlsCertificateExpiry.set({ path }, Date.parse(cert.validTo) / 1000);
    } catch (err) {
      // An unreadable certificate must not look healthy: drop its series, say so in the log.
      metrics.tlsCertificateExpiry.remove({ path });
      logger.error({ err, path }, 'cannot read certificate file for its expiry');
    }
  }
}

export function certFileList(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
