import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuFields, pidsMatching, startCpuAccount, statSeconds, threadGroup } from './cpu-account.ts';

test('a /proc stat line: the command may hold spaces and parentheses; utime + stime (+ children) in seconds', () => {
  const fields = ['S', ...Array(10).fill('0'), '250', '50', '100', '100', '0'];
  const line = `123 (postgres: a (b) c) ${fields.join(' ')}`;
  const { comm, seconds } = statSeconds(line);
  assert.equal(comm, 'postgres: a (b) c');
  assert.equal(seconds, 3); // 300 ticks at the usual 100 per second
  assert.equal(statSeconds(line, true).seconds, 5, 'with the reaped children');
});

test('Node.js thread names are grouped', () => {
  assert.equal(threadGroup('MainThread'), 'main');
  assert.equal(threadGroup('WorkerThread'), 'workers');
  assert.equal(threadGroup('V8Worker'), 'v8-helpers');
  assert.equal(threadGroup('libuv-worker'), 'libuv');
});

test(
  'CPU burnt inside the window is charged to the component, per reading',
  { skip: process.platform !== 'linux' },
  () => {
    const cpu = startCpuAccount([{ name: 'self', pids: () => [process.pid], byThread: true }]);
    // Burns 300 ms of this thread's own CPU, however loaded the machine is.
    const cpuMs = () => {
      const u = process.threadCpuUsage();
      return (u.user + u.system) / 1000;
    };
    const until = cpuMs() + 300;
    let x = 0;
    while (cpuMs() < until) x += Math.sqrt(x + 1);
    const report = cpu.stop(1000);
    const main = report.perReadingUs.find(([name]) => name === 'self/main');
    assert.ok(main, JSON.stringify(report));
    // 300 ms over 1,000 readings is 300 us each, give or take /proc's 10 ms ticks.
    assert.ok(main[1] >= 270 && main[1] < 400, `self/main ${main[1]} us`);
    assert.ok(report.busy > 0 && report.busy <= 1.01, `busy ${report.busy}`);
    assert.equal(cpuFields(report).cpu_self_main_us, main[1]);
    assert.ok(x > 0);
  },
);

test('processes are found by command line', { skip: process.platform !== 'linux' }, () => {
  assert.ok(pidsMatching(/cpu-account\.test/).includes(process.pid));
});
