import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModuleManager, resolveOrder, type Module } from './module-manager.ts';

const DEPS = {
  server: [],
  bus: [],
  store: [],
  ingest: ['server', 'bus'],
  processor: ['bus', 'store'],
  all: ['ingest', 'processor'],
};

test('resolveOrder puts every module after its dependencies', () => {
  const order = resolveOrder(DEPS, ['all']);
  for (const [name, deps] of Object.entries(DEPS)) {
    for (const d of deps) assert.ok(order.indexOf(d) < order.indexOf(name), `${d} before ${name}`);
  }
  assert.deepEqual(resolveOrder(DEPS, ['processor']), ['bus', 'store', 'processor']);
});

test('resolveOrder rejects unknown targets and cycles', () => {
  assert.throws(() => resolveOrder(DEPS, ['nope']), /SG_ERR_UNKNOWN_TARGET|unknown target "nope"/);
  assert.throws(() => resolveOrder({ a: ['b'], b: ['a'] }, ['a']), /cycle: a -> b -> a/);
});

function recorder(log: string[], name: string, failOn?: string): Module {
  return {
    init: () => void log.push(`init ${name}`),
    start: () => {
      if (failOn === 'start') throw new Error('boom');
      log.push(`start ${name}`);
    },
    stop: () => void log.push(`stop ${name}`),
  };
}

test('starts in order, stops in reverse, readiness follows states', async () => {
  const log: string[] = [];
  const order = resolveOrder(DEPS, ['ingest']);
  const mm = new ModuleManager(order, new Map(order.map((n) => [n, recorder(log, n)])));
  assert.equal(mm.isReady(), false);
  await mm.start();
  assert.equal(mm.isReady(), true);
  await mm.stop();
  assert.deepEqual(log, [
    'init server',
    'init bus',
    'init ingest',
    'start server',
    'start bus',
    'start ingest',
    'stop ingest',
    'stop bus',
    'stop server',
  ]);
  assert.equal(mm.isReady(), false);
});

test('a failing start stops what already started and names the module', async () => {
  const log: string[] = [];
  const order = ['bus', 'store'];
  const mods = new Map([
    ['bus', recorder(log, 'bus')],
    ['store', recorder(log, 'store', 'start')],
  ]);
  const mm = new ModuleManager(order, mods);
  await assert.rejects(mm.start(), /module store failed to start: boom/);
  assert.ok(log.includes('stop bus'));
});

test('a module may report itself not ready while running', async () => {
  let ok = false;
  const mm = new ModuleManager(['x'], new Map([['x', { ready: () => ({ ok, detail: 'catching up' }) }]]));
  await mm.start();
  assert.equal(mm.isReady(), false);
  assert.equal(mm.status()[0]?.detail, 'catching up');
  ok = true;
  assert.equal(mm.isReady(), true);
});
