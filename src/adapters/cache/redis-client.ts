// The node-redis client as the cache uses it, and the pieces it lacks for that use.
import { createClient } from 'redis';
import { waitWithin } from '../../app/wait-within.ts';

export interface ClientOptions {
  url: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  reconnectMaxMs: number;
}

export type RedisClient = ReturnType<typeof makeClient>;

/** Connects in the background and reconnects forever with capped, jittered backoff. */
export function makeClient(o: ClientOptions) {
  return createClient({
    url: o.url,
    // Commands fail at once while disconnected instead of queueing without bound.
    disableOfflineQueue: true,
    commandOptions: { timeout: o.commandTimeoutMs },
    socket: {
      connectTimeout: o.connectTimeoutMs,
      reconnectStrategy: (retries: number) => {
        const ceiling = Math.min(o.reconnectMaxMs, 50 * 2 ** Math.min(retries, 16));
        return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      },
    },
  });
}

/**
 * Fails a command that has no reply within ms. node-redis's own `timeout` only covers a command
 * still waiting to be written (redis/node-redis#3008), not a written one that a hung server never
 * answers; its late reply is still matched to it by the client, and then ignored here.
 */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  p.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis command timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * A generation bump after a reconnect: INCR, but at least to the clock in ms, because Redis may
 * have come back from an older snapshot with a smaller counter while processes remember newer
 * values. One key, declared: fine on a cluster.
 */
export const BUMP_PAST_CLOCK = `local g = redis.call('INCR', KEYS[1])
if g < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]); return tonumber(ARGV[1]) end
return g`;

/** Closes gracefully (pending writes land) for at most graceMs, then drops the socket. */
export async function shutClient(client: RedisClient, graceMs: number): Promise<void> {
  if (client.isReady) {
    await waitWithin(client.close(), graceMs);
  }
  client.destroy();
}
