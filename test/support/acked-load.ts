// A client load that remembers exactly what was acknowledged: batches of consecutive 15-minute
// slots for every meter, each retried (on 503 or a dead server) until a 202, spread over the
// ingest URLs it is given. Loss tests then compare the store with `acked`.
import assert from 'node:assert/strict';

// Far enough back that a fast client never reaches the server's 24 h future limit.
export const LOAD_T0 = Date.UTC(2020, 0, 1);
export const OBIS_IMPORT = '1-0:1.8.0';

export interface AckedLoad {
  /** `${meterId}|${intervalStart in ms}` -> acknowledged value. */
  acked: Map<string, number>;
  /** Responses other than 202 seen so far, by status ('error' for a refused connection). */
  refusals: Map<string, number>;
  stop(): Promise<void>;
}

export function valueOf(m: number, slot: number): number {
  return Math.round((0.1 + ((m * 7919 + slot * 104729) % 100) / 100) * 1000) / 1000;
}

export function startAckedLoad(opts: {
  meters: string[];
  key: string;
  /** Ingest base URLs currently up; called per attempt, so a restarted server is picked up. */
  urls: () => string[];
  clients?: number;
  slotsPerBatch?: number;
  /** Pause between acknowledged batches per client, ms (0: as fast as possible). */
  pauseMs?: number;
}): AckedLoad {
  const slots = opts.slotsPerBatch ?? 5;
  const acked = new Map<string, number>();
  const refusals = new Map<string, number>();
  const refuse = (why: string) => refusals.set(why, (refusals.get(why) ?? 0) + 1);
  let nextSlot = 0;
  let running = true;
  let turn = 0;
  const client = async () => {
    while (running) {
      const first = nextSlot;
      nextSlot += slots;
      const items = [];
      for (let s = first; s < first + slots; s++) {
        for (let m = 0; m < opts.meters.length; m++) {
          items.push({
            meter_id: opts.meters[m]!,
            obis: OBIS_IMPORT,
            interval_start: new Date(LOAD_T0 + s * 900_000).toISOString(),
            interval_s: 900,
            value: valueOf(m, s),
            unit: 'kWh',
          });
        }
      }
      const body = JSON.stringify(items);
      // Once stopped, a batch not yet acknowledged is abandoned (it was never promised).
      while (running) {
        const urls = opts.urls();
        const url = urls[turn++ % Math.max(1, urls.length)];
        try {
          if (!url) throw new Error('no ingest up');
          const res = await fetch(`${url}/v1/readings`, {
            method: 'POST',
            body,
            headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' },
          });
          if (res.status === 202) {
            for (const it of items) acked.set(`${it.meter_id}|${Date.parse(it.interval_start)}`, it.value);
            break;
          }
          const text = await res.text();
          assert.ok(res.status === 503, `only 503 may refuse a valid batch, got ${res.status}: ${text}`);
          assert.ok(res.headers.get('retry-after'), '503 carries Retry-After');
          refuse('503');
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          refuse('error');
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  };
  const clients = Array.from({ length: opts.clients ?? 2 }, client);
  return {
    acked,
    refusals,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}
