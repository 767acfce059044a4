// scripts/delivery/policy.ts: the rules behind the delivery check, on small inputs.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  checkCompose,
  checkDockerfile,
  checkK8s,
  dockerGlob,
  imagePinned,
  loadObjects,
  parseDockerfile,
  renderGoTemplate,
} from '../../scripts/delivery/policy.ts';
import { collectGroups, render } from '../../scripts/delivery/prometheus-rules.ts';

const repo = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

test('image references: digest or a real tag, never latest or none', () => {
  assert.equal(imagePinned(`ghcr.io/a/b@sha256:${'a'.repeat(64)}`), null);
  assert.equal(imagePinned('docker.io/library/node:24.21.0-trixie-slim'), null);
  assert.equal(imagePinned('localhost:5000/gridops:1.2.3'), null);
  assert.match(imagePinned('localhost:5000/gridops') ?? '', /no tag/);
  assert.match(imagePinned('redis:latest') ?? '', /latest/);
});

test('.dockerignore globs follow Docker: * matches dot files, ** any depth', () => {
  assert.ok(dockerGlob('*').test('.git'));
  assert.ok(!dockerGlob('*').test('src/main.ts'));
  assert.ok(dockerGlob('src/**/*.test.ts').test('src/app/a.test.ts'));
  assert.ok(dockerGlob('src/**/*.test.ts').test('src/a.test.ts'));
  assert.ok(!dockerGlob('src/**/*.test.ts').test('src/a.ts'));
});

test('the Dockerfile passes its rules; parsing joins continuation lines', () => {
  const text = repo('deploy/docker/Dockerfile');
  assert.deepEqual(checkDockerfile(text, '24.21.0'), []);
  const run = parseDockerfile(text).find((i) => i.cmd === 'RUN' && i.args.includes('groupadd'));
  assert.match(run?.args ?? '', /useradd .* --shell \/usr\/sbin\/nologin gridops/);
  assert.ok(
    checkDockerfile(text.replace('USER 10001:10001', 'USER 0'), '24.21.0').some((v) => v.includes('GD005')),
  );
});

test('a root container, no limits, no probes, a writable root filesystem: each is reported', () => {
  const base = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      replicas: 1,
      template: {
        metadata: { labels: { app: 'x' } },
        spec: { containers: [{ name: 'c', image: 'x:1', securityContext: { runAsUser: 0 } }] },
      },
    },
  };
  const text = checkK8s(loadObjects(JSON.stringify(base)), 't').join('\n');
  for (const why of [
    'runs as root',
    'no memory limit',
    'no cpu limit',
    'no livenessProbe',
    'no readinessProbe',
    'writable root filesystem',
    'no default-deny',
    'no PodDisruptionBudget',
  ]) {
    assert.ok(text.includes(why), why);
  }
});

test('the ApplicationSet template subset: variables, if blocks, missing keys', () => {
  assert.equal(
    renderGoTemplate('a-{{ .env }}{{- if .auto }}+auto{{- end }}', { env: 'dev', auto: true }),
    'a-dev+auto',
  );
  assert.equal(
    renderGoTemplate('a-{{ .env }}{{- if .auto }}+auto{{- end }}', { env: 'prod', auto: false }),
    'a-prod',
  );
  assert.throws(() => renderGoTemplate('{{ .nope }}', {}), /missingkey/);
});

test('compose: an unpinned image and a missing limit are reported', () => {
  const v = checkCompose('services:\n  a:\n    image: redis\n    healthcheck: {test: [CMD, x]}\n').join('\n');
  assert.match(v, /no tag or digest/);
  assert.match(v, /no memory limit/);
  assert.match(v, /no "monolith" profile/);
});

test('the PrometheusRule holds every group of the compiled mixin', () => {
  const { files, groups } = collectGroups(new URL('../../monitoring/compiled', import.meta.url).pathname);
  const text = render(files, groups);
  assert.equal(text, repo('deploy/kubernetes/components/prometheus-rules/prometheusrule.yaml'));
  assert.equal(files.length > 0, groups.length > 0);
});
