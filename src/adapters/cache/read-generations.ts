// The cache generation each read-through miss saw, kept until the matching set.
//
// Read-through is get (miss) -> read the store -> set. If a processor commits and bumps the
// generation between the store read and the set, the answer is stale; tagging it with the
// generation current at set time would serve it until its TTL. So a set tags its entry with the
// OLDEST generation an outstanding miss of that key saw: such an entry is only served while no
// commit has happened since that miss. `null` means the generation was unknown (Redis failed or
// the counter was missing): the answer is then not stored at all.
export type Generation = string | null;

interface Outstanding {
  gen: Generation;
  open: number;
  since: number;
}

export class ReadGenerations {
  private readonly byKey = new Map<string, Outstanding>();
  private readonly maxAgeMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  /**
   * @param maxAgeMs a miss older than this is taken for one whose set never came (the store read
   *   failed), so it stops pinning the key to an old generation; keep it above the request timeout.
   * @param maxKeys bound on keys tracked at once; the oldest are forgotten first.
   */
  constructor(maxAgeMs = 60_000, maxKeys = 10_000, now: () => number = Date.now) {
    this.maxAgeMs = maxAgeMs;
    this.maxKeys = maxKeys;
    this.now = now;
  }

  /** A get of `key` missed while the generation was `gen`. */
  noteMiss(key: string, gen: Generation): void {
    const t = this.now();
    const o = this.byKey.get(key);
    if (o && t - o.since < this.maxAgeMs) {
      o.gen = older(o.gen, gen);
      o.open += 1;
      return;
    }
    this.byKey.delete(key);
    this.byKey.set(key, { gen, open: 1, since: t });
    while (this.byKey.size > this.maxKeys) this.byKey.delete(this.byKey.keys().next().value as string);
  }

  /** The generation to tag a set of `key` with; undefined when no miss is outstanding. */
  takeForSet(key: string): { gen: Generation } | undefined {
    const o = this.byKey.get(key);
    if (!o) return undefined;
    o.open -= 1;
    if (o.open <= 0) this.byKey.delete(key);
    return { gen: o.gen };
  }

  get size(): number {
    return this.byKey.size;
  }
}

function older(a: Generation, b: Generation): Generation {
  if (a === null || b === null) return null;
  return Number(a) <= Number(b) ? a : b;
}
