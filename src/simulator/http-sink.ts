// POSTs batches to the ingest API. Batches are idempotent by design (stable event_ids), so a
// batch whose fate is unknown (timeout, connection reset, 503) is simply sent again, same bytes.
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Sink } from './run-simulation.ts';
import type { WireItem } from './wire.ts';

const gzip = promisify(gzipCb);

export interface HttpSinkOptions {
  /** Base URL of the ingest API, e.g. http://127.0.0.1:8080. */
  url: string;
  apiKey: string;
  gzip?: boolean;
  /** Per attempt; default 10 000. */
  timeoutMs?: number;
  /** Attempts after the first before giving up; default 5. */
  maxRetries?: number;
  /** First network-error backoff, doubled per attempt (with jitter); default 200. */
  backoffMs?: number;
  /** Longest Retry-After the sink honours, ms; default 60 000. */
  maxRetryAfterMs?: number;
  /** Called once per batch the server acknowledged with 2xx. */
  onAck?: (items: WireItem[]) => void;
  /** Called before each retry wait, e.g. to log it. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Stops waits and requests (the sink then rejects). */
  signal?: AbortSignal;
}

export interface HttpSinkStats {
  acceptedBatches: number;
  acceptedItems: number;
  /** Accepted batches that needed at least one retry. */
  retriedBatches: number;
  /** Retry attempts in total. */
  retries: number;
}

export type HttpSink = Sink & { readonly stats: HttpSinkStats };

export class HttpSinkError extends Error {
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly attempts: number;

  constructor(
    message: string,
    details: { status?: number; body?: string; attempts: number; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.name = 'HttpSinkError';
    this.status = details.status;
    this.body = details.body;
    this.attempts = details.attempts;
  }
}

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : String(e?.message ?? err);
}

export function createHttpSink(opts: HttpSinkOptions): HttpSink {
  const endpoint = `${opts.url.replace(/\/+$/, '')}/v1/readings`;
  const maxRetries = opts.maxRetries ?? 5;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const backoffMs = opts.backoffMs ?? 200;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
  const stats: HttpSinkStats = { acceptedBatches: 0, acceptedItems: 0, retriedBatches: 0, retries: 0 };
  const headers: Record<string, string> = {
    authorization: `Bearer ${opts.apiKey}`,
    'content-type': 'application/json',
  };
  if (opts.gzip) headers['content-encoding'] = 'gzip';

  const sink = async (items: WireItem[]): Promise<void> => {
    const json = JSON.stringify(items);
    const body: string | Uint8Array = opts.gzip ? new Uint8Array(await gzip(json)) : json;
    for (let attempt = 1; ; attempt++) {
      const signals = [AbortSignal.timeout(timeoutMs)];
      if (opts.signal) signals.push(opts.signal);
      let delayMs: number;
      let reason: string;
      let status: number | undefined;
      let text: string | undefined;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any(signals),
        });
        status = res.status;
        text = await res.text();
        if (res.ok) {
          stats.acceptedBatches++;
          stats.acceptedItems += items.length;
          if (attempt > 1) stats.retriedBatches++;
          opts.onAck?.(items);
          return;
        }
        if (res.status !== 429 && res.status < 500) {
          const hint = res.status === 413 ? ' (try a smaller --batch-size)' : '';
          throw new HttpSinkError(`POST ${endpoint} rejected with ${res.status}${hint}: ${text}`, {
            status,
            body: text,
            attempts: attempt,
          });
        }
        const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        delayMs =
          retryAfter !== undefined ? Math.min(retryAfter, maxRetryAfterMs) : backoff(backoffMs, attempt);
        reason = `HTTP ${res.status}`;
      } catch (err) {
        if (err instanceof HttpSinkError || opts.signal?.aborted) throw err;
        if (attempt > maxRetries) {
          throw new HttpSinkError(`POST ${endpoint} failed after ${attempt} attempts: ${describe(err)}`, {
            attempts: attempt,
            cause: err,
          });
        }
        delayMs = backoff(backoffMs, attempt);
        reason = describe(err);
      }
      if (attempt > maxRetries) {
        throw new HttpSinkError(
          `POST ${endpoint} failed after ${attempt} attempts: last ${reason}: ${text}`,
          {
            status,
            body: text,
            attempts: attempt,
          },
        );
      }
      stats.retries++;
      opts.onRetry?.({ attempt, delayMs, reason });
      await sleepMs(delayMs, undefined, { signal: opts.signal });
    }
  };
  return Object.assign(sink, { stats });
}

/** Exponential backoff capped at 10 s, with jitter so many clients do not retry in lockstep. */
function backoff(baseMs: number, attempt: number): number {
  const ceiling = Math.min(10_000, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
