import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS } from './readings.ts';
import { DEFAULT_OUTAGE, detectGaspCluster, detectOutage } from './outage.ts';

const NOW = Date.UTC(2026, 0, 5, 18, 0); // the watermark
const ago = (minutes: number): number => NOW - minutes * MS.minute;
const METERS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6']; // threshold max(3, ceil(0.5 * 6)) = 3

/** Every meter reported 5 min ago unless overridden. */
function seen(over: Record<string, number> = {}): Map<string, number> {
  return new Map(METERS.map((id) => [id, over[id] ?? ago(5)]));
}
function gasps(entries: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(entries));
}

test('no gasps and recent readings: no outage', () => {
  assert.equal(detectOutage('TX-1', METERS, seen(), new Map(), NOW), undefined);
});

test('last-gasps from the threshold number of meters within the window raise an outage', () => {
  const lastSeen = seen({ M1: ago(20), M2: ago(20), M3: ago(20) });
  const e = detectOutage('TX-1', METERS, lastSeen, gasps({ M1: ago(10), M2: ago(14), M3: ago(12) }), NOW);
  assert.deepEqual(e, {
    transformerId: 'TX-1',
    start: ago(14),
    affectedMeters: ['M1', 'M2', 'M3'],
    totalMeters: 6,
    cause: 'last_gasp',
    detail: '3 of 6 meters on TX-1 affected: 3 sent last-gasp within 15 min (threshold 3)',
  });
});

test('two gasps are below the threshold', () => {
  const lastSeen = seen({ M1: ago(20), M2: ago(20) });
  assert.equal(detectOutage('TX-1', METERS, lastSeen, gasps({ M1: ago(10), M2: ago(10) }), NOW), undefined);
});

test('a gasp exactly windowMs old counts, an older one does not', () => {
  const lastSeen = seen({ M1: ago(20), M2: ago(20), M3: ago(20) });
  const inWindow = gasps({ M1: ago(1), M2: ago(2), M3: ago(15) });
  assert.equal(detectOutage('TX-1', METERS, lastSeen, inWindow, NOW)?.cause, 'last_gasp');
  const stale = gasps({ M1: ago(1), M2: ago(2), M3: ago(15) - 1 });
  assert.equal(detectOutage('TX-1', METERS, lastSeen, stale, NOW), undefined);
});

test('gasps later than the watermark count (interval ends stop arriving in an outage)', () => {
  const lastSeen = seen({ M1: ago(15), M2: ago(15), M3: ago(15) });
  const later = gasps({ M1: NOW + 60_000, M2: NOW + 90_000, M3: NOW + 30_000 });
  const e = detectOutage('TX-1', METERS, lastSeen, later, NOW);
  assert.equal(e?.cause, 'last_gasp');
  assert.equal(e?.start, NOW + 30_000);
});

test('a meter seen again after its gasp has power back and is not affected', () => {
  const lastSeen = seen({ M1: ago(20), M2: ago(20), M3: ago(1) });
  assert.equal(
    detectOutage('TX-1', METERS, lastSeen, gasps({ M1: ago(10), M2: ago(10), M3: ago(10) }), NOW),
    undefined,
  );
});

test('silence: meters quiet for longer than silenceMs, start at the earliest lastSeen', () => {
  const lastSeen = seen({ M2: ago(31), M4: ago(45), M6: ago(40) });
  const e = detectOutage('TX-1', METERS, lastSeen, new Map(), NOW);
  assert.deepEqual(e, {
    transformerId: 'TX-1',
    start: ago(45),
    affectedMeters: ['M2', 'M4', 'M6'],
    totalMeters: 6,
    cause: 'silence',
    detail: '3 of 6 meters on TX-1 affected: 3 silent for over 30 min (threshold 3)',
  });
});

test('a lastSeen exactly silenceMs old is not yet silent; never-seen meters are not silent', () => {
  const edge = seen({ M2: ago(31), M4: ago(45), M6: ago(30) });
  assert.equal(detectOutage('TX-1', METERS, edge, new Map(), NOW), undefined);
  const partial = new Map([
    ['M1', ago(40)],
    ['M2', ago(40)],
  ]); // M3..M6 never reported
  assert.equal(detectOutage('TX-1', METERS, partial, new Map(), NOW), undefined);
});

test('gasps and silence together reach the threshold as a silence outage', () => {
  const lastSeen = seen({ M1: ago(20), M2: ago(20), M5: ago(50) });
  const e = detectOutage('TX-1', METERS, lastSeen, gasps({ M1: ago(8), M2: ago(6) }), NOW);
  assert.equal(e?.cause, 'silence');
  assert.deepEqual(e?.affectedMeters, ['M1', 'M2', 'M5']);
  assert.equal(e?.start, ago(50));
  assert.match(e!.detail, /1 silent for over 30 min and 2 sent last-gasp/);
});

test('last_gasp wins when gasps alone reach the threshold; silent meters are listed too', () => {
  const lastSeen = seen({ M1: ago(20), M2: ago(20), M3: ago(20), M6: ago(120) });
  const e = detectOutage('TX-1', METERS, lastSeen, gasps({ M1: ago(9), M2: ago(7), M3: ago(5) }), NOW);
  assert.equal(e?.cause, 'last_gasp');
  assert.equal(e?.start, ago(9)); // not the long-silent M6
  assert.deepEqual(e?.affectedMeters, ['M1', 'M2', 'M3', 'M6']);
  assert.match(e!.detail, /^4 of 6 .*, 1 more silent/);
});

test('the share threshold applies on large transformers', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `X${i}`); // threshold max(3, 5) = 5
  const lastSeen = new Map(ids.map((id) => [id, ago(20)]));
  const four = new Map(ids.slice(0, 4).map((id) => [id, ago(5)]));
  assert.equal(detectOutage('TX-2', ids, lastSeen, four, NOW), undefined);
  const five = new Map(ids.slice(0, 5).map((id) => [id, ago(5)]));
  assert.equal(detectOutage('TX-2', ids, lastSeen, five, NOW)?.affectedMeters.length, 5);
});

test('small transformers cannot reach minMeters unless configured lower', () => {
  const ids = ['A', 'B'];
  const lastSeen = new Map([
    ['A', ago(20)],
    ['B', ago(20)],
  ]);
  const both = gasps({ A: ago(3), B: ago(4) });
  assert.equal(detectOutage('TX-3', ids, lastSeen, both, NOW), undefined);
  const cfg = { ...DEFAULT_OUTAGE, minMeters: 1 };
  assert.equal(detectOutage('TX-3', ids, lastSeen, both, NOW, cfg)?.totalMeters, 2);
});

test('duplicate ids count once, other transformers are ignored, no meters is no outage', () => {
  const lastSeen = seen({ M1: ago(20), M2: ago(20) });
  const g = gasps({ M1: ago(5), M2: ago(5), OTHER: ago(5) });
  assert.equal(detectOutage('TX-1', [...METERS, 'M1', 'M2'], lastSeen, g, NOW), undefined);
  assert.equal(detectOutage('TX-1', [], lastSeen, g, NOW), undefined);
});

test('detectGaspCluster finds gasps close together even after the meters came back', () => {
  const meters = ['M1', 'M2', 'M3', 'M4'];
  const t = Date.UTC(2026, 0, 1, 12);
  const gasps = new Map([
    ['M1', t],
    ['M2', t + 5 * 60_000],
    ['M3', t + 9 * 60_000],
  ]);
  const o = detectGaspCluster('TX-1', meters, gasps);
  assert.equal(o?.start, t);
  assert.deepEqual(o?.affectedMeters, ['M1', 'M2', 'M3']);
  assert.equal(o?.cause, 'last_gasp');
});

test('detectGaspCluster ignores gasps spread wider than the window or below the threshold', () => {
  const t = Date.UTC(2026, 0, 1, 12);
  const spread = new Map([
    ['M1', t],
    ['M2', t + 20 * 60_000],
    ['M3', t + 40 * 60_000],
  ]);
  assert.equal(detectGaspCluster('TX-1', ['M1', 'M2', 'M3', 'M4'], spread), undefined);
  const few = new Map([
    ['M1', t],
    ['M2', t],
  ]);
  assert.equal(detectGaspCluster('TX-1', ['M1', 'M2', 'M3', 'M4'], few), undefined);
});
