// A broker restart must not leave a consumer outside its group without knowing it. While the
// broker is down, heartbeats fail for a reason other than the group (metadata unreachable); a
// member that stopped heartbeating then (as @platformatic/kafka 1.x did) is expelled by the
// broker and goes on fetching the partitions it had. A member with nothing to commit never
// finds out, so a peer joining (or taking over a dead one) gets every partition while the old
// member still works on its own: two owners. This test restarts the real broker to show the
// member stays in its group (the client retries its heartbeats; KafkaBusConsumer rejoins when
// the client's own rejoin fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, service } from '../support/engines.ts';
import { waitFor } from '../../src/adapters/bus/bus-contract.ts';
import { KafkaBusConsumer } from '../../src/adapters/bus/kafka-consumer.ts';
import { dlqTopic } from '../../src/adapters/bus/kafka-options.ts';
import { deleteTopics, testOptions } from '../../src/adapters/bus/kafka-test-env.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls like a processor with nothing to do: no commits; errors (broker down) retried. */
function idle(c: KafkaBusConsumer) {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      await c.poll(100).catch(() => sleep(200));
      await sleep(50);
    }
  })();
  return async () => {
    stopped = true;
    await done;
  };
}

test(
  'after a broker restart an idle member is still in its group: a member joining later gets half the partitions',
  { timeout: 180_000 },
  async (t) => {
    if (!engines(t, ['kafkaBrokers'])) return;
    const opts = testOptions();
    const c1 = new KafkaBusConsumer(opts);
    let c2: KafkaBusConsumer | undefined;
    const stop1 = idle(c1);
    let stop2: (() => Promise<void>) | undefined;
    try {
      await waitFor(async () => c1.assignment().length === 4, 30_000);
      service('down', 'kafka');
      // Long enough for a heartbeat to fail on metadata (the library retries 3 times).
      await sleep(8000);
      service('up', 'kafka');
      // Past the session timeout (6 s): a member that stopped heartbeating is expelled by now.
      await sleep(10_000);
      c2 = new KafkaBusConsumer(opts);
      stop2 = idle(c2);
      const a = c1;
      const b = c2;
      await waitFor(async () => {
        const p1 = a.assignment();
        const p2 = b.assignment();
        return (
          p1.length > 0 && p2.length > 0 && new Set([...p1, ...p2]).size === 4 && p1.length + p2.length === 4
        );
      }, 45_000).catch(() => {
        assert.fail(
          `the partitions were not split between the two members: c1 owns [${a.assignment()}], c2 owns [${b.assignment()}]`,
        );
      });
    } finally {
      await stop2?.();
      await stop1();
      await Promise.allSettled([c1.close(), c2?.close()]);
      await deleteTopics([opts.topic, dlqTopic(opts.topic)]).catch(() => {});
    }
  },
);
