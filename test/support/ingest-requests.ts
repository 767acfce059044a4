// Posting to /v1/readings in the bad-input suites: every status is recorded (the suites end by
// asserting that none was a 5xx) and error bodies are checked the same way everywhere.
import assert from 'node:assert/strict';
import { AUTH, type TestApp } from './test-app.ts';

/** Status of every POST /v1/readings made through postReadings in this process. */
export const statuses: number[] = [];

/** `payload` as given: objects and arrays are sent as JSON, strings and Buffers as they are. */
export async function postReadings(app: TestApp, payload: unknown, headers: Record<string, string> = {}) {
  const res = await app.http.inject({
    method: 'POST',
    url: '/v1/readings',
    headers: { ...AUTH, ...headers },
    payload: payload as string,
  });
  statuses.push(res.statusCode);
  return res;
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: { field?: string; message: string }[];
}

/** Asserts the status and code, and that the message matches `message` when given. */
export function expectError(
  res: { statusCode: number; body: string; json(): unknown },
  status: number,
  code: string,
  message?: RegExp,
): ErrorBody {
  assert.equal(res.statusCode, status, res.body);
  const err = (res.json() as { error: ErrorBody }).error;
  assert.equal(err.code, code, res.body);
  if (message) assert.match(err.message, message);
  return err;
}

/**
 * One million valid items (the topology's meters x consecutive quarter hours ending at `end`)
 * as one JSON array or NDJSON text of ~120 MB, built in slices so that the million small
 * strings never exist at once.
 */
export function millionItemsText(app: TestApp, end: number, format: 'json' | 'ndjson'): string {
  const meters = app.topology.meters.map((m) => m.id);
  const slices: string[] = [];
  const slice = new Array<string>(10_000);
  for (let base = 0; base < 1_000_000; base += slice.length) {
    for (let j = 0; j < slice.length; j++) {
      const i = base + j;
      const start = new Date(end - Math.floor(i / meters.length) * 900_000).toISOString();
      slice[j] =
        `{"meter_id":"${meters[i % meters.length]}","obis":"1-0:1.8.0","interval_start":"${start}",` +
        `"interval_s":900,"value":${(i % 97) / 100},"unit":"kWh"}`;
    }
    slices.push(slice.join(format === 'json' ? ',' : '\n'));
  }
  return format === 'json' ? `[${slices.join(',')}]` : slices.join('\n');
}
