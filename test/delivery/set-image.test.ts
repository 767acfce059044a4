// scripts/ci/set-image.ts: the GitOps edit of an overlay keeps the file and names the digest.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setImage } from '../../scripts/ci/set-image.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const dev = readFileSync(
  new URL('../../deploy/kubernetes/overlays/dev/kustomization.yaml', import.meta.url),
  'utf8',
);

test('sets newName and digest, drops newTag, keeps comments and the rest', () => {
  const out = setImage(dev, 'gridops', 'ghcr.io/acme/gridops', DIGEST);
  assert.match(out, /- name: gridops\n\s+newName: ghcr.io\/acme\/gridops\n\s+digest: sha256:0123/);
  assert.doesNotMatch(out, /newTag/);
  assert.equal(
    out
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n'),
    dev
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n'),
  );
  assert.match(out, /namespace: gridops-dev/);
  // Idempotent.
  assert.equal(setImage(out, 'gridops', 'ghcr.io/acme/gridops', DIGEST), out);
});

test('refuses a bad digest, a bad repository or a missing image entry', () => {
  assert.throws(() => setImage(dev, 'gridops', 'ghcr.io/acme/gridops', 'sha256:abc'), /not a sha256 digest/);
  assert.throws(
    () => setImage(dev, 'gridops', 'ghcr.io/acme/gridops:1.0', DIGEST),
    /not an image repository/,
  );
  assert.throws(() => setImage(dev, 'gridops', 'GHCR.io/Acme/gridops', DIGEST), /not an image repository/);
  assert.throws(() => setImage(dev, 'other', 'ghcr.io/acme/gridops', DIGEST), /no images: entry named other/);
  assert.throws(
    () => setImage('resources: []\n', 'gridops', 'ghcr.io/acme/gridops', DIGEST),
    /no images: list/,
  );
});
