// readyMetadata's waiting, with a stand-in for the admin client's metadata(): a topic created a
// moment ago is unknown to the broker, then leaderless, then ready (seen on a loaded CI broker).
// The real broker's side is covered by every Kafka test, which creates its topics at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin } from '@platformatic/kafka';
import { readyMetadata } from './kafka-admin.ts';

function admin(answers: (() => unknown)[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  const fake = {
    async metadata() {
      const answer = answers[Math.min(calls++, answers.length - 1)]!;
      return answer();
    },
  };
  return { admin: fake as unknown as Admin, calls: () => calls };
}

const topic = (leaders: number[]) => ({ partitions: leaders.map((leader) => ({ leader })) });
const unknown = () => {
  throw new Error('Unknown topic t.');
};

test('waits through an unknown topic and a leaderless partition, then answers', async () => {
  const ready = { topics: new Map([['t', topic([1, 1])]]) };
  const a = admin([unknown, () => ({ topics: new Map([['t', topic([1, -1])]]) }), () => ready]);
  assert.equal(await readyMetadata(a.admin, ['t'], 5000), ready);
  assert.equal(a.calls(), 3);
});

test('fails with what it last met once the wait is over', async () => {
  const a = admin([unknown]);
  const started = Date.now();
  await assert.rejects(readyMetadata(a.admin, ['t'], 300), /Unknown topic t/);
  assert.ok(Date.now() - started >= 300);
  const b = admin([() => ({ topics: new Map() })]);
  await assert.rejects(readyMetadata(b.admin, ['t'], 0), /no leader yet for t/);
});

test('an unreachable broker fails at once, without waiting', async () => {
  const a = admin([
    () => {
      throw new Error('Connection to 127.0.0.1:1 failed.');
    },
  ]);
  await assert.rejects(readyMetadata(a.admin, ['t'], 60_000), /Connection to/);
  assert.equal(a.calls(), 1);
});
