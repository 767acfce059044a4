// Live test of the mixin: a gridops ingest+query process with the simulator and a separate
// processor target, scraped by a real Prometheus that loads monitoring/compiled/, alerting through
// a real Alertmanager with the committed routing. Killing the processor must deliver
// GridopsTargetDown to the remediator webhook within scrape + evaluation + for + group_wait, and
// restarting it must deliver the resolved notice within scrape + evaluation + group_interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseDuration } from '../../src/mixin/durations.ts';
import type { RuleFile, AlertRule } from '../../src/mixin/rule-types.ts';
import { startGridops, type GridopsProcess } from '../support/gridops-process.ts';
import {
  freePort,
  requireBinary,
  routeGroupWait,
  startDaemon,
  startWebhook,
  testAlertmanagerConfig,
  waitFor,
  writeFiles,
} from './live-stack.ts';

const AM_CONFIG = resolve('deploy/observability/alertmanager.yml');
const SCRAPE = '1s';
const EVALUATION = '1s';
const GROUP_INTERVAL = '5s';
/** Process scheduling and HTTP hops on a loaded 2-core machine. */
const SLACK_MS = 10_000;

function ruleFor(alert: string): AlertRule {
  const file = parse(readFileSync('monitoring/compiled/platform-alerts.yaml', 'utf8')) as RuleFile;
  const rule = file.groups.flatMap((g) => g.rules).find((r) => 'alert' in r && r.alert === alert);
  return rule as AlertRule;
}

const ms = (d: string) => parseDuration(d) ?? assert.fail(`bad duration ${d}`);

test(
  'killing the processor target pages GridopsTargetDown to the remediator, restarting resolves it',
  { timeout: 420_000 },
  async (t) => {
    const prometheusBin = requireBinary('prometheus', 'prometheus');
    const alertmanagerBin = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
    const dir = mkdtempSync(join(tmpdir(), 'mixin-live-'));
    const key = 'live-test-key-0123456789';
    const env = { GRIDOPS_DATA_DIR: join(dir, 'data'), GRIDOPS_API_KEYS: key, GRIDOPS_LOG_LEVEL: 'warn' };
    const cleanups: (() => void)[] = [];
    t.after(() => {
      for (const c of cleanups.reverse()) c();
      rmSync(dir, { recursive: true, force: true });
    });

    const hook = await startWebhook();
    cleanups.push(() => hook.server.close());
    const [ingestPort, processorPort, promPort, amPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);

    const ingest = await startGridops(
      ['run', '--target=ingest,query', '--simulate', `--port=${ingestPort}`],
      env,
    );
    cleanups.push(() => ingest.proc.kill('SIGKILL'));
    const startProcessor = () => startGridops(['run', '--target=processor', `--port=${processorPort}`], env);
    let processor: GridopsProcess = await startProcessor();
    cleanups.push(() => processor.proc.kill('SIGKILL'));

    const job = (name: string, port: number) => ({
      job_name: name,
      authorization: { type: 'Bearer', credentials_file: join(dir, 'key') },
      static_configs: [{ targets: [`127.0.0.1:${port}`] }],
    });
    writeFiles(dir, {
      key,
      'prometheus.yml': JSON.stringify({
        global: { scrape_interval: SCRAPE, evaluation_interval: EVALUATION },
        rule_files: [resolve('monitoring/compiled/*.yaml')],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [job('gridops-ingest', ingestPort), job('gridops-processor', processorPort)],
      }),
      'alertmanager.yml': testAlertmanagerConfig(AM_CONFIG, hook.port, GROUP_INTERVAL),
    });
    const am = startDaemon(alertmanagerBin, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    cleanups.push(() => am.child.kill('SIGKILL'));
    const prom = startDaemon(prometheusBin, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    cleanups.push(() => prom.child.kill('SIGKILL'));

    const query = async (q: string) => {
      const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
      return ((await r.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    };
    const begun = Date.now();
    let done = false;
    t.after(() => {
      if (!done)
        console.error(
          `prometheus:\n${prom.output().slice(-3000)}\nalertmanager:\n${am.output().slice(-3000)}`,
        );
    });
    await waitFor('both targets up and the rules loaded', 60_000, async () => {
      const up = await query('sum(up{job=~"gridops-.*"})');
      const rules = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/rules`)).text();
      return up[0]?.value[1] === '2' && rules.includes('GridopsTargetDown') ? true : undefined;
    });
    const upAt = Date.now();

    t.diagnostic(`targets up and rules loaded after ${upAt - begun} ms`);
    const rule = ruleFor('GridopsTargetDown');
    const fireBound =
      ms(SCRAPE) +
      ms(EVALUATION) +
      ms(rule.for ?? '0s') +
      ms(routeGroupWait(AM_CONFIG, 'remediator')) +
      SLACK_MS;
    const isTargetDown =
      (status: string) =>
      (n: { receiver: string; alerts: { status: string; labels: Record<string, string> }[] }) =>
        n.receiver === 'remediator' &&
        n.alerts.some(
          (a) =>
            a.status === status &&
            a.labels.alertname === 'GridopsTargetDown' &&
            a.labels.job === 'gridops-processor',
        );

    const killedAt = Date.now();
    processor.proc.kill('SIGKILL');
    await processor.exited;
    const fired = await waitFor('GridopsTargetDown firing at the remediator', fireBound + 30_000, async () =>
      hook.received.find(isTargetDown('firing')),
    );
    const fireDelay = fired.at - killedAt;
    t.diagnostic(
      `GridopsTargetDown reached the remediator ${fireDelay} ms after the kill (bound ${fireBound} ms)`,
    );
    assert.ok(fireDelay <= fireBound, `alert took ${fireDelay} ms, bound ${fireBound} ms`);
    const alert = fired.alerts.find((a) => a.labels.alertname === 'GridopsTargetDown');
    assert.equal(alert?.labels.severity, 'critical');
    // A critical alert also goes to the page receiver, after that route's own group_wait.
    const pageBound =
      fireBound - ms(routeGroupWait(AM_CONFIG, 'remediator')) + ms(routeGroupWait(AM_CONFIG, 'page'));
    const paged = await waitFor('GridopsTargetDown at the page receiver', pageBound + 30_000, async () =>
      hook.received.find(
        (n) => n.receiver === 'page' && n.alerts.some((a) => a.labels.alertname === 'GridopsTargetDown'),
      ),
    );
    assert.ok(paged.at - killedAt <= pageBound, `page took ${paged.at - killedAt} ms, bound ${pageBound} ms`);

    processor = await startProcessor();
    const restartedAt = Date.now();
    const resolveBound = ms(SCRAPE) + ms(EVALUATION) + ms(GROUP_INTERVAL) + SLACK_MS;
    const resolved = await waitFor(
      'GridopsTargetDown resolved at the remediator',
      resolveBound + 30_000,
      async () => hook.received.find(isTargetDown('resolved')),
    );
    const resolveDelay = resolved.at - restartedAt;
    t.diagnostic(
      `resolved notice ${resolveDelay} ms after the processor served again (bound ${resolveBound} ms)`,
    );
    assert.ok(resolveDelay <= resolveBound, `resolve took ${resolveDelay} ms, bound ${resolveBound} ms`);
    // The dead-man path works too: the always-firing Watchdog reached its own receiver.
    assert.ok(
      hook.received.some(
        (n) => n.receiver === 'deadman' && n.alerts.some((a) => a.labels.alertname === 'Watchdog'),
      ),
    );
    done = true;
  },
);
