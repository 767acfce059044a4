// What the ingest benchmarks send and how: interval-major batches of meter readings (as a
// head-end system delivers them), posted by concurrent clients that retry 503s.

export interface Row {
  meter_id: string;
  obis: string;
  interval_start: string;
  interval_s: number;
  value: number;
  unit: string;
}

export function makeRows(meterIds: string[], intervals: number, t0: number): Row[][] {
  const perInterval: Row[][] = [];
  for (let i = 0; i < intervals; i++) {
    const start = new Date(t0 + i * 900_000).toISOString();
    perInterval.push(
      meterIds.map((m, k) => ({
        meter_id: m,
        obis: '1-0:1.8.0',
        interval_start: start,
        interval_s: 900,
        value: ((k * 31 + i * 17) % 200) / 100 + 0.05,
        unit: 'kWh',
      })),
    );
  }
  return perInterval;
}

/** Posts every body (round-robin over `urls`), retrying 503s; resolves when all were acked. */
export async function postAll(opts: {
  bodies: string[];
  batchSize: number;
  urls: string[];
  key: string;
  concurrency: number;
  log: (line: string) => void;
}): Promise<{ ackSeconds: number; retries: number }> {
  const started = performance.now();
  let next = 0;
  let sent = 0;
  let retries = 0;
  const client = async (c: number) => {
    const url = opts.urls[c % opts.urls.length]!;
    while (next < opts.bodies.length) {
      const body = opts.bodies[next++]!;
      for (;;) {
        const res = await fetch(`${url}/v1/readings`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' },
        });
        const text = await res.text();
        if (res.status === 202) break;
        if (res.status !== 503) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 300)}`);
        retries++;
        await new Promise((r) => setTimeout(r, 100));
      }
      sent += opts.batchSize;
      if (sent % (opts.batchSize * 40) === 0)
        opts.log(`acked ${sent} readings, ${(sent / ((performance.now() - started) / 1000)).toFixed(0)}/s`);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, c) => client(c)));
  return { ackSeconds: (performance.now() - started) / 1000, retries };
}
