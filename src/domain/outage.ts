// Outage detection per transformer: enough of its meters reported power loss (last-gasp) or
// went silent at once. One meter alone is a meter problem; many together is a grid problem.
import { MS } from './readings.ts';

export interface OutageConfig {
  /** Never fewer affected meters than this ... */
  minMeters: number;
  /** ... nor fewer than this share of the transformer's meters. */
  minShare: number;
  /** A meter whose last reading is older than this (before the watermark) is silent. */
  silenceMs: number;
  /** Last-gasps count when they fall within this span before the watermark. */
  windowMs: number;
}

export const DEFAULT_OUTAGE: OutageConfig = {
  minMeters: 3,
  minShare: 0.5,
  silenceMs: 30 * MS.minute,
  windowMs: 15 * MS.minute,
};

export interface OutageEvent {
  transformerId: string;
  start: number;
  affectedMeters: string[];
  totalMeters: number;
  cause: 'last_gasp' | 'silence';
  detail: string;
}

function minutes(ms: number): string {
  return `${Math.round(ms / MS.minute)} min`;
}

/**
 * Decides whether the transformer's meters show an outage as of `watermark` (event time).
 *
 * - A last-gasp counts when it is at or after watermark - windowMs. Gasps later than the
 *   watermark count too: the watermark advances with interval ends, which stop arriving
 *   precisely when the power is gone.
 * - A last-gasp followed by a later reading (lastSeen > gasp time) no longer counts: that
 *   meter has power again.
 * - A meter is silent when it has been seen and its lastSeen < watermark - silenceMs; meters
 *   never seen are unknown, not silent (new or not yet commissioned).
 *
 * Affected = gasped or silent. The outage holds when affected >= max(minMeters,
 * ceil(minShare * meters)); the cause is last_gasp when the gasps alone reach that threshold.
 */
export function detectOutage(
  transformerId: string,
  meterIds: string[],
  lastSeen: ReadonlyMap<string, number>,
  lastGasp: ReadonlyMap<string, number>,
  watermark: number,
  cfg: OutageConfig = DEFAULT_OUTAGE,
): OutageEvent | undefined {
  const meters = [...new Set(meterIds)];
  if (meters.length === 0) return undefined;
  const threshold = Math.max(cfg.minMeters, Math.ceil(cfg.minShare * meters.length));

  const gasped = new Map<string, number>();
  const silent = new Map<string, number>();
  for (const id of meters) {
    const seen = lastSeen.get(id);
    const gasp = lastGasp.get(id);
    if (gasp !== undefined && gasp >= watermark - cfg.windowMs && !(seen !== undefined && seen > gasp)) {
      gasped.set(id, gasp);
    } else if (seen !== undefined && seen < watermark - cfg.silenceMs) {
      silent.set(id, seen);
    }
  }

  const affected = gasped.size + silent.size;
  if (affected < threshold) return undefined;
  const affectedMeters = [...gasped.keys(), ...silent.keys()].sort();
  const share = `${affected} of ${meters.length} meters on ${transformerId}`;

  if (gasped.size >= threshold) {
    const start = Math.min(...gasped.values());
    const also = silent.size > 0 ? `, ${silent.size} more silent` : '';
    return {
      transformerId,
      start,
      affectedMeters,
      totalMeters: meters.length,
      cause: 'last_gasp',
      detail: `${share} affected: ${gasped.size} sent last-gasp within ${minutes(cfg.windowMs)}${also} (threshold ${threshold})`,
    };
  }
  // Mixed or pure silence: a gasp time is the better start for its meter than a lastSeen.
  const start = Math.min(...gasped.values(), ...silent.values());
  const gasps = gasped.size > 0 ? ` and ${gasped.size} sent last-gasp` : '';
  return {
    transformerId,
    start,
    affectedMeters,
    totalMeters: meters.length,
    cause: 'silence',
    detail: `${share} affected: ${silent.size} silent for over ${minutes(cfg.silenceMs)}${gasps} (threshold ${threshold})`,
  };
}

/**
 * Finds a cluster of last-gasps on one transformer: at least the outage threshold of distinct
 * meters whose gasps fall within `windowMs` of each other, whatever happened afterwards. The
 * gasps are the evidence, so this holds when a whole outage and its restoration arrive in one
 * batch (a backfill), where detectOutage's "as of the watermark" view sees only the restored
 * grid. `start` is the earliest gasp of the first qualifying cluster.
 */
export function detectGaspCluster(
  transformerId: string,
  meterIds: string[],
  lastGasp: ReadonlyMap<string, number>,
  cfg: OutageConfig = DEFAULT_OUTAGE,
): OutageEvent | undefined {
  const meters = [...new Set(meterIds)];
  const threshold = Math.max(cfg.minMeters, Math.ceil(cfg.minShare * meters.length));
  const gasps = meters
    .filter((m) => lastGasp.has(m))
    .map((m) => ({ meter: m, at: lastGasp.get(m)! }))
    .sort((a, b) => a.at - b.at);
  for (let i = 0, j = 0; j < gasps.length; j++) {
    while (gasps[j]!.at - gasps[i]!.at > cfg.windowMs) i++;
    if (j - i + 1 >= threshold) {
      const cluster = gasps.slice(i, j + 1);
      return {
        transformerId,
        start: cluster[0]!.at,
        affectedMeters: cluster.map((g) => g.meter),
        totalMeters: meters.length,
        cause: 'last_gasp',
        detail: `${cluster.length} of ${meters.length} meters on ${transformerId} sent a last-gasp within ${minutes(cfg.windowMs)} (threshold ${threshold})`,
      };
    }
  }
  return undefined;
}
